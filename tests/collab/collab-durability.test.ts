import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startChildServer, type ChildServer } from '../setup/child-server';
import { createTestDatabase, type TestDatabase } from '../setup/database';
import { cookieFrom } from '../setup/http';
import { connectClient, processCell, type TestClient } from './collab-helpers';
import { startTcpProxy, type TcpProxy } from './tcp-proxy';
import { exclusively } from './timing-lock';

let env: Record<string, string>;
let cleanup: () => Promise<void>;
let server: ChildServer | null = null;
let proxy: TcpProxy;
const clients: TestClient[] = [];

beforeAll(async () => {
  if (process.env.TEST_DATABASE_URL) {
    const db: TestDatabase = await createTestDatabase();
    env = { DATABASE_URL: db.url! };
    cleanup = async () => {
      await db.close();
    };
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'threatroom-kill-'));
    env = { DATA_DIR: dir };
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  }
});
afterAll(async () => {
  for (const c of clients) c.destroy();
  await proxy?.close();
  await server?.kill();
  await cleanup();
});

async function rest(method: string, path: string, cookie: string | null, body?: unknown) {
  const res = await fetch(`${server!.url}${path}`, {
    method,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(cookie ? { cookie } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: text ? JSON.parse(text) : null,
    cookie: cookieFrom(res.headers) ?? null,
  };
}

interface Edit {
  cellId: string;
  at: number;
}

/** One client adding a new cell every `everyMs` until stopped; every edit is timestamped. */
function editSteadily(client: TestClient, name: string, everyMs: number) {
  const edits: Edit[] = [];
  let n = 0;
  const timer = setInterval(() => {
    const cell = processCell(`${name}-${n++}`);
    client.upsert(cell);
    edits.push({ cellId: cell.id, at: Date.now() });
  }, everyMs);
  return { edits, stop: () => clearInterval(timer) };
}

describe('durability', () => {
  it(
    'kill -9 loses nothing older than 100 ms; clients reconnect and merge offline edits',
    () =>
      exclusively(async () => {
        server = await startChildServer(env);
        const signup = await rest('POST', '/api/auth/signup', null, {
          email: 'kill@example.com',
          name: 'Kill Tester',
          password: 'a long enough secret',
        });
        expect(signup.status).toBe(201);
        const cookie = signup.cookie!;
        const tm = await rest('POST', '/api/threat_models', cookie, { name: 'Crash model' });
        expect(tm.status).toBe(201);
        const shared = processCell('Shared');
        const diagram = await rest('POST', `/api/threat_models/${tm.body.id}/diagrams`, cookie, {
          name: 'Crash diagram',
          type: 'DFD-1.0.0',
          cells: [shared],
        });
        expect(diagram.status).toBe(201);
        const d = diagram.body.id as string;
        const diagramPath = `/api/threat_models/${tm.body.id}/diagrams/${d}`;

        // Clients reach the server through a proxy, so the test decides when they may reconnect.
        proxy = await startTcpProxy(server.port);
        const collabUrl = `ws://127.0.0.1:${proxy.port}/collab`;
        const a = await connectClient(collabUrl, d, { cookie, maxBackoffTime: 200 });
        const b = await connectClient(collabUrl, d, { cookie, maxBackoffTime: 200 });
        clients.push(a, b);

        const ea = editSteadily(a, 'a', 15);
        const eb = editSteadily(b, 'b', 15);
        await new Promise((r) => setTimeout(r, 1_500));
        const killedAt = Date.now();
        await server.kill();
        // The clients keep editing while the server is dead: offline edits.
        proxy.cut();
        await new Promise((r) => setTimeout(r, 300));
        ea.stop();
        eb.stop();
        // Concurrent offline edits to one cell: a moves it, b renames it.
        a.setField(shared.id, 'x', 321);
        b.setField(shared.id, 'label', 'Shared (renamed offline)');

        server = await startChildServer(env);
        const afterRestart = await rest('GET', diagramPath, cookie);
        expect(afterRestart.status).toBe(200);
        const stored = new Set(afterRestart.body.cells.map((c: { id: string }) => c.id));
        const all = [...ea.edits, ...eb.edits];
        const due = all.filter((e) => e.at < killedAt - 100);
        const missing = due.filter((e) => !stored.has(e.cellId));
        const lastWindow = all.filter((e) => e.at >= killedAt - 100 && e.at < killedAt);
        console.log(
          `kill -9: ${all.filter((e) => e.at < killedAt).length} edits before the kill, ${due.length} older than 100 ms, ` +
            `${missing.length} of those missing; ${lastWindow.filter((e) => stored.has(e.cellId)).length}/${lastWindow.length} of the last 100 ms stored`,
        );
        expect(due.length).toBeGreaterThan(100);
        expect(missing.map((e) => `${killedAt - e.at} ms before the kill`)).toEqual([]);

        // Now let the clients find the restarted server by themselves.
        proxy.setTarget(server.port);
        proxy.restore();
        const everything = new Set([...all.map((e) => e.cellId), shared.id]);
        await vi.waitFor(
          async () => {
            const res = await rest('GET', diagramPath, cookie);
            const ids = new Set(res.body.cells.map((c: { id: string }) => c.id));
            for (const id of everything) expect(ids.has(id)).toBe(true);
            expect(res.body.cells.find((c: { id: string }) => c.id === shared.id)).toMatchObject({
              x: 321,
              label: 'Shared (renamed offline)',
            });
          },
          { timeout: 15_000, interval: 100 },
        );
        await vi.waitFor(() => expect(a.cells()).toEqual(b.cells()), { timeout: 5_000 });
        expect(a.cells()).toHaveLength(everything.size);

        // SIGTERM flushes: an edit the server got just before the signal survives the restart.
        const last = processCell('Last words');
        a.upsert(last);
        await vi.waitFor(() => expect(b.cell(last.id)).toBeDefined(), { interval: 1 });
        expect(await server!.stop()).toBe(0);
        server = await startChildServer(env);
        const final = await rest('GET', diagramPath, cookie);
        expect(final.body.cells.map((c: { id: string }) => c.id)).toContain(last.id);
      }),
    240_000,
  );
});
