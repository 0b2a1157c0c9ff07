import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../setup/context';
import { cookieFrom } from '../setup/http';
import { expectProblem } from '../setup/problems';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const invitations = (tm: { id: string }, rest = '') =>
  `/api/threat_models/${tm.id}/invitations${rest}`;

async function signUp(email: string, name = 'New Person') {
  const res = await ctx
    .anonymous()
    .post('/api/auth/signup', { email, name, password: 'a long enough secret' });
  expect(res.status).toBe(201);
  return { user: res.body, api: ctx.as({ cookie: cookieFrom(res.headers)! }) };
}

describe('invitations: a role for an e-mail without an account', () => {
  it('requires auth, rejects bad input, 404s on a model the caller cannot see, 403 below owner', async () => {
    const owner = await ctx.newUser();
    const writer = await ctx.newUser();
    const tm = await ctx.newThreatModel(owner);
    await ctx.as(owner).put(`/api/threat_models/${tm.id}/access/user/${writer.id}`, {
      role: 'writer',
    });
    expectProblem(await ctx.anonymous().get(invitations(tm)), 401);
    const api = ctx.as(owner);
    expectProblem(await api.post(invitations(tm), { email: 'not-an-email', role: 'reader' }), 400);
    expectProblem(await api.post(invitations(tm), { email: 'a@example.com', role: 'admin' }), 400);
    expectProblem(
      await api.post(invitations(tm), { email: `${'a'.repeat(250)}@example.com`, role: 'reader' }),
      400,
    );
    const stranger = ctx.as(await ctx.newUser());
    expectProblem(await stranger.get(invitations(tm)), 404);
    expectProblem(
      await stranger.post(invitations(tm), { email: 'a@example.com', role: 'reader' }),
      404,
    );
    expectProblem(await ctx.as(writer).get(invitations(tm)), 403);
    expectProblem(
      await ctx.as(writer).post(invitations(tm), { email: 'a@example.com', role: 'reader' }),
      403,
    );
  });

  it('an address that has an account is a 409: grant the user instead', async () => {
    const owner = await ctx.newUser();
    const known = await ctx.newUser({ email: 'known.person@example.com' });
    const tm = await ctx.newThreatModel(owner);
    const res = await ctx
      .as(owner)
      .post(invitations(tm), { email: 'Known.Person@Example.com', role: 'writer' });
    expectProblem(res, 409);
    expect(res.body.code).toBe('account_exists');
    expect(known.id).toBeTruthy();
  });

  it('pending until sign-up, then a real grant with a "shared" notification; listed, renewed, revoked', async () => {
    const owner = await ctx.newUser({ name: 'Olga Owner' });
    const tm = await ctx.newThreatModel(owner, { name: 'Payments' });
    const other = await ctx.newThreatModel(owner, { name: 'Ledger' });
    const api = ctx.as(owner);

    const first = await api.post(invitations(tm), {
      email: 'Nina.New@Example.com',
      role: 'reader',
    });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      email: 'nina.new@example.com',
      role: 'reader',
      invited_by: owner.id,
      invited_by_name: 'Olga Owner',
    });
    const expires = Date.parse(first.body.expires_at) - Date.now();
    expect(expires).toBeGreaterThan(13 * 86_400_000);
    expect(expires).toBeLessThanOrEqual(14 * 86_400_000);
    // Inviting again changes the role of the same invitation.
    const again = await api.post(invitations(tm), {
      email: 'nina.new@example.com',
      role: 'writer',
    });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: first.body.id, role: 'writer' });
    expect((await api.get(invitations(tm))).body.items).toHaveLength(1);
    // A revoked invitation gives nothing.
    const revoked = await api.post(invitations(other), {
      email: 'nina.new@example.com',
      role: 'owner',
    });
    expect((await api.delete(invitations(other, `/${revoked.body.id}`))).status).toBe(204);
    expectProblem(await api.delete(invitations(other, `/${revoked.body.id}`)), 404);

    const nina = await signUp('NINA.NEW@example.com', 'Nina New');
    const models = await nina.api.get('/api/threat_models');
    expect(models.body.items.map((m: any) => [m.name, m.my_role])).toEqual([
      ['Payments', 'writer'],
    ]);
    const grants = await api.get(`/api/threat_models/${tm.id}/access`);
    expect(grants.body.items).toContainEqual(
      expect.objectContaining({ principal_id: nina.user.id, role: 'writer', granted_by: owner.id }),
    );
    expect((await api.get(invitations(tm))).body.items).toEqual([]);
    const inbox = await nina.api.get('/api/me/notifications');
    expect(inbox.body.items).toEqual([
      expect.objectContaining({
        type: 'shared',
        threat_model_id: tm.id,
        title: expect.stringContaining('Payments'),
      }),
    ]);
    const audit = await api.get(`/api/threat_models/${tm.id}/audit`);
    expect(audit.body.items.map((e: any) => `${e.entity_type}:${e.action}`)).toEqual(
      expect.arrayContaining(['invitation:create', 'invitation:update', 'invitation:accept']),
    );
  });

  it('an expired invitation is not accepted', async () => {
    const owner = await ctx.newUser();
    const tm = await ctx.newThreatModel(owner);
    const res = await ctx
      .as(owner)
      .post(invitations(tm), { email: 'late@example.com', role: 'reader' });
    await ctx.db.db.execute(
      sql`update access_invitations set expires_at = now() - interval '1 minute' where id = ${res.body.id}`,
    );
    const late = await signUp('late@example.com');
    expect((await late.api.get('/api/threat_models')).body.items).toEqual([]);
  });

  it('a grant to a user or a team notifies them ("shared with you"), the granter never', async () => {
    const owner = await ctx.newUser({ name: 'Sam Sharer' });
    const lead = await ctx.newUser();
    const member = await ctx.newUser();
    const solo = await ctx.newUser();
    const team = await ctx.newTeam(lead, { name: 'Red team' });
    await ctx.as(lead).put(`/api/teams/${team.id}/members/${member.id}`, { role: 'member' });
    await ctx.as(lead).put(`/api/teams/${team.id}/members/${owner.id}`, { role: 'member' });
    const tm = await ctx.newThreatModel(owner, { name: 'Checkout' });
    const api = ctx.as(owner);
    await api.put(`/api/threat_models/${tm.id}/access/user/${solo.id}`, { role: 'reader' });
    await api.put(`/api/threat_models/${tm.id}/access/team/${team.id}`, { role: 'reviewer' });
    for (const who of [solo, lead, member]) {
      const inbox = await ctx.as(who).get('/api/me/notifications');
      expect(inbox.body.items).toEqual([
        expect.objectContaining({ type: 'shared', title: expect.stringContaining('Checkout') }),
      ]);
    }
    expect((await api.get('/api/me/notifications')).body.items).toEqual([]);
  });
});

