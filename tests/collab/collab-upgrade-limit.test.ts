/**
 * Issue 11: WebSocket upgrades are limited per client address (the one REST throttles by,
 * TRUST_PROXY included), answered 429 with Retry-After before authentication is even tried.
 */
import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { TestUser } from '../setup/factories';
import { startTestServer, type TestServer } from '../setup/server';
import { createDiagram } from './collab-helpers';

let srv: TestServer;
let owner: TestUser;
let diagram: string;
beforeAll(async () => {
  srv = await startTestServer({ config: { TRUST_PROXY: '1', COLLAB_UPGRADE_MAX_PER_IP: 3 } });
  owner = await srv.newUser();
  const tm = await srv.newThreatModel(owner);
  diagram = await createDiagram(srv.as(owner), tm.id, []);
});
afterAll(() => srv.close());

/** Opens one upgrade as `from`; resolves with 101 (then closes it) or the refusal. */
function upgrade(from: string, cookie?: string) {
  return new Promise<{ status: number; retryAfter?: string; body?: string }>((resolve) => {
    const ws = new WebSocket(`${srv.collabUrl}/${diagram}`, {
      headers: { 'x-forwarded-for': `6.6.6.6, ${from}`, ...(cookie ? { cookie } : {}) },
    });
    ws.on('open', () => {
      ws.close();
      resolve({ status: 101 });
    });
    ws.on('unexpected-response', (_req, res: IncomingMessage) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode!, retryAfter: res.headers['retry-after'], body }),
      );
    });
    ws.on('error', () => {});
  });
}

it('the fourth upgrade from one address in a window → 429 with Retry-After; others unaffected', async () => {
  const results = [];
  for (let i = 0; i < 3; i++) results.push(await upgrade('203.0.113.5', owner.cookie));
  expect(results.map((r) => r.status)).toEqual([101, 101, 101]);
  // Counted before authentication: an anonymous flood is refused just the same.
  const refused = await upgrade('203.0.113.5');
  expect(refused.status).toBe(429);
  expect(Number(refused.retryAfter)).toBeGreaterThan(0);
  expect(JSON.parse(refused.body!)).toMatchObject({ status: 429, code: 'rate_limited' });
  expect((await upgrade('203.0.113.5', owner.cookie)).status).toBe(429);
  // The spoofed first hop is not the address; another real address is another client.
  expect((await upgrade('203.0.113.6', owner.cookie)).status).toBe(101);
  expect((await upgrade('203.0.113.6')).status).toBe(401);
});
