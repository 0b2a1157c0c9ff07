import pino from 'pino';
import { createApp } from '../../server/app';
import { createCollab } from '../../server/collab-host';
import { defaultConfig, type Config } from '../../server/config';
import type { AppDeps } from '../../server/context';
import { createMetrics } from '../../server/metrics';
import { createRateLimits } from '../../server/rate-limits';
import { createTestDatabase, type TestDatabase } from './database';
import { createFactories } from './factories';
import { createHttpClient, type Credentials } from './http';

export interface TestContextOptions {
  config?: Partial<Config>;
  /** Receives every SQL statement (query-count assertions). */
  onQuery?: (sql: string) => void;
}

/**
 * A test's world: a fresh database, the real app built by `createApp`, factories that go
 * through the real repositories, and an HTTP client that calls the app in-process.
 */
export async function createTestContext(options: TestContextOptions = {}) {
  const db: TestDatabase = await createTestDatabase({ onQuery: options.onQuery });
  const config = defaultConfig(options.config);
  const logger = pino({ level: 'silent' });
  // The real room registry, unattached to any port: REST writes go through rooms and the log
  // exactly as in production (tests/setup/server.ts attaches it to a listening server).
  // In memory unless the test's config names a REDIS_URL (then shared, like nodes in production).
  const limits = createRateLimits(config);
  // A registry per context, as per process in production: contexts never share counts.
  const metrics = createMetrics({ db });
  const collab = createCollab({
    config,
    db,
    logger,
    nodeId: 'test',
    upgradeLimit: limits.collabUpgradeIp,
    metrics,
  });
  const deps: AppDeps = { config, db, logger, live: collab.live, limits, metrics };
  const app = createApp(deps);
  const factories = createFactories(db.db);
  return {
    db,
    deps,
    app,
    config,
    ...factories,
    /** An in-process client acting as `who` (a user with a session, a token, or nobody). */
    as: (who: Credentials) => createHttpClient(app, who),
    anonymous: () => createHttpClient(app, null),
    collab,
    close: async () => {
      await collab.close();
      await limits.close();
      await db.close();
    },
  };
}

export type TestContext = Awaited<ReturnType<typeof createTestContext>>;
