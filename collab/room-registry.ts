import type { Logger } from 'pino';
import type { Database } from '../db';
import { backoffMs } from './db-errors';
import type { CollabMetrics } from './metrics';
import { loadDocument } from './persistence';
import { Room, type RoomBus, type RoomLimits } from './room';
import type { UpdateLog } from './update-log';

export interface RoomRegistryOptions {
  db: Database;
  logger: Logger;
  updateLog: UpdateLog;
  bus: RoomBus | null;
  maxConnectionsPerRoom: number;
  autoVersionIntervalMs: number;
  roomLimits: RoomLimits;
  /** How long a load keeps retrying an unreachable database before the join fails. */
  loadTimeoutMs: number;
  metrics: CollabMetrics;
}

/** Told when rooms load and unload (the cross-node bus subscribes and unsubscribes). */
export interface RoomListener {
  loaded(room: Room): void;
  unloaded(room: Room): void;
}

/**
 * The rooms this process holds, one per diagram. Concurrent joins of an unloaded diagram share
 * one load; a room unloads only when it has no peers, no server write in progress and nothing
 * left to store.
 */
export class RoomRegistry {
  private readonly rooms = new Map<string, Room>();
  private readonly loading = new Map<string, Promise<Room | null>>();
  private readonly unloading = new Set<Room>();
  private readonly listeners: RoomListener[] = [];

  constructor(private readonly options: RoomRegistryOptions) {}

  addListener(listener: RoomListener): void {
    this.listeners.push(listener);
  }

  /** The loaded room of a diagram, if any. */
  get(diagramId: string): Room | undefined {
    return this.rooms.get(diagramId);
  }

  get size(): number {
    return this.rooms.size;
  }

  /** Rooms currently loaded. */
  all(): Room[] {
    return [...this.rooms.values()];
  }

  /** The diagram's room, loading it once for all concurrent callers; null if no such diagram. */
  acquire(diagramId: string): Promise<Room | null> {
    const room = this.rooms.get(diagramId);
    if (room) return Promise.resolve(room);
    let pending = this.loading.get(diagramId);
    if (!pending) {
      pending = this.load(diagramId).finally(() => this.loading.delete(diagramId));
      this.loading.set(diagramId, pending);
    }
    return pending;
  }

  private async load(diagramId: string): Promise<Room | null> {
    const deadline = Date.now() + this.options.loadTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      try {
        const loaded = await loadDocument(this.options.db, diagramId);
        if (!loaded) return null;
        const room = new Room(diagramId, loaded.threatModelId, loaded.doc, {
          db: this.options.db,
          logger: this.options.logger,
          updateLog: this.options.updateLog,
          bus: this.options.bus,
          maxConnections: this.options.maxConnectionsPerRoom,
          autoVersionIntervalMs: this.options.autoVersionIntervalMs,
          metrics: this.options.metrics,
          limits: this.options.roomLimits,
        });
        this.rooms.set(diagramId, room);
        for (const l of this.listeners) l.loaded(room);
        return room;
      } catch (err) {
        const wait = backoffMs(attempt, 200, 2_000);
        if (Date.now() + wait > deadline) throw err;
        this.options.logger.warn({ err, diagramId, attempt }, 'room load failed; retrying');
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  /**
   * Unloads the room once it is idle and everything it produced is stored: the log drained
   * and session bookkeeping written. A peer arriving meanwhile keeps it loaded.
   */
  releaseIfIdle(room: Room): void {
    if (!room.isIdle || room.destroyed || this.unloading.has(room)) return;
    this.unloading.add(room);
    void (async () => {
      try {
        for (;;) {
          await room.sessionsSettled();
          await this.options.updateLog.whenDrained(room.diagramId);
          if (!room.isIdle) return;
          if (!this.options.updateLog.hasPending(room.diagramId) && !room.sessionsBusy) break;
        }
        room.destroy();
        if (this.rooms.get(room.diagramId) === room) this.rooms.delete(room.diagramId);
        for (const l of this.listeners) l.unloaded(room);
      } catch (err) {
        this.options.logger.error({ err, diagramId: room.diagramId }, 'room unload failed');
      } finally {
        this.unloading.delete(room);
      }
    })();
  }

  /** Resolves when no unload is in progress (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.unloading.size || this.loading.size) {
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}
