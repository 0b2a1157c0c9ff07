import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../db';
import type { Role } from '../../model/roles';
import { createTestContext, type TestContext } from '../setup/context';
import type { TestUser } from '../setup/factories';

let ctx: TestContext;
let owner: TestUser, writer: TestUser, reviewer: TestUser, reader: TestUser;

async function newModel() {
  const db = ctx.db.db;
  const [model] = await db
    .insert(schema.threatModels)
    .values({ name: 'Checkout', ownerId: owner.id })
    .returning();
  const grants: [TestUser, Role][] = [
    [owner, 'owner'],
    [writer, 'writer'],
    [reviewer, 'reviewer'],
    [reader, 'reader'],
  ];
  await db.insert(schema.threatModelAccess).values(
    grants.map(([u, role]) => ({
      threatModelId: model!.id,
      principalType: 'user' as const,
      userId: u.id,
      role,
    })),
  );
  return model!.id;
}

const status = async (tm: string) =>
  (await ctx.db.db.select().from(schema.threatModels).where(eq(schema.threatModels.id, tm)))[0]!
    .status;

beforeAll(async () => {
  ctx = await createTestContext();
  [owner, writer, reviewer, reader] = await Promise.all([
    ctx.newUser({ name: 'Owner' }),
    ctx.newUser({ name: 'Writer' }),
    ctx.newUser({ name: 'Reviewer' }),
    ctx.newUser({ name: 'Reader' }),
  ]);
});
afterAll(() => ctx.close());

describe('review workflow', () => {
  it('writer requests review naming a reviewer → in_review, reviewer notified; owner approves → requester notified', async () => {
    const tm = await newModel();
    const requested = await ctx
      .as(writer)
      .post(`/api/threat_models/${tm}/reviews`, { reviewer_ids: [reviewer.id], note: 'ready' });
    expect(requested.status).toBe(201);
    expect(requested.body.status).toBe('in_review');
    expect(await status(tm)).toBe('in_review');
    const notes = await ctx.as(reviewer).get('/api/me/notifications');
    expect(notes.body.items[0]).toMatchObject({ type: 'review_requested', threat_model_id: tm });

    // A reviewer was named: the owner's approval waits for a sign-off.
    const early = await ctx
      .as(owner)
      .post(`/api/threat_models/${tm}/reviews/decision`, { decision: 'approved' });
    expect(early.status).toBe(409);
    expect(early.body.code).toBe('signoff_required');
    const signedOff = await ctx
      .as(reviewer)
      .post(`/api/threat_models/${tm}/reviews/decision`, { decision: 'approved', note: 'LGTM' });
    expect(signedOff.status, JSON.stringify(signedOff.body)).toBe(200);
    expect(signedOff.body).toMatchObject({
      status: 'in_review',
      approval: { kind: 'reviewer', versions: {} },
    });
    expect(await status(tm)).toBe('in_review');
    const approved = await ctx
      .as(owner)
      .post(`/api/threat_models/${tm}/reviews/decision`, { decision: 'approved', note: 'ship it' });
    expect(approved.status).toBe(200);
    expect(approved.body.approval).toMatchObject({ kind: 'owner' });
    expect(await status(tm)).toBe('approved');
    const writerNotes = await ctx.as(writer).get('/api/me/notifications');
    expect(writerNotes.body.items[0]).toMatchObject({
      type: 'review_decided',
      data: { decision: 'approved' },
    });

    const list = await ctx.as(reader).get(`/api/threat_models/${tm}/reviews`);
    expect(list.body.items[0]).toMatchObject({
      state: 'approved',
      reviewer: { id: reviewer.id },
      requested_by: { id: writer.id },
      // The reviewer's own sign-off closed their review.
      decided_by: { id: reviewer.id },
      decided_at: expect.any(String),
    });
    const audit = await ctx.db.db
      .select()
      .from(schema.auditLog)
      .where(eq(schema.auditLog.threatModelId, tm));
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining([
        'threat_model.review_requested',
        'threat_model.review_signed_off',
        'threat_model.review_approved',
      ]),
    );
  });

  it('a reviewer requests changes → back to draft', async () => {
    const tm = await newModel();
    await ctx.as(writer).post(`/api/threat_models/${tm}/reviews`, {});
    const res = await ctx.as(reviewer).post(`/api/threat_models/${tm}/reviews/decision`, {
      decision: 'changes_requested',
      note: 'add threats for the DB',
    });
    expect(res.status).toBe(200);
    expect(await status(tm)).toBe('draft');
  });

  it('refuses readers, reviewers without rights, wrong states and unknown reviewers', async () => {
    const tm = await newModel();
    expect((await ctx.as(reader).post(`/api/threat_models/${tm}/reviews`, {})).status).toBe(403);
    expect((await ctx.as(reviewer).post(`/api/threat_models/${tm}/reviews`, {})).status).toBe(403);
    expect(
      (
        await ctx
          .as(owner)
          .post(`/api/threat_models/${tm}/reviews/decision`, { decision: 'approved' })
      ).status,
    ).toBe(409);
    expect(
      (await ctx.as(writer).post(`/api/threat_models/${tm}/reviews`, { reviewer_ids: [reader.id] }))
        .status,
    ).toBe(400);
    expect(
      (await ctx.as(writer).post(`/api/threat_models/${tm}/reviews`, { reviewer_ids: ['nope'] }))
        .status,
    ).toBe(400);
    const stranger = await ctx.newUser();
    expect((await ctx.as(stranger).get(`/api/threat_models/${tm}/reviews`)).status).toBe(404);
  });
});
