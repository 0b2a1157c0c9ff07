import type { CollabConnection } from './collab-connection';

interface Slot {
  lastAt: number;
  /** The latest frame held back (the latest state wins). */
  held: Uint8Array | null;
  timer: NodeJS.Timeout | null;
}

/**
 * Paces each connection's awareness frames: at most one per `intervalMs` is handed on, and
 * frames arriving sooner replace the one held back, which goes out when the interval ends.
 * A flood from one peer costs one relay per interval; everyone else's cursors are untouched.
 */
export class PresenceGate {
  private readonly slots = new WeakMap<CollabConnection, Slot>();

  constructor(
    private readonly intervalMs: number,
    private readonly deliver: (conn: CollabConnection, update: Uint8Array) => void,
  ) {}

  offer(conn: CollabConnection, update: Uint8Array): void {
    let slot = this.slots.get(conn);
    if (!slot) this.slots.set(conn, (slot = { lastAt: 0, held: null, timer: null }));
    const now = Date.now();
    if (!slot.timer && now - slot.lastAt >= this.intervalMs) {
      slot.lastAt = now;
      this.deliver(conn, update);
      return;
    }
    slot.held = update;
    if (slot.timer) return;
    const current = slot;
    current.timer = setTimeout(
      () => {
        current.timer = null;
        const held = current.held;
        current.held = null;
        if (!held || conn.isClosed) return;
        current.lastAt = Date.now();
        this.deliver(conn, held);
      },
      Math.max(1, current.lastAt + this.intervalMs - now),
    );
    current.timer.unref();
  }

  forget(conn: CollabConnection): void {
    const slot = this.slots.get(conn);
    if (slot?.timer) clearTimeout(slot.timer);
    this.slots.delete(conn);
  }
}
