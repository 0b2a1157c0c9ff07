import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { withDatabase } from '../setup/global-setup';
import { startChildServer, type ChildServer } from '../setup/child-server';
import { cookieFrom } from '../setup/http';

/**
 * Every table of ARCHITECTURE.md §3, plus collab_tickets, invitations (0005), threat knowledge
 * (0006) and approvals (0008).
 */
const TABLES = [
  'access_invitations',
  'api_tokens',
  'approvals',
  'audit_log',
  'collab_tickets',
  'collaboration_sessions',
  'comments',
  'diagram_updates',
  'diagram_versions',
  'diagrams',
  'documents',
  'metadata',
  'mitigations',
  'notifications',
  'repositories',
  'reviews',
  'session_participants',
  'sessions',
  'suggestion_dismissals',
  'team_members',
  'teams',
  'threat_mitigations',
  'threat_model_access',
  'threat_models',
  'threats',
  'users',
];

const serverUrl = process.env.TEST_DATABASE_URL;
let env: Record<string, string>;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  if (serverUrl) {
    // A brand-new, empty database: start-up must create the whole schema itself.
    const name = `threatroom_start_${process.pid}_${Date.now()}`;
    const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database "${name}"`);
    env = { DATABASE_URL: withDatabase(serverUrl, name) };
    cleanup = async () => {
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end();
    };
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'threatroom-start-'));
    env = { DATA_DIR: dir };
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  }
});
afterAll(() => cleanup());

async function call(server: ChildServer, path: string, init: RequestInit = {}) {
  const res = await fetch(`${server.url}${path}`, {
    ...init,
    headers: { 'content-type': 'application/json', ...init.headers },
  });
  return {
    status: res.status,
    cookie: cookieFrom(res.headers),
    body: await res.json(),
  };
}

it('starts on an empty database, signs up, and the account survives a restart', async () => {
  let server = await startChildServer(env);
  try {
    // The start-up line names the address really bound (the child listens on HOST=127.0.0.1).
    expect(server.logs.join('\n')).toContain(`listening on http://127.0.0.1:${server.port}`);
    expect((await call(server, '/api/health')).status).toBe(200);
    const signup = await call(server, '/api/auth/signup', {
      method: 'POST',
      body: JSON.stringify({
        email: 'first@example.com',
        name: 'First',
        password: 'a good long password',
      }),
    });
    expect(signup.status).toBe(201);
    const me = await call(server, '/api/me', { headers: { cookie: signup.cookie! } });
    expect(me.body.email).toBe('first@example.com');
    if (serverUrl) {
      const sql = postgres(env.DATABASE_URL!, { max: 1 });
      const rows =
        await sql`select tablename from pg_tables where schemaname = 'public' order by 1`;
      await sql.end();
      expect(rows.map((r) => r.tablename)).toEqual(TABLES);
    }
  } finally {
    expect(await server.stop()).toBe(0);
  }
  server = await startChildServer(env);
  try {
    const login = await call(server, '/api/auth/login', {
      method: 'POST',
      body: JSON.stringify({ email: 'first@example.com', password: 'a good long password' }),
    });
    expect(login.status).toBe(200);
    expect((await call(server, '/api/me', { headers: { cookie: login.cookie! } })).status).toBe(
      200,
    );
  } finally {
    await server.stop();
  }
}, 120_000);

it('serves metrics on METRICS_PORT, and on the public port only with METRICS_TOKEN', async () => {
  const token = 'startup-metrics-token-0123456789';
  const server = await startChildServer({ ...env, METRICS_PORT: '0', METRICS_TOKEN: token });
  try {
    // Its own listener may report after the main one.
    const port = await vi.waitFor(() => {
      const found = server.logs.map((l) => /"metricsPort":(\d+)/.exec(l)?.[1]).find(Boolean);
      expect(found, server.logs.join('\n')).toBeDefined();
      return found;
    });
    const own = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(own.status).toBe(200);
    expect(await own.text()).toContain('threatroom_collab_connections 0');
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    const withToken = await fetch(`${server.url}/metrics`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(withToken.status).toBe(200);
    expect(await withToken.text()).toContain('threatroom_http_request_duration_seconds');
  } finally {
    expect(await server.stop()).toBe(0);
  }
});
