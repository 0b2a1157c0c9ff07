import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CloseCode } from '../../collab';
import { schema } from '../../db';
import * as collabRepo from '../../db/repositories/collaboration.repository';
import { colorForUser } from '../../model/user-color';
import { hashSecret } from '../../server/auth/tokens';
import { createCollab } from '../../server/collab-host';
import type { TestUser } from '../setup/factories';
import { TEST_ORIGIN } from '../setup/http';
import { startTestServer, type TestServer } from '../setup/server';
import {
  connectClient,
  createDiagram,
  processCell,
  ticketFor,
  upgradeStatus,
  type TestClient,
} from './collab-helpers';

let srv: TestServer;
let owner: TestUser;
let writer: TestUser;
let reader: TestUser;
let reviewer: TestUser;
let stranger: TestUser;
let tm: { id: string };
const clients: TestClient[] = [];

beforeAll(async () => {
  srv = await startTestServer({ config: { COLLAB_ACCESS_RECHECK_MS: 200 } });
  [owner, writer, reader, reviewer, stranger] = await Promise.all([
    srv.newUser({ name: 'Olivia Owner' }),
    srv.newUser({ name: 'Walter Writer' }),
    srv.newUser({ name: 'Rita Reader' }),
    srv.newUser({ name: 'Rob Reviewer' }),
    srv.newUser({ name: 'Stan Stranger' }),
  ]);
  tm = await srv.newThreatModel(owner);
  await srv.grant(tm, writer, 'writer');
  await srv.grant(tm, reader, 'reader');
  await srv.grant(tm, reviewer, 'reviewer');
});
afterAll(async () => {
  for (const c of clients) c.destroy();
  await srv.close();
});

async function join(user: TestUser, diagramId: string, extra: object = {}) {
  const ticket = await ticketFor(srv.as(user), diagramId);
  const client = await connectClient(srv.collabUrl, diagramId, { ticket, ...extra });
  clients.push(client);
  return client;
}

const wsUrl = (diagramId: string, query = '') => `${srv.collabUrl}/${diagramId}${query}`;

describe('upgrade authentication', () => {
  it('refuses with plain HTTP before upgrading: 401, 404, 403 for a foreign Origin', async () => {
    const d = await createDiagram(srv.as(owner), tm.id);
    expect(await upgradeStatus(wsUrl(d))).toBe(401);
    expect(await upgradeStatus(wsUrl(d, '?ticket=nonsense'))).toBe(401);
    expect(await upgradeStatus(wsUrl(d), { cookie: 'threatroom_session=forged' })).toBe(401);
    // Invisible and unknown diagrams look alike.
    expect(await upgradeStatus(wsUrl(d), { cookie: stranger.cookie })).toBe(404);
    expect(
      await upgradeStatus(wsUrl('00000000-0000-4000-8000-000000000000'), { cookie: owner.cookie }),
    ).toBe(404);
    expect(await upgradeStatus(`${srv.url.replace('http', 'ws')}/collab/not-a-uuid`)).toBe(404);
    // Cookie auth is a browser's: a page on another site must not ride on it.
    expect(
      await upgradeStatus(wsUrl(d), { cookie: owner.cookie, origin: 'https://evil.example' }),
    ).toBe(403);
    expect(await upgradeStatus(wsUrl(d), { cookie: owner.cookie, origin: srv.url })).toBe(101);
    expect(await upgradeStatus(wsUrl(d), { cookie: owner.cookie })).toBe(101);
  });

  it('tickets are single use, bound to their diagram, expire, and are stored hashed', async () => {
    const d1 = await createDiagram(srv.as(owner), tm.id);
    const d2 = await createDiagram(srv.as(owner), tm.id);
    const res = await srv.as(owner).post('/api/collab/tickets', { diagram_id: d1 });
    expect(res.status).toBe(201);
    expect(res.body.websocket_url).toMatch(new RegExp(`^ws://.+/collab/${d1}$`));
    expect(Date.parse(res.body.expires_at) - Date.now()).toBeLessThanOrEqual(30_000);
    const [stored] = await srv.db.db
      .select()
      .from(schema.collabTickets)
      .where(eq(schema.collabTickets.userId, owner.id));
    expect(stored!.id).toBe(hashSecret(res.body.ticket));
    expect(await upgradeStatus(wsUrl(d2, `?ticket=${res.body.ticket}`))).toBe(401);
    const again = await ticketFor(srv.as(owner), d1);
    expect(await upgradeStatus(wsUrl(d1, `?ticket=${again}`))).toBe(101);
    expect(await upgradeStatus(wsUrl(d1, `?ticket=${again}`))).toBe(401);
    await collabRepo.insertCollabTicket(srv.db.db, {
      id: hashSecret('expired-ticket'),
      userId: owner.id,
      diagramId: d1,
      expiresAt: new Date(Date.now() - 1000),
      credentialKind: 'session',
      credentialId: 'unused',
    });
    expect(await upgradeStatus(wsUrl(d1, '?ticket=expired-ticket'))).toBe(401);
    // Strangers get no ticket for a diagram they cannot see.
    const denied = await srv.as(stranger).post('/api/collab/tickets', { diagram_id: d1 });
    expect(denied.status).toBe(404);
  });
});

