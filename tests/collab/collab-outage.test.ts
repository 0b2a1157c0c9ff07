import { afterAll, describe, expect, it, vi } from 'vitest';
import { loadDocument } from '../../collab';
import { cellsFromDoc } from '../../model/ydoc';
import { startChildServer, type ChildServer } from '../setup/child-server';
import { createTestDatabase, type TestDatabase } from '../setup/database';
import { cookieFrom } from '../setup/http';
import { connectClient, processCell, type TestClient } from './collab-helpers';
import { startTcpProxy, type TcpProxy } from './tcp-proxy';
import { exclusively } from './timing-lock';

const realPostgres = !!process.env.TEST_DATABASE_URL;
let db: TestDatabase | undefined;
let server: ChildServer | undefined;
let proxy: TcpProxy | undefined;
const clients: TestClient[] = [];

afterAll(async () => {
  for (const c of clients) c.destroy();
  await server?.stop();
  await proxy?.close();
  await db?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('database outage', () => {
  it.skipIf(!realPostgres)(
    'Postgres unreachable for 10 s during editing: editing goes on, nothing is lost (needs TEST_DATABASE_URL; PGlite cannot go away)',
    () =>
      exclusively(async () => {
        db = await createTestDatabase();
        const direct = new URL(db.url!);
        // The server reaches Postgres only through this proxy; cutting it is an outage for the
        // server while the machine's shared Postgres keeps running for everyone else.
        proxy = await startTcpProxy(Number(direct.port || 5432));
        const viaProxy = new URL(db.url!);
        viaProxy.hostname = '127.0.0.1';
        viaProxy.port = String(proxy.port);
        server = await startChildServer({ DATABASE_URL: viaProxy.toString() });

        const call = async (
          method: string,
          path: string,
          cookie: string | null,
          body?: unknown,
        ) => {
          const res = await fetch(`${server!.url}${path}`, {
            method,
            headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
            body: body === undefined ? undefined : JSON.stringify(body),
          });
          return {
            status: res.status,
            body: await res.json().catch(() => null),
            cookie: cookieFrom(res.headers) ?? '',
          };
        };
        const signup = await call('POST', '/api/auth/signup', null, {
          email: 'outage@example.com',
          name: 'Outage Tester',
          password: 'a long enough secret',
        });
        const cookie = signup.cookie;
        const tm = await call('POST', '/api/threat_models', cookie, { name: 'Outage model' });
        const diagram = await call('POST', `/api/threat_models/${tm.body.id}/diagrams`, cookie, {
          name: 'Outage diagram',
          type: 'DFD-1.0.0',
        });
        const d = diagram.body.id as string;
        const collabUrl = `ws://127.0.0.1:${server.port}/collab`;
        const a = await connectClient(collabUrl, d, { cookie });
        const b = await connectClient(collabUrl, d, { cookie });
        clients.push(a, b);

        const made: string[] = [];
        let turn = 0;
        const timer = setInterval(() => {
          const cell = processCell(`edit-${made.length}`);
          (turn++ % 2 ? a : b).upsert(cell);
          made.push(cell.id);
        }, 20);

        await sleep(1_000);
        proxy.cut();
        const cutAt = made.length;
        await sleep(5_000);
        // Mid-outage: both clients still see each other's edits through the server.
        const during = made.slice(cutAt);
        expect(during.length).toBeGreaterThan(100);
        await vi.waitFor(() => {
          for (const c of [a, b]) for (const id of during) expect(c.cell(id)).toBeDefined();
        });
        expect(a.provider.wsconnected && b.provider.wsconnected).toBe(true);
        await sleep(5_000);
        proxy.restore();
        await sleep(1_000);
        clearInterval(timer);

        // Everything reaches Postgres once it is back: read it directly, not through the server.
        await vi.waitFor(
          async () => {
            const loaded = await loadDocument(db!.db, d);
            const ids = new Set(cellsFromDoc(loaded!.doc).map((c) => c.id));
            expect(made.filter((id) => !ids.has(id))).toEqual([]);
          },
          { timeout: 30_000, interval: 250 },
        );
        const logs = server.logs.join('\n');
        expect(logs).toContain('update log write failed');
        expect(logs).toContain('update log writes resumed');
        console.log(
          `outage: ${made.length} edits, ${made.length - cutAt} of them made during or after the 10 s outage, all stored`,
        );
        expect(a.cells()).toEqual(b.cells());
        expect(a.cells()).toHaveLength(made.length);
      }),
    240_000,
  );
});
