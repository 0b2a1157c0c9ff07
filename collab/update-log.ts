import type { Logger } from 'pino';
import * as Y from 'yjs';
import type { Database } from '../db';
import * as updatesRepo from '../db/repositories/diagram-updates.repository';
import { backoffMs, isForeignKeyViolation } from './db-errors';
import { NO_COLLAB_METRICS, secondsSince, type CollabMetrics } from './metrics';

interface PendingWrite {
  /** When the (first merged) update was queued: the group-commit window counts from here. */
  queuedAt: number;
  diagramId: string;
  userId: string | null;
  update: Uint8Array;
  /** Settled with true once committed, false when the diagram is gone and the write dropped. */
  resolvers: Array<(committed: boolean) => void>;
}

export interface UpdateLogOptions {
  db: Database;
  /** Written to `diagram_updates.origin`. */
  nodeId: string;
  /** Group-commit window: how long the first queued update waits for company. */
  flushIntervalMs: number;
  logger: Logger;
  /** After each commit, with the diagrams that got rows (compaction scheduling). */
  onCommitted?: (diagramIds: Set<string>) => void;
  /** A diagram was deleted while updates for it were queued; they were dropped. */
  onDiagramGone?: (diagramId: string) => void;
  metrics?: CollabMetrics;
}

/** Bound on rows per INSERT (4 bind parameters each, far below Postgres' 65,535). */
const ROWS_PER_INSERT = 1_000;

/**
 * The durable update log with group commit: updates from every room queue here and are
 * written every `flushIntervalMs` in one multi-row INSERT, so a burst of edits costs one
 * round trip. Updates by the same author to the same diagram within one window are merged
 * into one row (Yjs updates commute, so order inside a window does not matter).
 *
 * When the database is unreachable the queue keeps everything in memory and retries with
 * backoff; rooms keep serving meanwhile. Rows are never lost by a failed flush, at worst
 * written twice (applying a Yjs update twice is a no-op).
 */
export class UpdateLog {
  private queue: PendingWrite[] = [];
  private inFlight = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private failures = 0;
  private drainWaiters = new Map<string, Array<() => void>>();
  private stopped = false;

  constructor(private readonly options: UpdateLogOptions) {}

  /** Queues an update; the promise settles when it is committed (true) or dropped (false). */
  append(diagramId: string, update: Uint8Array, userId: string | null): Promise<boolean> {
    return new Promise((resolve) => {
      this.queue.push({ queuedAt: Date.now(), diagramId, userId, update, resolvers: [resolve] });
      this.schedule(this.options.flushIntervalMs);
    });
  }

  /** True while updates of the diagram are queued or being written. */
  hasPending(diagramId: string): boolean {
    return (
      (this.inFlight.get(diagramId) ?? 0) > 0 || this.queue.some((w) => w.diagramId === diagramId)
    );
  }

  /** Resolves once nothing of the diagram is queued or in flight. */
  whenDrained(diagramId: string): Promise<void> {
    if (!this.hasPending(diagramId)) return Promise.resolve();
    return new Promise((resolve) => {
      const list = this.drainWaiters.get(diagramId) ?? [];
      list.push(resolve);
      this.drainWaiters.set(diagramId, list);
    });
  }

  /** Queued bytes (diagnostics: how much an outage is holding in memory). */
  get queuedBytes(): number {
    return this.queue.reduce((n, w) => n + w.update.byteLength, 0);
  }

  get queuedCount(): number {
    return this.queue.length;
  }

  /**
   * Writes everything now and keeps retrying until the queue is empty or `deadline` (epoch
   * ms) passes; returns whether it emptied. Used by shutdown.
   */
  async drainAll(deadline: number): Promise<boolean> {
    while (this.queue.length || this.flushing) {
      if (Date.now() > deadline) return false;
      if (this.flushing) await this.flushing;
      else await this.flush();
      if (this.queue.length && this.failures) await delay(Math.min(500, backoffMs(this.failures)));
    }
    return true;
  }

  /** Stops the timer; queued updates stay queued (call drainAll first). */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(delayMs: number): void {
    if (this.timer || this.flushing || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, delayMs);
  }

