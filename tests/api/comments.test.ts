import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../db';
import type { Role } from '../../model/roles';
import { replaceCells, type Cell } from '../../model';
import { createTestContext, type TestContext } from '../setup/context';
import type { TestUser } from '../setup/factories';

let ctx: TestContext;
let owner: TestUser, writer: TestUser, reviewer: TestUser, reader: TestUser, stranger: TestUser;
let tm: string;
let diagram: string;
const CELL = '00000000-0000-4000-8000-0000000000c1';
const OTHER_CELL = '00000000-0000-4000-8000-0000000000c2';

/** A model with one grant per role and a diagram holding two cells. */
async function seedModel(grants: [TestUser, Role][]) {
  const db = ctx.db.db;
  const [model] = await db
    .insert(schema.threatModels)
    .values({ name: 'Payments', ownerId: grants[0]![0].id })
    .returning();
  await db.insert(schema.threatModelAccess).values(
    grants.map(([user, role]) => ({
      threatModelId: model!.id,
      principalType: 'user' as const,
      userId: user.id,
      role,
    })),
  );
  const [d] = await db
    .insert(schema.diagrams)
    .values({ threatModelId: model!.id, name: 'Context' })
    .returning();
  const cells: Cell[] = [
    { id: CELL, shape: 'process', x: 0, y: 0, width: 100, height: 50, label: 'API', parent: null },
    {
      id: OTHER_CELL,
      shape: 'store',
      x: 200,
      y: 0,
      width: 100,
      height: 50,
      label: 'DB',
      parent: null,
    },
  ];
  await ctx.deps.live.transact(d!.id, (doc) => replaceCells(doc, cells, null), null);
  return { tm: model!.id, diagram: d!.id };
}

beforeAll(async () => {
  ctx = await createTestContext();
  [owner, writer, reviewer, reader, stranger] = await Promise.all([
    ctx.newUser({ name: 'Olive Owner' }),
    ctx.newUser({ name: 'Wanda Writer' }),
    ctx.newUser({ name: 'Rita Reviewer' }),
    ctx.newUser({ name: 'Reed Reader' }),
    ctx.newUser({ name: 'Sam Stranger' }),
  ]);
  ({ tm, diagram } = await seedModel([
    [owner, 'owner'],
    [writer, 'writer'],
    [reviewer, 'reviewer'],
    [reader, 'reader'],
  ]));
});
afterAll(() => ctx.close());

const url = (path = '') => `/api/threat_models/${tm}/comments${path}`;
const post = (who: TestUser, body: object) => ctx.as(who).post(url(), body);
const patchBody = (who: TestUser, id: string, body: string, headers: Record<string, string> = {}) =>
  ctx.as(who).patch(url(`/${id}`), { body }, { 'content-type': 'application/json', ...headers });

describe('who may comment', () => {
  it('reviewer, writer and owner may comment; reader gets 403; stranger and anonymous 404/401', async () => {
    for (const who of [reviewer, writer, owner]) {
      const res = await post(who, { body: `hello from ${who.name}` });
      expect(res.status).toBe(201);
      expect(res.body.author.id).toBe(who.id);
    }
    const denied = await post(reader, { body: 'can I?' });
    expect(denied.status).toBe(403);
    expect(denied.contentType).toContain('application/problem+json');
    expect((await post(stranger, { body: 'x' })).status).toBe(404);
    expect((await ctx.anonymous().post(url(), { body: 'x' })).status).toBe(401);
    // Everyone who can read the model can read its comments.
    const list = await ctx.as(reader).get(url());
    expect(list.status).toBe(200);
    expect(list.body.total).toBeGreaterThanOrEqual(3);
  });

  it('rejects bad input with problem+json', async () => {
    expect((await post(reviewer, { body: '' })).status).toBe(400);
    expect((await post(reviewer, { body: 'x', cell_id: CELL })).status).toBe(400);
    expect(
      (
        await post(reviewer, {
          body: 'x',
          diagram_id: diagram,
          cell_id: '00000000-0000-4000-8000-00000000dead',
        })
      ).status,
    ).toBe(400);
    expect((await post(reviewer, { body: 'x', threat_id: crypto.randomUUID() })).status).toBe(400);
    expect((await post(reviewer, { body: 'x'.repeat(10_001) })).status).toBe(400);
  });
});

