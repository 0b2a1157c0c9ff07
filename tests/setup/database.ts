import { readFileSync } from 'node:fs';
import postgres from 'postgres';
import { inject } from 'vitest';
import { createDb, type DbHandle } from '../../db';
import { withDatabase } from './global-setup';

export interface TestDatabase extends DbHandle {
  /** postgres:// URL of this test's database (real Postgres only), for child processes. */
  url?: string;
}

let snapshot: Blob | undefined;

/**
 * A fresh, migrated database for one test file: a clone of the template on real Postgres
 * (TEST_DATABASE_URL), else a PGlite instance loaded from the migrated snapshot.
 */
export async function createTestDatabase(
  options: { onQuery?: (sql: string) => void } = {},
): Promise<TestDatabase> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (serverUrl) {
    const name = `threatroom_t_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
    const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database "${name}" template "${inject('templateDatabase')}"`);
    const url = withDatabase(serverUrl, name);
    const handle = await createDb({ url, maxConnections: 5, onQuery: options.onQuery });
    return {
      ...handle,
      url,
      close: async () => {
        await handle.close();
        await admin.unsafe(`drop database if exists "${name}" with (force)`);
        await admin.end();
      },
    };
  }
  snapshot ??= new Blob([readFileSync(inject('pgliteSnapshot'))]);
  return createDb({ loadDataDir: snapshot, onQuery: options.onQuery });
}
