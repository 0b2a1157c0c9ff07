// Writes the OpenAPI document the server would serve, built in-process (no port, no data on
// disk), so the web app's typed client can be generated before the server ever runs.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import pino from 'pino';
import { createStoredDiagrams } from '../collab';
import { createDb } from '../db';
import { createApp } from '../server/app';
import { defaultConfig } from '../server/config';

const out = process.argv[2] ?? 'web/src/lib/api/openapi.json';
const db = await createDb({});
try {
  const app = createApp({
    config: defaultConfig({ WEB_DIR: '/nonexistent' }),
    db,
    logger: pino({ level: 'silent' }),
    live: createStoredDiagrams(db.db, 'openapi-dump'),
  });
  const res = await app.request('/api/openapi.json');
  if (!res.ok) throw new Error(`GET /api/openapi.json answered ${res.status}`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(await res.json(), null, 2)}\n`);
  console.log(`Wrote ${out}`);
} finally {
  await db.close();
}
