import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CloseCode } from '../../collab';
import { createSession, generateSessionToken, SESSION_COOKIE } from '../../server/auth/sessions';
import type { TestUser } from '../setup/factories';
import { startTestServer, type TestServer } from '../setup/server';
import { connectClient, createDiagram, ticketFor, type TestClient } from './collab-helpers';

/**
 * Live connections outlive neither their credential: the periodic access re-check also asks
 * whether the session (or API token) the upgrade used still exists, and closes with 4401.
 */
let srv: TestServer;
let owner: TestUser;
let tm: { id: string };
const clients: TestClient[] = [];

beforeAll(async () => {
  srv = await startTestServer({ config: { COLLAB_ACCESS_RECHECK_MS: 100 } });
  owner = await srv.newUser({ name: 'Olivia Owner' });
  tm = await srv.newThreatModel(owner);
});
afterAll(async () => {
  for (const c of clients) c.destroy();
  await srv.close();
});

async function joinWithCookie(cookie: string, diagramId: string) {
  const client = await connectClient(srv.collabUrl, diagramId, { cookie, origin: srv.url });
  clients.push(client);
  return client;
}

describe('credential re-check on live connections', () => {
  it('logging out closes that session’s sockets with 4401; other sessions stay', async () => {
    const d = await createDiagram(srv.as(owner), tm.id);
    const otherToken = generateSessionToken();
    await createSession(srv.db.db, otherToken, owner.id);
    const otherCookie = `${SESSION_COOKIE}=${otherToken}`;

    const loggedOut = await joinWithCookie(owner.cookie, d);
    const stays = await joinWithCookie(otherCookie, d);

    const res = await srv.as({ cookie: owner.cookie }).post('/api/auth/logout');
    expect(res.status).toBe(204);
    await expect(loggedOut.closed()).resolves.toBe(CloseCode.Unauthenticated);
    // 44xx is permanent for y-websocket: it does not come back.
    expect(loggedOut.provider.shouldConnect).toBe(false);
    // Same user, same re-check pass, another session: untouched.
    expect(stays.provider.wsconnected).toBe(true);
    // Until that session logs out as well.
    expect((await srv.as({ cookie: otherCookie }).post('/api/auth/logout')).status).toBe(204);
    await expect(stays.closed()).resolves.toBe(CloseCode.Unauthenticated);
  });

  it('a connection opened with a ticket closes with 4401 when the session that issued it logs out', async () => {
    const user = await srv.newUser({ name: 'Tia Ticket' });
    const model = await srv.newThreatModel(user);
    const d = await createDiagram(srv.as(user), model.id);
    const ticket = await ticketFor(srv.as(user), d);
    const viaTicket = await connectClient(srv.collabUrl, d, { ticket });
    clients.push(viaTicket);
    expect(viaTicket.provider.wsconnected).toBe(true);
    expect((await srv.as(user).post('/api/auth/logout')).status).toBe(204);
    await expect(viaTicket.closed()).resolves.toBe(CloseCode.Unauthenticated);
  });

  it('revoking an API token closes its socket with 4401', async () => {
    // A user of its own: the test above logged the owner out.
    const user = await srv.newUser({ name: 'Tom Token' });
    const model = await srv.newThreatModel(user);
    const d = await createDiagram(srv.as(user), model.id);
    const created = await srv.as(user).post('/api/me/tokens', { name: 'live', scope: 'write' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const ws = new WebSocket(`${srv.collabUrl}/${d}`, {
      headers: { authorization: `Bearer ${created.body.token}` },
    });
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      ws.on('open', () => resolve());
      ws.on('error', reject);
    });

    const del = await srv.as(user).delete(`/api/me/tokens/${created.body.id}`);
    expect(del.status).toBe(204);
    await expect(closed).resolves.toBe(CloseCode.Unauthenticated);
  });
});
