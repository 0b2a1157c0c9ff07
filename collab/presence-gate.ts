import type { CollabConnection } from './collab-connection';
import type { AwarenessEntry } from './protocol';

interface Slot {
  lastAt: number;
  /** Entries held back, the latest per client id (a client also relays others' states). */
  held: Map<number, AwarenessEntry>;
  timer: NodeJS.Timeout | null;
}

/**
 * Paces each connection's awareness: at most one batch per `intervalMs` is handed on, and
 * entries arriving sooner are held back — the latest per client id wins — until the interval
 * ends, and the peer's socket is not read meanwhile (TCP backpressure). A flood from one peer
 * costs about one frame per interval; everyone else's cursors are untouched.
 */
export class PresenceGate {
  private readonly slots = new WeakMap<CollabConnection, Slot>();

  constructor(
    private readonly intervalMs: number,
    private readonly deliver: (conn: CollabConnection, entries: AwarenessEntry[]) => void,
  ) {}

  offer(conn: CollabConnection, entries: AwarenessEntry[]): void {
    let slot = this.slots.get(conn);
    if (!slot) this.slots.set(conn, (slot = { lastAt: 0, held: new Map(), timer: null }));
    const now = Date.now();
    if (!slot.timer && now - slot.lastAt >= this.intervalMs) {
      slot.lastAt = now;
      this.deliver(conn, entries);
      return;
    }
    for (const entry of entries) {
      const held = slot.held.get(entry.clientId);
      if (!held || held.clock <= entry.clock) slot.held.set(entry.clientId, entry);
    }
    if (slot.timer) {
      // A second frame within one interval: stop reading from this peer until it ends, so a
      // flood waits in its own TCP buffers instead of costing this node the decoding.
      if (!conn.ws.isPaused) conn.ws.pause();
      return;
    }
    const current = slot;
    current.timer = setTimeout(
      () => {
        current.timer = null;
        if (conn.ws.isPaused) conn.ws.resume();
        const held = [...current.held.values()];
        current.held.clear();
        if (!held.length || conn.isClosed) return;
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
    if (conn.ws.isPaused) conn.ws.resume();
    this.slots.delete(conn);
  }
}
