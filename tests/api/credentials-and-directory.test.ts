/**
 * Issue 11, acceptance 2 and 3: API tokens cannot outgrow the session that made them, and
 * the user directory shows only people the caller already works with (plus an exact e-mail).
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../setup/context';
import { expectProblem } from '../setup/problems';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({
    config: { API_TOKEN_MAX_LIFETIME_DAYS: 30, TOKEN_CREATE_MAX_PER_USER: 1000 },
  });
});
afterAll(() => ctx.close());

const DAY_MS = 86_400_000;

describe('API tokens', () => {
  it('an API token cannot create or revoke tokens (403), read or write scope alike', async () => {
    const user = await ctx.newUser();
    const write = await ctx.as(user).post('/api/me/tokens', { name: 'w', expires_in_days: 1 });
    const read = await ctx.as(user).post('/api/me/tokens', { name: 'r', scope: 'read' });
    expect([write.status, read.status]).toEqual([201, 201]);
    for (const token of [write.body.token, read.body.token]) {
      expectProblem(await ctx.as({ token }).post('/api/me/tokens', { name: 'forever' }), 403);
      expectProblem(await ctx.as({ token }).delete(`/api/me/tokens/${read.body.id}`), 403);
      // Reading the list stays possible.
      expect((await ctx.as({ token }).get('/api/me/tokens')).status).toBe(200);
    }
    const list = await ctx.as(user).get('/api/me/tokens');
    expect(list.body.items.map((t: { name: string }) => t.name).sort()).toEqual(['r', 'w']);
  });

  it('every token expires: default and upper bound are the configured maximum', async () => {
    const user = await ctx.newUser();
    const before = Date.now();
    const unbounded = await ctx.as(user).post('/api/me/tokens', { name: 'default' });
    expect(unbounded.status).toBe(201);
    const expires = Date.parse(unbounded.body.expires_at);
    expect(expires).toBeGreaterThanOrEqual(before + 30 * DAY_MS - 1000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 30 * DAY_MS);

    const tooLong = await ctx.as(user).post('/api/me/tokens', { name: 'x', expires_in_days: 31 });
    expectProblem(tooLong, 400);
    expect(tooLong.body.errors[0].path).toBe('expires_in_days');
    expect(
      (await ctx.as(user).post('/api/me/tokens', { name: 'y', expires_in_days: 30 })).status,
    ).toBe(201);
    // The database refuses a token without expiry at all.
    const rows = await ctx.db.db.execute(
      sql`select count(*)::int as n from api_tokens where expires_at is null`,
    );
    expect(((rows as any).rows ?? rows)[0].n).toBe(0);
  });

  it('the default maximum is 365 days', async () => {
    const other = await createTestContext();
    try {
      expect(other.config.API_TOKEN_MAX_LIFETIME_DAYS).toBe(365);
      const user = await other.newUser();
      const res = await other.as(user).post('/api/me/tokens', { name: 'year' });
      const days = (Date.parse(res.body.expires_at) - Date.now()) / DAY_MS;
      expect(days).toBeGreaterThan(364.9);
      expect(days).toBeLessThanOrEqual(365);
    } finally {
      await other.close();
    }
  });

  it('the 51st live token → 409; revoking one makes room; concurrent creations cannot race past', async () => {
    const user = await ctx.newUser();
    const made = await Promise.all(
      Array.from({ length: 55 }, (_, i) => ctx.as(user).post('/api/me/tokens', { name: `t${i}` })),
    );
    expect(made.filter((r) => r.status === 201)).toHaveLength(50);
    const refused = made.filter((r) => r.status !== 201);
    expect(refused).toHaveLength(5);
    for (const r of refused) expectProblem(r, 409, 'token_limit');
    const victim = made.find((r) => r.status === 201)!.body.id;
    expect((await ctx.as(user).delete(`/api/me/tokens/${victim}`)).status).toBe(204);
    expect((await ctx.as(user).post('/api/me/tokens', { name: 'again' })).status).toBe(201);
    expectProblem(await ctx.as(user).post('/api/me/tokens', { name: 'one more' }), 409);
  });

  it('token creation is rate limited per user: 429 with Retry-After', async () => {
    const limited = await createTestContext({ config: { TOKEN_CREATE_MAX_PER_USER: 3 } });
    try {
      const user = await limited.newUser();
      const other = await limited.newUser();
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++)
        statuses.push((await limited.as(user).post('/api/me/tokens', { name: `n${i}` })).status);
      expect(statuses).toEqual([201, 201, 201, 429]);
      const last = await limited.as(user).post('/api/me/tokens', { name: 'again' });
      expectProblem(last, 429, 'rate_limited');
      expect(Number(last.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await limited.as(other).post('/api/me/tokens', { name: 'mine' })).status).toBe(201);
    } finally {
      await limited.close();
    }
  });
});

describe('user directory', () => {
  it('a user with no shared model or team gets nothing from ?q=@; an exact e-mail finds one person', async () => {
    const loner = await ctx.newUser({ name: 'Lone Ranger' });
    await ctx.newUser({ name: 'Somebody Else', email: 'somebody.else@example.com' });
    const all = await ctx.as(loner).get('/api/users?q=@&limit=50');
    expect(all.status).toBe(200);
    expect(all.body.items).toEqual([]);
    expect((await ctx.as(loner).get('/api/users?q=example.com')).body.items).toEqual([]);
    expect((await ctx.as(loner).get('/api/users?q=Somebody')).body.items).toEqual([]);

    const exact = await ctx.as(loner).get('/api/users?q=Somebody.Else@Example.com');
    expect(exact.body.items).toHaveLength(1);
    expect(exact.body.items[0]).toMatchObject({
      email: 'somebody.else@example.com',
      name: 'Somebody Else',
    });
    // A prefix of that e-mail is not exact.
    expect((await ctx.as(loner).get('/api/users?q=somebody.else@example.co')).body.items).toEqual(
      [],
    );
  });

  it('finds people who share a model (directly or through a team) or a team with the caller', async () => {
    const me = await ctx.newUser({ name: 'Directory Me' });
    const coOwner = await ctx.newUser({ name: 'Dir Model Mate' });
    const teammate = await ctx.newUser({ name: 'Dir Team Mate' });
    const viaTeamGrant = await ctx.newUser({ name: 'Dir Granted Team Member' });
    const teamLead = await ctx.newUser({ name: 'Dir Team Lead' });
    await ctx.newUser({ name: 'Dir Stranger' });
    const everyoneModelUser = await ctx.newUser({ name: 'Dir Everyone Reader' });

    const tm = await ctx.newThreatModel(me);
    await ctx.grant(tm, coOwner, 'writer');
    const myTeam = await ctx.newTeam(teamLead); // someone else's team, I am a member
    await ctx.addTeamMember(myTeam, me);
    await ctx.addTeamMember(myTeam, teammate);
    const otherTeam = await ctx.newTeam(viaTeamGrant);
    await ctx.grant(tm, { team: otherTeam }, 'reader');
    // A model shared with everyone does not make everybody a collaborator.
    const open = await ctx.newThreatModel(everyoneModelUser);
    await ctx.grant(open, 'everyone', 'reader');

    const found = await ctx.as(me).get('/api/users?q=Dir&limit=50');
    const names = found.body.items.map((u: { name: string }) => u.name).sort();
    expect(names).toEqual(
      ['Dir Granted Team Member', 'Dir Model Mate', 'Dir Team Lead', 'Dir Team Mate'].sort(),
    );
    // And the other way round: the co-owner finds me, the everyone-model owner does not.
    expect(
      (await ctx.as(coOwner).get('/api/users?q=Directory')).body.items.map((u: any) => u.id),
    ).toEqual([me.id]);
    expect((await ctx.as(everyoneModelUser).get('/api/users?q=Directory')).body.items).toEqual([]);
  });
});