describe('threads and anchors', () => {
  it('anchors to a cell, replies take the thread anchor, replies are one level deep', async () => {
    const thread = await post(reviewer, {
      body: 'Is this TLS?',
      diagram_id: diagram,
      cell_id: CELL,
    });
    expect(thread.status).toBe(201);
    expect(thread.body).toMatchObject({
      diagram_id: diagram,
      cell_id: CELL,
      parent_id: null,
      detached: false,
    });
    const reply = await post(writer, { body: 'Yes, 1.3', parent_id: thread.body.id });
    expect(reply.body).toMatchObject({
      diagram_id: diagram,
      cell_id: CELL,
      parent_id: thread.body.id,
    });
    expect((await post(writer, { body: 'nested', parent_id: reply.body.id })).status).toBe(400);
    const byCell = await ctx.as(reader).get(`${url()}?cell_id=${CELL}`);
    expect(byCell.body.items.map((c: any) => c.id)).toEqual([thread.body.id, reply.body.id]);
  });

  it('keeps comments of a deleted cell and marks them detached', async () => {
    const c = await post(reviewer, {
      body: 'about the DB',
      diagram_id: diagram,
      cell_id: OTHER_CELL,
    });
    await ctx.deps.live.transact(
      diagram,
      (doc) => doc.getMap('cells').delete(OTHER_CELL),
      writer.id,
    );
    const after = await ctx.as(reader).get(url(`/${c.body.id}`));
    expect(after.status).toBe(200);
    expect(after.body.detached).toBe(true);
  });
});

describe('edit, resolve, delete rules', () => {
  it('only the author edits; If-Match is honoured', async () => {
    const c = await post(reviewer, { body: 'first' });
    expect((await patchBody(writer, c.body.id, 'hijack')).status).toBe(403);
    expect((await patchBody(owner, c.body.id, 'hijack')).status).toBe(403);
    expect((await patchBody(reviewer, c.body.id, 'stale', { 'if-match': '"99"' })).status).toBe(
      412,
    );
    const ok = await patchBody(reviewer, c.body.id, 'second', {
      'if-match': `"${c.body.version}"`,
    });
    expect(ok.status).toBe(200);
    expect(ok.body.body).toBe('second');
  });

  it('author or writer+ resolve and reopen; another reviewer and a reader cannot', async () => {
    const otherReviewer = await ctx.newUser();
    await ctx.db.db.insert(schema.threatModelAccess).values({
      threatModelId: tm,
      principalType: 'user',
      userId: otherReviewer.id,
      role: 'reviewer',
    });
    const c = await post(reviewer, { body: 'please fix' });
    expect((await ctx.as(otherReviewer).post(url(`/${c.body.id}/resolve`))).status).toBe(403);
    expect((await ctx.as(reader).post(url(`/${c.body.id}/resolve`))).status).toBe(403);
    const resolved = await ctx.as(writer).post(url(`/${c.body.id}/resolve`));
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({
      resolved_by: writer.id,
      resolved_at: expect.any(String),
    });
    const unresolved = await ctx.as(reader).get(`${url()}?resolved=false`);
    expect(unresolved.body.items.map((x: any) => x.id)).not.toContain(c.body.id);
    const reopened = await ctx.as(reviewer).post(url(`/${c.body.id}/reopen`));
    expect(reopened.body.resolved_at).toBeNull();
  });

  it("author or owner delete; a writer cannot delete someone else's comment", async () => {
    const c = await post(reviewer, { body: 'to delete' });
    const reply = await post(writer, { body: 'reply', parent_id: c.body.id });
    expect((await ctx.as(writer).delete(url(`/${c.body.id}`))).status).toBe(403);
    expect((await ctx.as(owner).delete(url(`/${c.body.id}`))).status).toBe(204);
    expect((await ctx.as(reader).get(url(`/${reply.body.id}`))).status).toBe(404);
    const mine = await post(writer, { body: 'mine' });
    expect((await ctx.as(writer).delete(url(`/${mine.body.id}`))).status).toBe(204);
  });

  it('audits every comment change', async () => {
    const c = await post(reviewer, { body: 'audited' });
    await ctx.as(writer).post(url(`/${c.body.id}/resolve`));
    const rows = await ctx.db.db
      .select()
      .from(schema.auditLog)
      .where(eq(schema.auditLog.entityId, c.body.id));
    expect(rows.map((r) => r.action).sort()).toEqual(['comment.create', 'comment.resolve']);
  });
});