describe('editing together', () => {
  it('two writers converge; a concurrent move and rename of one cell both survive', async () => {
    const cell = processCell('Orders API');
    const d = await createDiagram(srv.as(owner), tm.id, [cell]);
    const a = await join(owner, d);
    const b = await join(writer, d);
    expect(a.cell(cell.id)).toMatchObject({ label: 'Orders API', x: 10 });
    expect(b.cell(cell.id)).toMatchObject({ label: 'Orders API', x: 10 });

    // Both edits are made before either client hears of the other's: truly concurrent.
    a.doc.transact(() => {
      a.setField(cell.id, 'x', 500);
      a.setField(cell.id, 'y', 300);
    });
    b.setField(cell.id, 'label', 'Orders API v2');
    const added = processCell('Payments');
    b.upsert(added);

    for (const c of [a, b]) {
      await vi.waitFor(() => {
        expect(c.cell(cell.id)).toMatchObject({ x: 500, y: 300, label: 'Orders API v2' });
        expect(c.cell(added.id)).toMatchObject({ label: 'Payments' });
      });
    }
    expect(a.cells()).toEqual(b.cells());
    // The server holds the same, and REST reads it from the live room.
    const rest = await srv.as(owner).get(`/api/threat_models/${tm.id}/diagrams/${d}`);
    expect(rest.body.cells).toEqual(a.cells());
  });
});

describe('read-only roles', () => {
  it("refuses readers' and reviewers' edits (never relayed or stored) but relays their cursors", async () => {
    const cell = processCell('Database', { shape: 'store' });
    const d = await createDiagram(srv.as(owner), tm.id, [cell]);
    const w = await join(writer, d);
    const r = await join(reader, d, {
      awarenessState: { user: { id: 'forged', name: 'Mallory' }, cursor: { x: 1, y: 2 } },
    });
    const v = await join(reviewer, d, { awarenessState: { cursor: { x: 7, y: 8 } } });

    const rogue = processCell('Injected by reader');
    r.upsert(rogue);
    r.setField(cell.id, 'label', 'renamed by reader');
    v.upsert(processCell('Injected by reviewer'));
    v.setField(cell.id, 'x', 999);
    // A later awareness change from each travels the same connection after their edits: once
    // the writer sees it, the server has handled (and refused) the edits.
    r.provider.awareness.setLocalStateField('cursor', { x: 3, y: 4 });
    v.provider.awareness.setLocalStateField('cursor', { x: 9, y: 9 });

    const states = () => [...w.provider.awareness.getStates().values()];
    await vi.waitFor(() => {
      expect(states()).toContainEqual({
        user: { id: reader.id, name: 'Rita Reader', color: colorForUser(reader.id) },
        cursor: { x: 3, y: 4 },
      });
      expect(states()).toContainEqual({
        user: { id: reviewer.id, name: 'Rob Reviewer', color: colorForUser(reviewer.id) },
        cursor: { x: 9, y: 9 },
      });
    });
    // The writer's own edit still flows to everyone, including the read-only peers.
    w.setField(cell.id, 'y', 77);
    await vi.waitFor(() => expect(r.cell(cell.id)).toMatchObject({ y: 77 }));
    await vi.waitFor(() => expect(v.cell(cell.id)).toMatchObject({ y: 77 }));

    expect(w.cells().map((c) => c.id)).toEqual([cell.id]);
    expect(w.cell(cell.id)).toMatchObject({ label: 'Database', x: 10, y: 77 });
    const room = srv.collab.registry.get(d)!;
    expect(room.refusedUpdates).toBeGreaterThan(0);

    // Nothing of theirs reached the log…
    await srv.collab.updateLog.whenDrained(d);
    const theirRows = await srv.db.db
      .select()
      .from(schema.diagramUpdates)
      .where(
        and(eq(schema.diagramUpdates.diagramId, d), eq(schema.diagramUpdates.userId, reader.id)),
      );
    expect(theirRows).toEqual([]);
    // …nor a restarted server (a second collab server over the same database loads it).
    const restarted = createCollab({
      config: srv.config,
      db: srv.db,
      logger: srv.deps.logger,
      nodeId: 'restarted',
    });
    const cells = await restarted.live.readCells(d);
    await restarted.close();
    expect(cells).toEqual([expect.objectContaining({ id: cell.id, label: 'Database', y: 77 })]);
  });
});

