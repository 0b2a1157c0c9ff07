import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../setup/context';
import { expectProblem } from '../setup/problems';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const access = (tm: { id: string }, rest = '') => `/api/threat_models/${tm.id}/access${rest}`;

describe('/api/threat_models/{tm}/access', () => {
  it('requires auth', async () => {
    const tm = await ctx.newThreatModel(await ctx.newUser());
    expectProblem(await ctx.anonymous().get(access(tm)), 401);
    expectProblem(await ctx.anonymous().put(access(tm, '/everyone/*'), { role: 'reader' }), 401);
  });

  it('rejects bad input with problem+json', async () => {
    const owner = await ctx.newUser();
    const tm = await ctx.newThreatModel(owner);
    const api = ctx.as(owner);
    expectProblem(await api.put(access(tm, `/user/${owner.id}`), { role: 'admin' }), 400);
    expectProblem(await api.put(access(tm, '/user/*'), { role: 'reader' }), 400);
    expectProblem(await api.put(access(tm, `/everyone/${owner.id}`), { role: 'reader' }), 400);
    expectProblem(await api.put(access(tm, '/group/x'), { role: 'reader' }), 400);
    expectProblem(await api.put(access(tm, '/everyone/*'), { role: 'owner' }), 400);
  });

  it('404 on someone else’s model; 404 for an unknown principal', async () => {
    const owner = await ctx.newUser();
    const tm = await ctx.newThreatModel(owner);
    const stranger = ctx.as(await ctx.newUser());
    expectProblem(await stranger.get(access(tm)), 404);
    expectProblem(await stranger.put(access(tm, '/everyone/*'), { role: 'reader' }), 404);
    expectProblem(await stranger.delete(access(tm, `/user/${owner.id}`)), 404);
    const unknown = '00000000-0000-4000-8000-000000000001';
    expectProblem(await ctx.as(owner).put(access(tm, `/user/${unknown}`), { role: 'reader' }), 404);
    expectProblem(await ctx.as(owner).put(access(tm, `/team/${unknown}`), { role: 'reader' }), 404);
    expectProblem(await ctx.as(owner).delete(access(tm, `/team/${unknown}`)), 404);
  });

  it('PUT answers 201 new, 200 changed; only owners manage grants; readers see them', async () => {
    const owner = await ctx.newUser();
    const friend = await ctx.newUser();
    const team = await ctx.newTeam(owner, { name: 'Blue team' });
    const tm = await ctx.newThreatModel(owner);
    const api = ctx.as(owner);
    const created = await api.put(access(tm, `/user/${friend.id}`), { role: 'writer' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      principal_type: 'user',
      principal_id: friend.id,
      display_name: friend.name,
      email: friend.email,
      role: 'writer',
      granted_by: owner.id,
    });
    expect((await api.put(access(tm, `/user/${friend.id}`), { role: 'reader' })).status).toBe(200);
    expect(
      (await api.put(access(tm, `/team/${team.id}`), { role: 'reviewer' })).body,
    ).toMatchObject({
      display_name: 'Blue team',
    });
    expect((await api.put(access(tm, '/everyone/*'), { role: 'reader' })).status).toBe(201);
    const readerView = await ctx.as(friend).get(access(tm));
    expect(readerView.status).toBe(200);
    expect(readerView.body.items.map((g: any) => [g.principal_type, g.role])).toEqual([
      ['user', 'owner'],
      ['team', 'reviewer'],
      ['user', 'reader'],
      ['everyone', 'reader'],
    ]);
    expectProblem(await ctx.as(friend).put(access(tm, '/everyone/*'), { role: 'writer' }), 403);
    expect((await api.delete(access(tm, '/everyone/*'))).status).toBe(204);
    expectProblem(await api.delete(access(tm, '/everyone/*')), 404);
  });

  it('the last owner user cannot be removed or demoted (409); a team owner does not count', async () => {
    const owner = await ctx.newUser();
    const team = await ctx.newTeam(owner);
    const tm = await ctx.newThreatModel(owner);
    await ctx.grant(tm, { team }, 'owner');
    const api = ctx.as(owner);
    expectProblem(await api.delete(access(tm, `/user/${owner.id}`)), 409, 'last_owner');
    expectProblem(
      await api.put(access(tm, `/user/${owner.id}`), { role: 'writer' }),
      409,
      'last_owner',
    );
    expect((await api.get(`/api/threat_models/${tm.id}`)).body.my_role).toBe('owner');
  });

  it('hands ownership over: grant owner, then the old owner steps down', async () => {
    const oldOwner = await ctx.newUser();
    const newOwner = await ctx.newUser();
    const tm = await ctx.newThreatModel(oldOwner);
    expect(
      (await ctx.as(oldOwner).put(access(tm, `/user/${newOwner.id}`), { role: 'owner' })).status,
    ).toBe(201);
    // The old owner may now demote themselves …
    const down = await ctx.as(oldOwner).put(access(tm, `/user/${oldOwner.id}`), { role: 'reader' });
    expect(down.status).toBe(200);
    const model = await ctx.as(newOwner).get(`/api/threat_models/${tm.id}`);
    expect(model.body).toMatchObject({ owner_id: newOwner.id, my_role: 'owner' });
    expect((await ctx.as(oldOwner).get(`/api/threat_models/${tm.id}`)).body.my_role).toBe('reader');
    // … and the new owner is now the last one.
    expectProblem(await ctx.as(newOwner).delete(access(tm, `/user/${newOwner.id}`)), 409);
    expect((await ctx.as(newOwner).delete(access(tm, `/user/${oldOwner.id}`))).status).toBe(204);
    expectProblem(await ctx.as(oldOwner).get(`/api/threat_models/${tm.id}`), 404);
  });

  it('writes one audit entry per grant change', async () => {
    const owner = await ctx.newUser();
    const friend = await ctx.newUser();
    const tm = await ctx.newThreatModel(owner);
    await ctx.as(owner).put(access(tm, `/user/${friend.id}`), { role: 'reader' });
    await ctx.as(owner).put(access(tm, `/user/${friend.id}`), { role: 'writer' });
    const log = await ctx.as(owner).get(`/api/threat_models/${tm.id}/audit`);
    expect(log.body.items.slice(0, 2)).toMatchObject([
      {
        action: 'update',
        entity_type: 'grant',
        changes: { role: { before: 'reader', after: 'writer' } },
      },
      {
        action: 'create',
        entity_type: 'grant',
        changes: { role: { before: null, after: 'reader' } },
      },
    ]);
  });
});
