import { mkdirSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { createRedisBus } from '../collab';
import { createDb, migrateDb } from '../db';
import * as collabRepo from '../db/repositories/collaboration.repository';
import { createApp } from './app';
import { createCollab } from './collab-host';
import { loadConfig, type Config } from './config';
import type { AppDeps } from './context';
import { createLogger } from './logger';
import { createMetrics, createMetricsApp, metricsRoute } from './metrics';
import { createRateLimits } from './rate-limits';
import { healthRoutes } from './routes/health.routes';

/** `--role api|collab|all` on the command line wins over the ROLE setting. */
function roleFromArgv(argv: string[]): string | undefined {
  const i = argv.findIndex((a) => a === '--role' || a.startsWith('--role='));
  if (i < 0) return undefined;
  return argv[i]!.includes('=') ? argv[i]!.split('=')[1] : argv[i + 1];
}

/** The only place that reads configuration, opens the database and listens. */
async function main() {
  const role = roleFromArgv(process.argv.slice(2));
  const config: Config = loadConfig(role ? { ...process.env, ROLE: role } : process.env);
  const logger = createLogger(config.LOG_LEVEL);
  if (!config.DATABASE_URL) mkdirSync(config.DATA_DIR, { recursive: true });
  const db = await createDb(
    config.DATABASE_URL
      ? { url: config.DATABASE_URL, maxConnections: config.DATABASE_POOL_SIZE }
      : { dataDir: join(config.DATA_DIR, 'pglite') },
  );
  await migrateDb(db);
  logger.info({ driver: db.driver, role: config.ROLE }, 'database ready');

  const nodeId = `${hostname()}:${process.pid}`;
  const bus = config.REDIS_URL ? createRedisBus({ url: config.REDIS_URL, nodeId, logger }) : null;
  if (!bus && config.ROLE !== 'api') {
    // Standalone: no room is live before we listen, so any open session is a crash leftover.
    const ended = await collabRepo.endAllOpenSessions(db.db);
    if (ended) logger.info({ ended }, 'closed collaboration sessions left open by a crash');
  }
  // Built in every role: its LiveDiagrams is how REST writes reach rooms and the log.
  const limits = createRateLimits(config, logger);
  const metrics = createMetrics({ db });
  const collab = createCollab({
    config,
    db,
    logger,
    nodeId,
    bus,
    upgradeLimit: limits.collabUpgradeIp,
    metrics,
  });
  const deps: AppDeps = { config, db, logger, live: collab.live, limits, metrics };
  const app = config.ROLE === 'collab' ? healthOnlyApp(deps) : createApp(deps);

  const server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, (info) => {
    // The address really bound (HOST), not a guess: 0.0.0.0 means every interface.
    const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
    logger.info(
      { host: info.address, port: info.port },
      `Threatroom listening on http://${host}:${info.port}`,
    );
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (config.ROLE === 'api') {
      socket.on('error', () => socket.destroy());
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    collab.handleUpgrade(req, socket, head);
  });

  // Prometheus on a port of its own (private network), only when asked for.
  const metricsServer =
    config.METRICS_PORT === undefined
      ? null
      : serve(
          {
            fetch: createMetricsApp(metrics).fetch,
            port: config.METRICS_PORT,
            hostname: config.METRICS_HOST ?? config.HOST,
          },
          (info) => {
            const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
            // Worded apart from the main listener's line, which start-up scripts wait for.
            logger.info(
              { metricsHost: info.address, metricsPort: info.port },
              `Prometheus metrics on http://${host}:${info.port}/metrics`,
            );
          },
        );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    server.close();
    metricsServer?.close();
    try {
      // Every room's queued updates are stored before the database closes.
      await collab.close(15_000);
    } catch (err) {
      logger.error({ err }, 'collab shutdown failed');
    }
    await db.close();
    await limits.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

/** `--role collab`: WebSockets plus liveness/readiness, no REST API. */
function healthOnlyApp(deps: AppDeps) {
  const app = new Hono();
  app.use('*', deps.metrics.httpMiddleware());
  app.route('/api', healthRoutes(deps));
  app.route('/', metricsRoute(deps.metrics, deps.config.METRICS_TOKEN));
  return app;
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
