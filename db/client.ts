import { PGlite } from '@electric-sql/pglite';
import type { Logger } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import * as schema from './schema';

export type Schema = typeof schema;
/** The drizzle database, whichever driver is behind it. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
/** A transaction handle; repositories accept either this or the root database. */
export type Tx = Parameters<Parameters<Database['transaction']>[0]>[0];
export type Executor = Database | Tx;

export interface DbConfig {
  /** postgres:// URL; when absent the embedded PGlite is used. */
  url?: string;
  /** PGlite data directory; absent means in memory. */
  dataDir?: string;
  /** PGlite: start from a dumped data directory (tests use a migrated snapshot). */
  loadDataDir?: Blob;
  /** postgres.js pool size. */
  maxConnections?: number;
  /** Called with every SQL statement drizzle sends (query counting in tests, debug logs). */
  onQuery?: (sql: string) => void;
}

export interface DbHandle {
  db: Database;
  driver: 'pglite' | 'postgres';
  /** Throws when the database cannot answer a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
  /** The underlying PGlite instance, when that is the driver (test snapshots). */
  pglite?: PGlite;
  /** The underlying postgres.js client, when that is the driver. */
  sql?: postgres.Sql;
  /** The connection URL, when the driver is postgres. */
  url?: string;
}

/** Opens the database described by `config`: real Postgres with a URL, else embedded PGlite. */
export async function createDb(config: DbConfig): Promise<DbHandle> {
  const logger: Logger | undefined = config.onQuery
    ? { logQuery: (query) => config.onQuery?.(query) }
    : undefined;

  if (config.url) {
    const client = postgres(config.url, {
      max: config.maxConnections ?? 10,
      onnotice: () => {},
      // Fail fast when the server is gone instead of queueing forever; callers retry.
      connect_timeout: 5,
    });
    const db = drizzlePostgres({ client, schema, logger }) as unknown as Database;
    return {
      db,
      driver: 'postgres',
      sql: client,
      url: config.url,
      ping: async () => {
        await client`select 1`;
      },
      close: () => client.end({ timeout: 5 }),
    };
  }

  const pglite = await PGlite.create({
    dataDir: config.dataDir,
    loadDataDir: config.loadDataDir,
  });
  const db = drizzlePglite({ client: pglite, schema, logger }) as unknown as Database;
  return {
    db,
    driver: 'pglite',
    pglite,
    ping: async () => {
      await pglite.query('select 1');
    },
    close: () => pglite.close(),
  };
}
