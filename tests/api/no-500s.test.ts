/**
 * Issue 11, acceptance 6 and 7 (the hand-written half; tests/api/openapi-fuzz.test.ts walks
 * every operation): JSON Patch paths into strings, numbers and arrays, deeply nested bodies,
 * an early 413 that closes its connection, and a database outage answered with 503.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_INPUT_DEPTH } from '../../server/openapi';
import { startTcpProxy, type TcpProxy } from '../collab/tcp-proxy';
import { startChildServer, type ChildServer } from '../setup/child-server';
import { createTestDatabase, type TestDatabase } from '../setup/database';
import { expectProblem } from '../setup/problems';
import { startTestServer, type TestServer } from '../setup/server';
import type { TestUser } from '../setup/factories';

let server: TestServer;
let owner: TestUser;
let tmPath: string;
let threatPath: string;
let diagramPath: string;
beforeAll(async () => {
  server = await startTestServer();
  owner = await server.newUser();
  const tm = await server.newThreatModel(owner, { description: 'text' });
  tmPath = `/api/threat_models/${tm.id}`;
  const threat = await server
    .as(owner)
    .post(`${tmPath}/threats`, { name: 'T', threat_type: ['Spoofing'], score: 5 });
  expect(threat.status).toBe(201);
  threatPath = `${tmPath}/threats/${threat.body.id}`;
  const diagram = await server.as(owner).post(`${tmPath}/diagrams`, {
    name: 'D',
    type: 'DFD-1.0.0',
    cells: [
      {
        id: '00000000-0000-4000-8000-0000000000d1',
        shape: 'process',
        x: 0,
        y: 0,
        width: 10,
        height: 10,
      },
    ],
  });
  expect(diagram.status).toBe(201);
  diagramPath = `${tmPath}/diagrams/${diagram.body.id}`;
});
afterAll(() => server.close());

/** `levels` arrays inside each other, as JSON text (built as text: no recursion here either). */
const nested = (levels: number, leaf = '1') => '['.repeat(levels) + leaf + ']'.repeat(levels);

describe('JSON Patch failures are 4xx, never 500', () => {
  const cases: [string, () => string, unknown[]][] = [
    ['into a string', () => tmPath, [{ op: 'replace', path: '/name/0', value: 'x' }]],
    ['add into a string', () => tmPath, [{ op: 'add', path: '/name/x', value: 'x' }]],
    ['remove inside a string', () => tmPath, [{ op: 'remove', path: '/description/0' }]],
    ['into a number', () => threatPath, [{ op: 'add', path: '/score/0', value: 1 }]],
    ['through a number', () => threatPath, [{ op: 'add', path: '/score/a/b', value: 1 }]],
    [
      'array index past the end',
      () => threatPath,
      [{ op: 'add', path: '/threat_type/9', value: 'x' }],
    ],
    [
      'array index not a number',
      () => threatPath,
      [{ op: 'add', path: '/threat_type/x', value: 'x' }],
    ],
    [
      'array index with a leading zero',
      () => threatPath,
      [{ op: 'replace', path: '/threat_type/00', value: 'x' }],
    ],
    [
      'into an array element string',
      () => threatPath,
      [{ op: 'add', path: '/threat_type/0/0', value: 'x' }],
    ],
    [
      'a cell coordinate into a number',
      () => diagramPath,
      [{ op: 'replace', path: '/cells/0/x/0', value: 1 }],
    ],
    ['cells past the end', () => diagramPath, [{ op: 'replace', path: '/cells/5/x', value: 1 }]],
    [
      'copy from inside a string',
      () => tmPath,
      [{ op: 'copy', from: '/name/0', path: '/description' }],
    ],
    ['move into itself', () => tmPath, [{ op: 'move', from: '/name', path: '/name/x' }]],
    ['the prototype', () => tmPath, [{ op: 'add', path: '/name/__proto__/x', value: 1 }]],
    ['a test inside a string', () => tmPath, [{ op: 'test', path: '/name/0', value: 'M' }]],
  ];
  for (const [what, path, patch] of cases) {
    it(what, async () => {
      const res = await server.as(owner).patch(path(), patch);
      expect([400, 409, 422], JSON.stringify(res.body)).toContain(res.status);
      expect(res.contentType).toContain('application/problem+json');
    });
  }

  it('a path through a string or number is 422 patch_not_applicable; nothing is written', async () => {
    const before = await server.as(owner).get(tmPath);
    const res = await server.as(owner).patch(tmPath, [
      { op: 'replace', path: '/description', value: 'changed' },
      { op: 'replace', path: '/name/0', value: 'x' },
    ]);
    expectProblem(res, 422, 'patch_not_applicable');
    const after = await server.as(owner).get(tmPath);
    expect(after.body.description).toBe(before.body.description);
    expect(after.body.version).toBe(before.body.version);
  });
});