describe('mentions and notifications', () => {
  it('a mention notifies the mentioned user only when they can see the model', async () => {
    const res = await post(reviewer, {
      body: `@${writer.email} and @${stranger.email.split('@')[0]}, look`,
    });
    expect(res.status).toBe(201);
    const mine = await ctx.as(writer).get('/api/me/notifications');
    expect(mine.body.items[0]).toMatchObject({
      type: 'mention',
      threat_model_id: tm,
      read_at: null,
    });
    expect(mine.body.items[0].data.comment_id).toBe(res.body.id);
    const theirs = await ctx.as(stranger).get('/api/me/notifications');
    expect(theirs.body.total).toBe(0);
  });

  it('any grant makes a mention count (reader, team member); a revoked user and the author get nothing', async () => {
    const [member, revoked] = await Promise.all([
      ctx.newUser({ name: 'Tess Teammate' }),
      ctx.newUser({ name: 'Rory Revoked' }),
    ]);
    const team = await ctx.newTeam(owner);
    await ctx.addTeamMember(team, member);
    await ctx.grant({ id: tm }, { team }, 'reader');
    await ctx.grant({ id: tm }, revoked, 'reviewer');
    const removed = await ctx
      .as(owner)
      .delete(`/api/threat_models/${tm}/access/user/${revoked.id}`);
    expect(removed.status).toBe(204);

    const res = await post(reviewer, {
      body: '@ReedReader @TessTeammate @RoryRevoked @RitaReviewer: please check the retention',
    });
    expect(res.status).toBe(201);
    const mentionsOf = async (who: TestUser) =>
      (await ctx.as(who).get('/api/me/notifications')).body.items.filter(
        (n: any) => n.type === 'mention' && n.data.comment_id === res.body.id,
      );
    expect(await mentionsOf(reader)).toHaveLength(1);
    expect(await mentionsOf(member)).toHaveLength(1);
    expect(await mentionsOf(revoked)).toHaveLength(0);
    expect(await mentionsOf(reviewer)).toHaveLength(0);
  });

  it('an everyone grant makes any signed-in user mentionable', async () => {
    const model = await ctx.newThreatModel(owner);
    await ctx.grant(model, 'everyone', 'reviewer');
    const outsider = await ctx.newUser({ name: 'Ossie Outsider' });
    const res = await ctx
      .as(owner)
      .post(`/api/threat_models/${model.id}/comments`, { body: 'thoughts, @OssieOutsider?' });
    expect(res.status).toBe(201);
    const notes = await ctx.as(outsider).get('/api/me/notifications');
    expect(notes.body.items.map((n: any) => [n.type, n.data.comment_id])).toEqual([
      ['mention', res.body.id],
    ]);
  });

  it('mentions by name without spaces; a reply notifies the thread author; read and read_all', async () => {
    const thread = await post(reviewer, { body: 'ping @OliveOwner' });
    const ownerNotes = await ctx.as(owner).get('/api/me/notifications');
    expect(
      ownerNotes.body.items.some(
        (n: any) => n.type === 'mention' && n.data.comment_id === thread.body.id,
      ),
    ).toBe(true);
    await post(writer, { body: 'answer', parent_id: thread.body.id });
    const notes = await ctx.as(reviewer).get('/api/me/notifications?unread=true');
    const reply = notes.body.items.find((n: any) => n.type === 'reply');
    expect(reply.data.thread_id).toBe(thread.body.id);
    const read = await ctx.as(reviewer).post(`/api/me/notifications/${reply.id}/read`);
    expect(read.body.read_at).not.toBeNull();
    expect((await ctx.as(writer).post(`/api/me/notifications/${reply.id}/read`)).status).toBe(404);
    await ctx.as(reviewer).post('/api/me/notifications/read_all');
    expect((await ctx.as(reviewer).get('/api/me/notifications')).body.unread).toBe(0);
  });
});
