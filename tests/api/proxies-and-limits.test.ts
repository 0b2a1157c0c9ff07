/**
 * Issue 11, acceptance 4 and 5: behind TRUST_PROXY=1 the client address is the hop our proxy
 * appended, for throttling and for the audit log; sign-in failures from other addresses never
 * lock an account's owner out; sign-up, token and ticket creation are limited; two nodes
 * sharing Redis enforce one limit, not two.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext } from '../setup/context';
import { expectProblem } from '../setup/problems';
import { startTestServer, type TestServer } from '../setup/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({
    config: {
      TRUST_PROXY: '1',
      LOGIN_MAX_FAILURES_PER_IP: 8,
      LOGIN_MAX_FAILURES_PER_ACCOUNT_IP: 5,
      SIGNUP_MAX_PER_IP: 3,
      TICKET_CREATE_MAX_PER_USER: 2,
    },
  });
});
afterAll(() => server.close());

/** A request over the network, as if our proxy (the socket peer) forwarded it for `xff`. */
async function call(path: string, init: { body?: unknown; xff?: string; cookie?: string } = {}) {
  const res = await fetch(`${server.url}${path}`, {
    method: init.body === undefined ? 'GET' : 'POST',
    headers: {
      'content-type': 'application/json',
      ...(init.xff ? { 'x-forwarded-for': init.xff } : {}),
      ...(init.cookie ? { cookie: init.cookie, origin: server.url } : {}),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    contentType: res.headers.get('content-type'),
    body: text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text,
  };
}

const login = (email: string, password: string, xff: string) =>
  call('/api/auth/login', { body: { email, password }, xff });

describe('TRUST_PROXY=1', () => {
  it('X-Forwarded-For: <spoofed>, <real> is throttled as <real>: rotating the spoofed part does not help', async () => {
    const real = '203.0.113.10';
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      // A different made-up account and a different spoofed first hop every time.
      const res = await login(`nobody${i}@example.com`, 'wrong password!', `6.6.6.${i}, ${real}`);
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 8)).toEqual(Array(8).fill(401));
    expect(statuses.slice(8)).toEqual([429, 429]);
    const refused = await login('nobody@example.com', 'x', `9.9.9.9, ${real}`);
    expectProblem(refused, 429, 'rate_limited');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // The spoofed address itself, arriving as the real hop, is another client.
    expect((await login('nobody@example.com', 'wrong password!', '6.6.6.1')).status).toBe(401);
  });

  it('X-Forwarded-For: <spoofed>, <real> is audited as <real>', async () => {
    const user = await server.newUser();
    const created = await call('/api/threat_models', {
      body: { name: 'Audited through a proxy' },
      xff: '6.6.6.6, 198.51.100.23',
      cookie: user.cookie,
    });
    expect(created.status).toBe(201);
    const rows = await server.db.db.execute(
      sql`select ip from audit_log where threat_model_id = ${created.body.id}`,
    );
    const ips = ((rows as any).rows ?? rows).map((r: { ip: string }) => r.ip);
    expect(ips.length).toBeGreaterThan(0);
    expect(new Set(ips)).toEqual(new Set(['198.51.100.23']));
  });
});

describe('sign-in throttling cannot lock the owner out', () => {
  it('twenty failures for the victim from other addresses; the victim from their own → 200', async () => {
    const victim = await server.newUser({ password: 'the victim password' });
    const statuses: number[] = [];
    // One persistent attacker address and a spread of others.
    for (let i = 0; i < 20; i++) {
      const from = i % 2 ? '192.0.2.66' : `192.0.2.${100 + i}`;
      statuses.push((await login(victim.email, `guess ${i} wrong`, from)).status);
    }
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
    // The persistent address is locked out of this account (5 per account and address)…
    expect(statuses.filter((s, i) => i % 2 === 1 && s === 429).length).toBe(5);
    expect((await login(victim.email, 'the victim password', '192.0.2.66')).status).toBe(429);
    // …the owner, from their own address, is not.
    const own = await login(victim.email, 'the victim password', '198.51.100.200');
    expect(own.status).toBe(200);
    expect(own.body.id).toBe(victim.id);
  });

  it('the same account and address is throttled, and a correct sign-in clears its failures', async () => {
    const user = await server.newUser({ password: 'my own password!' });
    const from = '198.51.100.77';
    for (let i = 0; i < 3; i++)
      expect((await login(user.email, 'typo typo typo', from)).status).toBe(401);
    expect((await login(user.email, 'my own password!', from)).status).toBe(200);
    for (let i = 0; i < 5; i++)
      expect((await login(user.email, 'typo typo typo', from)).status).toBe(401);
    expectProblem(await login(user.email, 'my own password!', from), 429);
  });
});

describe('creation limits', () => {
  it('sign-up per address: 429 problem+json with Retry-After', async () => {
    const from = '203.0.113.50';
    const signUp = (i: number) =>
      call('/api/auth/signup', {
        body: {
          email: `limited${i}-${randomUUID()}@example.com`,
          name: 'L',
          password: 'long enough!',
        },
        xff: from,
      });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await signUp(i)).status);
    expect(statuses).toEqual([201, 201, 201, 429]);
    const refused = await signUp(9);
    expectProblem(refused, 429, 'rate_limited');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(3000);
    // Another address is not affected.
    const other = await call('/api/auth/signup', {
      body: { email: `other-${randomUUID()}@example.com`, name: 'O', password: 'long enough!' },
      xff: '203.0.113.51',
    });
    expect(other.status).toBe(201);
  });

  it('collaboration tickets per user: 429', async () => {
    const user = await server.newUser();
    const tm = await server.newThreatModel(user);
    const diagram = await server
      .as(user)
      .post(`/api/threat_models/${tm.id}/diagrams`, { name: 'D', type: 'DFD-1.0.0' });
    const ticket = () =>
      call('/api/collab/tickets', { body: { diagram_id: diagram.body.id }, cookie: user.cookie });
    expect((await ticket()).status).toBe(201);
    expect((await ticket()).status).toBe(201);
    const refused = await ticket();
    expectProblem(refused, 429, 'rate_limited');
    expect(refused.headers.get('retry-after')).toBeTruthy();
  });
});

describe('limits shared through Redis', () => {
  const redisUrl = process.env.REDIS_URL;
  it.skipIf(!redisUrl)(
    'two nodes on one REDIS_URL enforce one sign-up limit, not two (needs REDIS_URL)',
    async () => {
      const config = {
        REDIS_URL: redisUrl,
        SIGNUP_MAX_PER_IP: 4,
        // This run's own counters: parallel files and earlier runs never meet.
        RATE_LIMIT_KEY_PREFIX: `threatroom-test:${process.pid}:${randomUUID()}`,
      };
      const [a, b] = await Promise.all([
        createTestContext({ config }),
        createTestContext({ config }),
      ]);
      try {
        await Promise.all([a.deps.limits.ready(), b.deps.limits.ready()]);
        const statuses: number[] = [];
        for (let i = 0; i < 8; i++) {
          const node = i % 2 ? b : a;
          const res = await node.anonymous().post('/api/auth/signup', {
            email: `shared${i}-${randomUUID()}@example.com`,
            name: 'Shared',
            password: 'long enough!',
          });
          statuses.push(res.status);
        }
        // In-process requests all come from the same (unknown) address.
        expect(statuses.filter((s) => s === 201)).toHaveLength(4);
        expect(statuses.slice(4)).toEqual([429, 429, 429, 429]);
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    },
  );
});