  private flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.flushing = this.writeBatch().finally(() => {
      this.flushing = null;
      if (this.queue.length) {
        // Updates that queued up during the write have already waited for it: their window
        // counts from their arrival, not from now.
        const waited = Date.now() - this.queue[0]!.queuedAt;
        this.schedule(
          this.failures
            ? backoffMs(this.failures - 1)
            : Math.max(0, this.options.flushIntervalMs - waited),
        );
      }
    });
    return this.flushing;
  }

  private async writeBatch(): Promise<void> {
    const batch = mergeByAuthor(this.queue.splice(0));
    if (!batch.length) return;
    for (const w of batch)
      this.inFlight.set(w.diagramId, (this.inFlight.get(w.diagramId) ?? 0) + 1);
    const failed: PendingWrite[] = [];
    const metrics = this.options.metrics ?? NO_COLLAB_METRICS;
    const started = performance.now();
    try {
      await this.insert(batch);
      metrics.updateLogFlushed(secondsSince(started), 'committed');
      this.settle(batch, true);
    } catch (err) {
      metrics.updateLogFlushed(secondsSince(started), 'failed');
      if (isForeignKeyViolation(err)) {
        // One deleted diagram must not block everyone else's writes: retry per diagram.
        failed.push(...(await this.insertPerDiagram(batch)));
      } else {
        failed.push(...batch);
        this.noteFailure(err);
      }
    } finally {
      for (const w of batch) {
        const n = (this.inFlight.get(w.diagramId) ?? 1) - 1;
        if (n > 0) this.inFlight.set(w.diagramId, n);
        else this.inFlight.delete(w.diagramId);
      }
    }
    // Failed writes go back in front so that a diagram's rows stay in arrival order.
    if (failed.length) this.queue.unshift(...failed);
    this.notifyDrained(batch);
  }

  private async insert(batch: PendingWrite[]): Promise<void> {
    const rows = batch.map((w) => ({
      diagramId: w.diagramId,
      update: w.update,
      origin: this.options.nodeId,
      userId: w.userId,
    }));
    for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
      await updatesRepo.appendDiagramUpdates(this.options.db, rows.slice(i, i + ROWS_PER_INSERT));
    }
  }

  private async insertPerDiagram(batch: PendingWrite[]): Promise<PendingWrite[]> {
    const byDiagram = new Map<string, PendingWrite[]>();
    for (const w of batch) byDiagram.set(w.diagramId, [...(byDiagram.get(w.diagramId) ?? []), w]);
    const failed: PendingWrite[] = [];
    for (const [diagramId, writes] of byDiagram) {
      try {
        await this.insert(writes);
        this.settle(writes, true);
      } catch (err) {
        if (isForeignKeyViolation(err)) {
          this.options.logger.warn({ diagramId }, 'diagram deleted; dropping its queued updates');
          this.settle(writes, false);
          this.options.onDiagramGone?.(diagramId);
        } else {
          failed.push(...writes);
          this.noteFailure(err);
        }
      }
    }
    return failed;
  }

  private settle(writes: PendingWrite[], committed: boolean): void {
    if (committed && this.failures) {
      this.options.logger.info({ afterFailures: this.failures }, 'update log writes resumed');
      this.failures = 0;
    }
    for (const w of writes) for (const resolve of w.resolvers) resolve(committed);
    if (committed) this.options.onCommitted?.(new Set(writes.map((w) => w.diagramId)));
  }

  private noteFailure(err: unknown): void {
    if (this.failures === 0) {
      this.options.logger.warn(
        { err },
        'update log write failed; keeping updates in memory and retrying',
      );
    }
    this.failures++;
  }

  private notifyDrained(batch: PendingWrite[]): void {
    for (const diagramId of new Set(batch.map((w) => w.diagramId))) {
      if (this.hasPending(diagramId)) continue;
      const waiters = this.drainWaiters.get(diagramId);
      if (!waiters) continue;
      this.drainWaiters.delete(diagramId);
      for (const resolve of waiters) resolve();
    }
  }
}

/** Merges queued writes per (diagram, author), keeping first-arrival order of the groups. */
function mergeByAuthor(writes: PendingWrite[]): PendingWrite[] {
  const groups = new Map<string, PendingWrite[]>();
  for (const w of writes) {
    const key = `${w.diagramId}:${w.userId ?? ''}`;
    const group = groups.get(key);
    if (group) group.push(w);
    else groups.set(key, [w]);
  }
  return [...groups.values()].map((group) =>
    group.length === 1
      ? group[0]!
      : {
          queuedAt: group[0]!.queuedAt,
          diagramId: group[0]!.diagramId,
          userId: group[0]!.userId,
          update: Y.mergeUpdates(group.map((w) => w.update)),
          resolvers: group.flatMap((w) => w.resolvers),
        },
  );
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
