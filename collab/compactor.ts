import type { Logger } from 'pino';
import type { Database } from '../db';
import { backoffMs } from './db-errors';
import { NO_COLLAB_METRICS, secondsSince, type CollabMetrics } from './metrics';
import { compactDocument } from './persistence';

interface Job {
  /** When the first uncompacted commit arrived: bounds the debounce by `maxMs`. */
  dirtySince: number;
  timer: NodeJS.Timeout | null;
  running: Promise<void> | null;
  /** Commits arrived while compacting: go again afterwards. */
  again: boolean;
  failures: number;
}

export interface CompactorOptions {
  db: Database;
  logger: Logger;
  /** Compact after this long without new commits… */
  quietMs: number;
  /** …but no later than this after the first uncompacted commit. */
  maxMs: number;
  metrics?: CollabMetrics;
}

/**
 * Per-diagram debounced compaction of the update log (≈2 s quiet, 10 s max). Compactions of
 * one diagram never overlap in this process; the advisory lock in `compactDocument` keeps
 * other processes out.
 */
export class Compactor {
  private jobs = new Map<string, Job>();
  private stopped = false;

  constructor(private readonly options: CompactorOptions) {}

  /** Notes new committed log rows for `diagramId`. */
  schedule(diagramId: string): void {
    if (this.stopped) return;
    let job = this.jobs.get(diagramId);
    if (!job) {
      job = { dirtySince: Date.now(), timer: null, running: null, again: false, failures: 0 };
      this.jobs.set(diagramId, job);
    }
    if (job.running) {
      job.again = true;
      return;
    }
    if (job.timer) clearTimeout(job.timer);
    const untilMax = job.dirtySince + this.options.maxMs - Date.now();
    this.arm(diagramId, job, Math.max(0, Math.min(this.options.quietMs, untilMax)));
  }

  /** True while the diagram has uncompacted commits known to this process. */
  isPending(diagramId: string): boolean {
    return this.jobs.has(diagramId);
  }

  /** Compacts every pending diagram now (shutdown), giving up at `deadline` (epoch ms). */
  async flushAll(deadline: number): Promise<void> {
    for (const [diagramId, job] of [...this.jobs]) {
      if (Date.now() > deadline) return;
      if (job.timer) clearTimeout(job.timer);
      job.timer = null;
      if (job.running) await job.running;
      else await this.run(diagramId, job);
    }
  }

  stop(): void {
    this.stopped = true;
    for (const job of this.jobs.values()) if (job.timer) clearTimeout(job.timer);
  }

  private arm(diagramId: string, job: Job, delayMs: number): void {
    if (this.stopped) return;
    job.timer = setTimeout(() => {
      job.timer = null;
      void this.run(diagramId, job);
    }, delayMs);
  }

  private run(diagramId: string, job: Job): Promise<void> {
    job.running = (async () => {
      let retryIn: number | null = null;
      const metrics = this.options.metrics ?? NO_COLLAB_METRICS;
      const started = performance.now();
      try {
        const result = await compactDocument(this.options.db, diagramId);
        metrics.compacted(secondsSince(started), result);
        if (result === 'busy') retryIn = this.options.quietMs;
        job.failures = 0;
      } catch (err) {
        metrics.compacted(secondsSince(started), 'failed');
        if (job.failures === 0) this.options.logger.warn({ err, diagramId }, 'compaction failed');
        retryIn = backoffMs(job.failures++, 500, 10_000);
      } finally {
        job.running = null;
      }
      if (retryIn !== null) {
        this.arm(diagramId, job, retryIn);
      } else if (job.again) {
        job.again = false;
        job.dirtySince = Date.now();
        this.arm(diagramId, job, this.options.quietMs);
      } else {
        this.jobs.delete(diagramId);
      }
    })();
    return job.running;
  }
}
