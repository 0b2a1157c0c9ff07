import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../setup/context';
import { expectProblem } from '../setup/problems';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

describe('GET /api/threat_models/{tm}/audit', () => {
  it('requires auth, rejects bad cursors, 404 for strangers', async () => {
    const owner = await ctx.newUser();
    const tm = await ctx.newThreatModel(owner);
    const url = `/api/threat_models/${tm.id}/audit`;
    expectProblem(await ctx.anonymous().get(url), 401);
    expectProblem(await ctx.as(owner).get(`${url}?cursor=abc`), 400);
    expectProblem(await ctx.as(owner).get(`${url}?limit=0`), 400);
    expectProblem(await ctx.as(await ctx.newUser()).get(url), 404);
  });

  it('pages newest first by cursor, with the actor, and readers may read it', async () => {
    const owner = await ctx.newUser({ name: 'Auditor Owner' });
    const reader = await ctx.newUser();
    const tm = await ctx.newThreatModel(owner);
    await ctx.grant(tm, reader, 'reader');
    const api = ctx.as(owner);
    for (let i = 1; i <= 4; i++) {
      await api.patch(`/api/threat_models/${tm.id}`, [
        { op: 'replace', path: '/name', value: `n${i}` },
      ]);
    }
    const url = `/api/threat_models/${tm.id}/audit`;
    const first = await ctx.as(reader).get(`${url}?limit=3`);
    expect(first.status).toBe(200);
    expect(first.body.items.map((e: any) => e.changes.name.after)).toEqual(['n4', 'n3', 'n2']);
    expect(first.body.items[0]).toMatchObject({
      action: 'update',
      entity_type: 'threat_model',
      entity_id: tm.id,
      actor: { id: owner.id, name: 'Auditor Owner' },
    });
    const second = await ctx.as(reader).get(`${url}?limit=3&cursor=${first.body.next_cursor}`);
    expect(second.body.items.map((e: any) => e.action)).toEqual(['update', 'create']);
    expect(second.body.next_cursor).toBeNull();
  });
});
