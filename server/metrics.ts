import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { Hono } from 'hono';
import { matchedRoutes } from 'hono/route';
import client from 'prom-client';
import type { CollabMetrics, CollabServer } from '../collab';
import type { DbHandle } from '../db';
import { notFound, ProblemError, problemResponse } from './errors';

/**
 * This process's Prometheus metrics (prom-client), in a registry of its own: every app
 * instance (tests build several per process) counts separately, and nothing lands in
 * prom-client's global default registry.
 */
export interface Metrics {
  registry: client.Registry;
  /** collab's sink (`CollabMetrics`), injected by server/collab-host.ts. */
  collab: CollabMetrics;
  /** Observes every HTTP request: duration by method, matched route pattern and status. */
  httpMiddleware(): MiddlewareHandler;
  /** Levels read from the collab server at scrape time: rooms, connections, queue depth. */
  observeCollab(server: CollabServer): void;
}

/** Seconds; from a fast REST read to a slow diagram PUT. */
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Seconds; a group-commit INSERT or a compaction (a transaction folding the log). */
const DB_WRITE_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Creates the metrics of one server process. `db` gives the pool gauge; process metrics
 * (CPU, memory, GC, event-loop delay) come from prom-client's defaults.
 */
export function createMetrics(deps: { db: DbHandle }): Metrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 10 });
  const registers = [registry];

  const httpDuration = new client.Histogram({
    name: 'threatroom_http_request_duration_seconds',
    help: 'HTTP request duration by method, matched route pattern and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: HTTP_BUCKETS,
    registers,
  });

  const received = new client.Counter({
    name: 'threatroom_collab_messages_received_total',
    help: 'WebSocket frames received from peers, by y-websocket message kind.',
    labelNames: ['kind'] as const,
    registers,
  });
  const sent = new client.Counter({
    name: 'threatroom_collab_messages_sent_total',
    help: 'WebSocket frames sent to peers, by y-websocket message kind.',
    labelNames: ['kind'] as const,
    registers,
  });
  const refused = new client.Counter({
    name: 'threatroom_collab_frames_refused_total',
    help: 'Frames from peers that were not applied, by reason.',
    labelNames: ['reason'] as const,
    registers,
  });
  const flushes = new client.Histogram({
    name: 'threatroom_collab_update_log_flush_seconds',
    help: 'Duration of one group-commit write of the update log, by outcome.',
    labelNames: ['outcome'] as const,
    buckets: DB_WRITE_BUCKETS,
    registers,
  });
  const compactions = new client.Histogram({
    name: 'threatroom_collab_compaction_seconds',
    help: "Duration of one compaction attempt of a diagram's update log, by outcome.",
    labelNames: ['outcome'] as const,
    buckets: DB_WRITE_BUCKETS,
    registers,
  });

  // What postgres.js and PGlite can honestly tell: postgres.js exposes no busy/idle counts,
  // only its configured maximum; PGlite is one in-process connection.
  new client.Gauge({
    name: 'threatroom_db_pool_max_connections',
    help: 'Most database connections the pool opens (PGlite: one in-process connection).',
    labelNames: ['driver'] as const,
    registers,
    collect() {
      this.set({ driver: deps.db.driver }, deps.db.driver === 'pglite' ? 1 : poolMax(deps.db));
    },
  });

  const collab: CollabMetrics = {
    messageReceived: (kind) => received.inc({ kind }),
    messageSent: (kind) => sent.inc({ kind }),
    frameRefused: (reason) => refused.inc({ reason }),
    updateLogFlushed: (seconds, outcome) => flushes.observe({ outcome }, seconds),
    compacted: (seconds, outcome) => compactions.observe({ outcome }, seconds),
  };

  return {
    registry,
    collab,
    httpMiddleware: () => async (c, next) => {
      const started = performance.now();
      try {
        await next();
      } finally {
        httpDuration.observe(
          { method: c.req.method, route: routeLabel(c), status: String(c.res.status) },
          (performance.now() - started) / 1000,
        );
      }
    },
    observeCollab(server) {
      const level = (name: string, help: string, read: () => number) =>
        new client.Gauge({
          name,
          help,
          registers,
          collect() {
            this.set(read());
          },
        });
      level(
        'threatroom_collab_rooms',
        'Live diagram rooms loaded on this node.',
        () => server.registry.size,
      );
      level('threatroom_collab_connections', 'Open WebSocket connections on this node.', () =>
        server.connectionCount(),
      );
      level(
        'threatroom_collab_update_log_queue_depth',
        'Document updates queued for the update log, not yet written.',
        () => server.updateLog.queuedCount,
      );
      level(
        'threatroom_collab_update_log_queue_bytes',
        'Bytes of document updates queued for the update log (grows while the database is away).',
        () => server.updateLog.queuedBytes,
      );
    },
  };
}

/** postgres.js's configured pool maximum (its `options.max`). */
function poolMax(db: DbHandle): number {
  const options = (db.sql as unknown as { options?: { max?: number } } | undefined)?.options;
  return options?.max ?? 0;
}

/**
 * The route pattern a request matched (`/api/threat_models/:tm/threats`), never the raw path,
 * so the label's values stay few. Middleware (`use`) patterns do not count; of the handlers
 * that matched, the first is the one that answered (the SPA fallback `GET /*` matches every
 * GET after it); a request no route matched is `(unmatched)`.
 */
function routeLabel(c: Context): string {
  return matchedRoutes(c).find((r) => r.method !== 'ALL')?.path ?? '(unmatched)';
}

/**
 * `GET /metrics` on the public port: only with `Authorization: Bearer <METRICS_TOKEN>` (401
 * otherwise); without a token configured it does not exist (404), like any unknown path.
 */
export function metricsRoute(metrics: Metrics, token: string | undefined) {
  const expected = token ? digest(token) : null;
  // Answers rather than throws: it is also mounted on the collab role's bare Hono app, whose
  // error handler is not ours.
  return new Hono().get('/metrics', async (c) => {
    if (!expected) return problemResponse(c, notFound('route'));
    const given = /^Bearer (.+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
    if (!given || !timingSafeEqual(digest(given), expected)) {
      return problemResponse(
        c,
        new ProblemError(
          401,
          'unauthenticated',
          'GET /metrics needs Authorization: Bearer <METRICS_TOKEN>.',
          undefined,
          { 'WWW-Authenticate': 'Bearer realm="metrics"' },
        ),
      );
    }
    return scrape(c, metrics);
  });
}

/** The app of the separate metrics listener (METRICS_PORT): `GET /metrics` and nothing else. */
export function createMetricsApp(metrics: Metrics) {
  const app = new Hono();
  app.get('/metrics', (c) => scrape(c, metrics));
  app.notFound((c) => c.text('Not Found', 404));
  return app;
}

async function scrape(c: Context, metrics: Metrics) {
  const body = await metrics.registry.metrics();
  return c.body(body, 200, {
    'Content-Type': metrics.registry.contentType,
    'Cache-Control': 'no-store',
  });
}

/** Equal-length digests, so that comparing them leaks nothing about the token's length. */
const digest = (s: string) => createHash('sha256').update(s).digest();
