import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { createDb, migrateDb } from '../../db';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Real Postgres: name of the migrated template database each test file clones. */
    templateDatabase: string;
    /** PGlite: path of a dumped, migrated data directory each test file loads. */
    pgliteSnapshot: string;
  }
}

/** Migrates once per run; every test file then gets a fresh copy of the migrated database. */
export default async function setup(project: TestProject) {
  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    const template = `threatroom_tpl_${process.pid}_${Date.now()}`;
    const admin = postgres(url, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database "${template}"`);
    const db = await createDb({ url: withDatabase(url, template), maxConnections: 1 });
    await migrateDb(db);
    await db.close();
    project.provide('templateDatabase', template);
    project.provide('pgliteSnapshot', '');
    return async () => {
      await admin.unsafe(`drop database if exists "${template}" with (force)`);
      await admin.end();
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'threatroom-test-'));
  const db = await createDb({});
  await migrateDb(db);
  const dump = await db.pglite!.dumpDataDir('none');
  writeFileSync(join(dir, 'snapshot.tar'), Buffer.from(await dump.arrayBuffer()));
  await db.close();
  project.provide('templateDatabase', '');
  project.provide('pgliteSnapshot', join(dir, 'snapshot.tar'));
  return () => rmSync(dir, { recursive: true, force: true });
}

/** The same server URL with another database name. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