describe('deeply nested input', () => {
  it(`5,000 levels in a patch value or as a body → 400, not a stack overflow`, async () => {
    const deepPatch = `[{"op":"replace","path":"/description","value":${nested(5000, '"x"')}}]`;
    const patched = await server.as(owner).patch(tmPath, deepPatch);
    expectProblem(patched, 400);
    expect(patched.body.detail).toContain(String(MAX_INPUT_DEPTH));
    expectProblem(await server.as(owner).post('/api/threat_models', nested(5000)), 400);
    const deepObject = '{"a":'.repeat(5000) + '1' + '}'.repeat(5000);
    expectProblem(await server.as(owner).put(`${tmPath}/metadata`, deepObject), 400);
    expectProblem(
      await server.as(owner).put(`${tmPath}/metadata/deep`, `{"value":${nested(5000)}}`),
      400,
    );
    // Deep where a threat's free-form fields are: still a clean 400.
    const threat = `{"name":"T","threat_type":${nested(5000, '"x"')}}`;
    expectProblem(await server.as(owner).post(`${tmPath}/threats`, threat), 400);
  });

  it('nesting up to the cap is accepted where the schema allows any JSON', async () => {
    const ok = await server
      .as(owner)
      .patch(tmPath, [{ op: 'replace', path: '/description', value: 'within the cap' }]);
    expect(ok.status).toBe(200);
  });
});

describe('413', () => {
  it('a 2 MiB body → 413 with Connection: close; the next request (new connection) succeeds', async () => {
    const body = JSON.stringify({ email: 'a@example.com', password: 'x'.repeat(2 * 1024 * 1024) });
    const res = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(res.status).toBe(413);
    expect(res.headers.get('connection')).toBe('close');
    expect((await res.json()).code).toBe('body_too_large');
    for (let i = 0; i < 3; i++) {
      const next = await fetch(`${server.url}/api/health`);
      expect(next.status).toBe(200);
      await next.body?.cancel();
    }
  });
});

describe('database outage', () => {
  const realPostgres = !!process.env.TEST_DATABASE_URL;
  let db: TestDatabase | undefined;
  let proxy: TcpProxy | undefined;
  let child: ChildServer | undefined;
  afterAll(async () => {
    await child?.stop();
    await proxy?.close();
    await db?.close();
  });

  it.skipIf(!realPostgres)(
    'Postgres unreachable: REST answers 503 with Retry-After and /api/ready is not ready; back: 200 without a restart (needs TEST_DATABASE_URL)',
    async () => {
      db = await createTestDatabase();
      const direct = new URL(db.url!);
      // Only the server's path to Postgres is cut; the machine's Postgres keeps running.
      proxy = await startTcpProxy(Number(direct.port || 5432));
      const viaProxy = new URL(db.url!);
      viaProxy.hostname = '127.0.0.1';
      viaProxy.port = String(proxy.port);
      child = await startChildServer({
        DATABASE_URL: viaProxy.toString(),
        DATABASE_RETRY_AFTER_SECONDS: '7',
      });
      const url = child.url;
      const signup = await fetch(`${url}/api/auth/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'outage@example.com', name: 'O', password: 'long enough!' }),
      });
      expect(signup.status).toBe(201);
      const cookie = signup.headers.get('set-cookie')!.split(';')[0]!;
      const me = () => fetch(`${url}/api/me`, { headers: { cookie } });
      expect((await me()).status).toBe(200);

      proxy.cut();
      for (const request of [
        () => me(),
        () => fetch(`${url}/api/threat_models`, { headers: { cookie } }),
        () =>
          fetch(`${url}/api/auth/login`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ email: 'outage@example.com', password: 'long enough!' }),
          }),
      ]) {
        const res = await request();
        expect(res.status).toBe(503);
        expect(res.headers.get('content-type')).toContain('application/problem+json');
        expect(res.headers.get('retry-after')).toBe('7');
        expect((await res.json()).code).toBe('database_unavailable');
      }
      const ready = await fetch(`${url}/api/ready`);
      expect(ready.status).toBe(503);
      expect(ready.headers.get('retry-after')).toBe('7');
      expect((await fetch(`${url}/api/health`)).status).toBe(200);

      proxy.restore();
      await expect.poll(async () => (await me()).status, { timeout: 30_000 }).toBe(200);
      expect((await fetch(`${url}/api/ready`)).status).toBe(200);
      const logs = child.logs.join('\n');
      expect(logs).not.toContain('unhandled error');
    },
    120_000,
  );
});
