import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../setup/context';
import { expectProblem } from '../setup/problems';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const RANDOM = '00000000-0000-4000-8000-000000000002';

describe('/api/teams', () => {
  it('requires auth', async () => {
    expectProblem(await ctx.anonymous().get('/api/teams'), 401);
    expectProblem(await ctx.anonymous().post('/api/teams', { name: 'x' }), 401);
  });

  it('rejects bad input with problem+json', async () => {
    const api = ctx.as(await ctx.newUser());
    expectProblem(await api.post('/api/teams', { name: '' }), 400);
    expectProblem(await api.post('/api/teams', { name: 'x'.repeat(257) }), 400);
    expectProblem(await api.get('/api/teams/nope'), 400);
    expectProblem(await api.get('/api/teams?q=%00'), 400);
    expectProblem(await api.get(`/api/teams/${RANDOM}`), 404);
  });

  it('creates a team with its creator as lead; lists and reads it', async () => {
    const lead = await ctx.newUser();
    const created = await ctx
      .as(lead)
      .post('/api/teams', { name: 'Red team', description: 'Attackers' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'Red team',
      created_by: lead.id,
      members: [{ user: { id: lead.id }, role: 'lead' }],
    });
    const other = ctx.as(await ctx.newUser());
    const list = await other.get('/api/teams?q=red%20team');
    expect(list.body).toMatchObject({ total: 1, items: [{ id: created.body.id }] });
    expect((await other.get(`/api/teams/${created.body.id}`)).status).toBe(200);
  });

  it('only the creator and leads manage; members may leave; the last lead stays (409)', async () => {
    const creator = await ctx.newUser();
    const lead = await ctx.newUser();
    const member = await ctx.newUser();
    const outsider = await ctx.newUser();
    const team = await ctx.newTeam(creator);
    const members = `/api/teams/${team.id}/members`;
    expect((await ctx.as(creator).put(`${members}/${lead.id}`, { role: 'lead' })).status).toBe(201);
    expect((await ctx.as(lead).put(`${members}/${member.id}`, { role: 'member' })).status).toBe(
      201,
    );
    expect((await ctx.as(lead).put(`${members}/${member.id}`, { role: 'member' })).status).toBe(
      200,
    );
    expectProblem(await ctx.as(member).put(`${members}/${outsider.id}`, { role: 'member' }), 403);
    expectProblem(await ctx.as(outsider).put(`/api/teams/${team.id}`, { name: 'Mine' }), 403);
    expectProblem(await ctx.as(member).delete(`/api/teams/${team.id}`), 403);
    expectProblem(await ctx.as(lead).put(`${members}/${RANDOM}`, { role: 'member' }), 404);
    expect((await ctx.as(lead).put(`/api/teams/${team.id}`, { name: 'Renamed' })).body.name).toBe(
      'Renamed',
    );
    // Two leads: one may step down; the other then is the last.
    expect((await ctx.as(creator).put(`${members}/${creator.id}`, { role: 'member' })).status).toBe(
      200,
    );
    expectProblem(
      await ctx.as(creator).put(`${members}/${lead.id}`, { role: 'member' }),
      409,
      'last_lead',
    );
    expectProblem(await ctx.as(lead).delete(`${members}/${lead.id}`), 409);
    expect((await ctx.as(member).delete(`${members}/${member.id}`)).status).toBe(204);
    expectProblem(await ctx.as(lead).delete(`${members}/${member.id}`), 404);
    expect((await ctx.as(creator).delete(`/api/teams/${team.id}`)).status).toBe(204);
    expectProblem(await ctx.as(creator).get(`/api/teams/${team.id}`), 404);
  });

  it('a team grant reaches its members and leaves with them', async () => {
    const owner = await ctx.newUser();
    const member = await ctx.newUser();
    const team = await ctx.newTeam(owner);
    const tm = await ctx.newThreatModel(owner);
    await ctx.grant(tm, { team }, 'writer');
    await ctx.as(owner).put(`/api/teams/${team.id}/members/${member.id}`, { role: 'member' });
    expect((await ctx.as(member).get(`/api/threat_models/${tm.id}`)).body.my_role).toBe('writer');
    await ctx.as(owner).delete(`/api/teams/${team.id}/members/${member.id}`);
    expectProblem(await ctx.as(member).get(`/api/threat_models/${tm.id}`), 404);
  });
});

describe('/api/users', () => {
  it('requires auth and a query', async () => {
    expectProblem(await ctx.anonymous().get('/api/users?q=a'), 401);
    expectProblem(await ctx.as(await ctx.newUser()).get('/api/users'), 400);
    expectProblem(await ctx.as(await ctx.newUser()).get('/api/users?q=a&limit=51'), 400);
  });

  it('finds users by name or e-mail, with id, name and e-mail only', async () => {
    const target = await ctx.newUser({ name: 'Margaret Hamilton', email: 'mh@apollo.example' });
    const caller = await ctx.newUser();
    // The directory shows people the caller works with (tests/api/credentials-and-directory).
    const team = await ctx.newTeam(caller);
    await ctx.addTeamMember(team, target);
    const api = ctx.as(caller);
    const byName = await api.get('/api/users?q=hamilton');
    expect(byName.body.items).toEqual([{ id: target.id, name: target.name, email: target.email }]);
    expect((await api.get('/api/users?q=APOLLO')).body.items).toHaveLength(1);
    expect((await api.get('/api/users?q=%25')).body.items).toHaveLength(0);
  });
});
