import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { hostname } from 'node:os';
import { createStoredDiagrams } from '../collab/live-diagrams';
import { createDb, migrateDb } from '../db';
import { createApp } from './app';
import { loadConfig } from './config';
import { createLogger } from './logger';

/** The only place that reads configuration, opens the database and listens. */
async function main() {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  if (!config.DATABASE_URL) mkdirSync(config.DATA_DIR, { recursive: true });
  const db = await createDb(
    config.DATABASE_URL
      ? { url: config.DATABASE_URL, maxConnections: config.DATABASE_POOL_SIZE }
      : { dataDir: join(config.DATA_DIR, 'pglite') },
  );
  await migrateDb(db);
  logger.info({ driver: db.driver }, 'database ready');

  const live = createStoredDiagrams(db.db, hostname());
  const app = createApp({ config, db, logger, live });
  const server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, (info) => {
    logger.info({ port: info.port }, `Threatroom listening on http://localhost:${info.port}`);
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    server.close();
    await db.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