describe('participants and sessions', () => {
  it('opens a session with the first participant and ends it with the last', async () => {
    const d = await createDiagram(srv.as(owner), tm.id);
    const collaborate = `/api/threat_models/${tm.id}/diagrams/${d}/collaborate`;
    expect((await srv.as(owner).get(collaborate)).status).toBe(404);

    const a = await join(owner, d);
    const b = await join(reader, d);
    await vi.waitFor(async () => {
      const res = await srv.as(reader).get(collaborate);
      expect(res.status).toBe(200);
      expect(res.body.participants).toEqual([
        expect.objectContaining({ user: expect.objectContaining({ id: owner.id }), role: 'owner' }),
        expect.objectContaining({
          user: expect.objectContaining({ id: reader.id }),
          role: 'reader',
        }),
      ]);
      // In-process requests go to http://localhost: the URL follows the request's origin.
      expect(res.body.websocket_url).toBe(`ws://localhost/collab/${d}`);
    });
    const mine = await srv.as(owner).get('/api/me/sessions');
    expect(mine.body.items.map((s: any) => s.diagram_id)).toContain(d);

    a.upsert(processCell('edited in session'));
    a.destroy();
    b.destroy();
    await vi.waitFor(async () => {
      expect((await srv.as(owner).get(collaborate)).status).toBe(404);
      expect(srv.collab.registry.get(d)).toBeUndefined();
    });
    const rows = await srv.db.db
      .select()
      .from(schema.sessionParticipants)
      .innerJoin(
        schema.collaborationSessions,
        eq(schema.collaborationSessions.id, schema.sessionParticipants.sessionId),
      )
      .where(eq(schema.collaborationSessions.diagramId, d));
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row.session_participants.leftAt).toBeInstanceOf(Date);
      expect(row.collaboration_sessions.endedAt).toBeInstanceOf(Date);
    }
    // The session had edits: an automatic version marks its end, saying what changed and who.
    const versions = await srv.as(owner).get(`/api/threat_models/${tm.id}/diagrams/${d}/versions`);
    expect(versions.body.items).toEqual([
      expect.objectContaining({
        kind: 'auto',
        change_description: '1 cell changed by Olivia Owner (session ended)',
        created_by: owner.id,
        cell_count: 1,
      }),
    ]);
  });

  it('POST joins (201 opened, 200 existing), DELETE leaves, the last leave ends it', async () => {
    const d = await createDiagram(srv.as(owner), tm.id);
    const collaborate = `/api/threat_models/${tm.id}/diagrams/${d}/collaborate`;
    const first = await srv.as(owner).post(collaborate);
    expect(first.status).toBe(201);
    const second = await srv.as(reader).post(collaborate);
    expect(second.status).toBe(200);
    expect(second.body.session_id).toBe(first.body.session_id);
    expect(second.body.participants).toHaveLength(2);
    expect((await srv.as(stranger).post(collaborate)).status).toBe(404);
    expect((await srv.as(owner).delete(collaborate)).status).toBe(204);
    expect((await srv.as(reader).get(collaborate)).body.participants).toHaveLength(1);
    expect((await srv.as(reader).delete(collaborate)).status).toBe(204);
    expect((await srv.as(reader).get(collaborate)).status).toBe(404);
  });
});

describe('access re-check', () => {
  it('closes a revoked user with 4403 and makes a demoted writer read-only', async () => {
    const cell = processCell('Gateway');
    const d = await createDiagram(srv.as(owner), tm.id, [cell]);
    const temp = await srv.newUser({ name: 'Temp' });
    const demoted = await srv.newUser({ name: 'Dee Moted' });
    await srv.grant(tm, temp, 'writer');
    await srv.grant(tm, demoted, 'writer');
    const o = await join(owner, d);
    const t = await join(temp, d);
    const m = await join(demoted, d);

    const access = `/api/threat_models/${tm.id}/access/user`;
    expect((await srv.as(owner).delete(`${access}/${temp.id}`)).status).toBe(204);
    expect((await srv.as(owner).put(`${access}/${demoted.id}`, { role: 'reader' })).status).toBe(
      200,
    );
    expect(await t.closed()).toBe(CloseCode.Forbidden);

    // Wait until the re-check has demoted the connection, then its edits stop counting.
    const room = srv.collab.registry.get(d)!;
    await vi.waitFor(() =>
      expect([...room.connections].find((c) => c.userId === demoted.id)?.readOnly).toBe(true),
    );
    m.setField(cell.id, 'label', 'edited after demotion');
    m.provider.awareness.setLocalStateField('cursor', { x: 1, y: 1 });
    await vi.waitFor(() =>
      expect([...o.provider.awareness.getStates().values()]).toContainEqual(
        expect.objectContaining({ cursor: { x: 1, y: 1 } }),
      ),
    );
    expect(o.cell(cell.id)).toMatchObject({ label: 'Gateway' });
  });
});