describe('GET /api/threat_models/{tm}/people (for @-mentions)', () => {
  it('lists who can see the model through a user or team grant, with a handle that names only them', async () => {
    const owner = await ctx.newUser({ name: 'Oscar Owner', email: 'oscar@example.com' });
    const ada1 = await ctx.newUser({ name: 'Ada One', email: 'ada@one.example' });
    const ada2 = await ctx.newUser({ name: 'Ada Two', email: 'ada@two.example' });
    const grace = await ctx.newUser({ name: 'Grace Hopper', email: 'grace@example.com' });
    const outsider = await ctx.newUser({ name: 'Adam Outside', email: 'adam@example.com' });
    const team = await ctx.newTeam(owner, { name: 'Ops' });
    await ctx.as(owner).put(`/api/teams/${team.id}/members/${ada2.id}`, { role: 'member' });
    const tm = await ctx.newThreatModel(owner);
    const api = ctx.as(owner);
    await api.put(`/api/threat_models/${tm.id}/access/user/${ada1.id}`, { role: 'reader' });
    await api.put(`/api/threat_models/${tm.id}/access/user/${grace.id}`, { role: 'writer' });
    await api.put(`/api/threat_models/${tm.id}/access/team/${team.id}`, { role: 'reviewer' });
    await api.put(`/api/threat_models/${tm.id}/access/everyone/*`, { role: 'reader' });

    const ada = await api.get(`/api/threat_models/${tm.id}/people?q=ada`);
    expect(ada.status).toBe(200);
    expect(ada.body.items.map((p: any) => [p.name, p.handle])).toEqual([
      ['Ada One', 'ada@one.example'],
      ['Ada Two', 'ada@two.example'],
    ]);
    const all = await api.get(`/api/threat_models/${tm.id}/people`);
    expect(all.body.items.map((p: any) => p.handle)).toEqual([
      'ada@one.example',
      'ada@two.example',
      'grace',
    ]);
    expect(all.body.items.some((p: any) => p.id === outsider.id || p.id === owner.id)).toBe(false);
    // Any reader may ask (the everyone-grant makes the outsider one), and sees the owner.
    const asOutsider = await ctx.as(outsider).get(`/api/threat_models/${tm.id}/people?q=osc`);
    expect(asOutsider.body.items.map((p: any) => p.handle)).toEqual(['oscar']);
    expectProblem(await ctx.anonymous().get(`/api/threat_models/${tm.id}/people`), 401);
    expectProblem(await api.get(`/api/threat_models/${tm.id}/people?limit=500`), 400);
  });

  it('the inserted handle notifies that person (and only them) when used in a comment', async () => {
    const owner = await ctx.newUser();
    const grace = await ctx.newUser({ name: 'Grace Mention', email: 'gracem@example.com' });
    const tm = await ctx.newThreatModel(owner);
    const api = ctx.as(owner);
    await api.put(`/api/threat_models/${tm.id}/access/user/${grace.id}`, { role: 'reviewer' });
    const [person] = (await api.get(`/api/threat_models/${tm.id}/people?q=grace`)).body.items;
    const comment = await api.post(`/api/threat_models/${tm.id}/comments`, {
      body: `Please check this, @${person.handle}.`,
    });
    expect(comment.status).toBe(201);
    const inbox = await ctx.as(grace).get('/api/me/notifications');
    expect(inbox.body.items.map((n: any) => n.type)).toContain('mention');
  });
});
