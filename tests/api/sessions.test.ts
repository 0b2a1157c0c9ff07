import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../db';
import { createTestContext, type TestContext } from '../setup/context';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const DAY_MS = 24 * 60 * 60 * 1000;
const sha256Hex = (s: string) => createHash('sha256').update(s).digest('hex');
/** The cookie's value from a Set-Cookie header. */
const tokenFrom = (headers: Headers) =>
  /^threatroom_session=([^;]*)/.exec(headers.get('set-cookie') ?? '')?.[1] ?? '';

async function signIn(email: string) {
  await ctx.newUser({ email, password: 'a long enough secret' });
  const res = await ctx
    .anonymous()
    .post('/api/auth/login', { email, password: 'a long enough secret' });
  expect(res.status).toBe(200);
  const token = tokenFrom(res.headers);
  expect(token.length).toBeGreaterThan(20);
  return {
    token,
    cookie: `threatroom_session=${token}`,
    setCookie: res.headers.get('set-cookie')!,
  };
}

const sessionRow = async (id: string) =>
  (await ctx.db.db.select().from(schema.sessions).where(eq(schema.sessions.id, id)))[0];

describe('sessions (lucia, hashed ids)', () => {
  it('stores sha256 of the cookie value, never the value itself', async () => {
    const { token } = await signIn('hashed-session@example.com');
    const rows = await ctx.db.db.select({ id: schema.sessions.id }).from(schema.sessions);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.filter((r) => r.id === token)).toEqual([]);
    expect(rows.map((r) => r.id)).toContain(sha256Hex(token));
  });

  it('keeps the cookie name and flags and a 30-day expiry', async () => {
    const { token, setCookie } = await signIn('cookie-flags@example.com');
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Lax');
    expect(setCookie).toContain('Path=/');
    const expires = Date.parse(/Expires=([^;]+)/.exec(setCookie)![1]!);
    expect(Math.abs(expires - (Date.now() + 30 * DAY_MS))).toBeLessThan(60_000);
    const row = await sessionRow(sha256Hex(token));
    expect(Math.abs(row!.expiresAt.getTime() - (Date.now() + 30 * DAY_MS))).toBeLessThan(60_000);
  });

  it('slides: with less than 15 days left a request renews to 30 days and re-sends the cookie', async () => {
    const { token, cookie } = await signIn('sliding@example.com');
    const id = sha256Hex(token);
    const setLeft = (days: number) =>
      ctx.db.db
        .update(schema.sessions)
        .set({ expiresAt: new Date(Date.now() + days * DAY_MS) })
        .where(eq(schema.sessions.id, id));

    await setLeft(20);
    const calm = await ctx.as({ cookie }).get('/api/me');
    expect(calm.status).toBe(200);
    expect(calm.headers.get('set-cookie')).toBeNull();
    expect((await sessionRow(id))!.expiresAt.getTime()).toBeLessThan(Date.now() + 21 * DAY_MS);

    await setLeft(10);
    const renewed = await ctx.as({ cookie }).get('/api/me');
    expect(renewed.status).toBe(200);
    expect(tokenFrom(renewed.headers)).toBe(token);
    const expiresAt = (await sessionRow(id))!.expiresAt.getTime();
    expect(Math.abs(expiresAt - (Date.now() + 30 * DAY_MS))).toBeLessThan(60_000);
  });

  it('refuses an expired session and a logged-out one', async () => {
    const expired = await signIn('expired@example.com');
    await ctx.db.db
      .update(schema.sessions)
      .set({ expiresAt: new Date(Date.now() - 1_000) })
      .where(eq(schema.sessions.id, sha256Hex(expired.token)));
    expect((await ctx.as({ cookie: expired.cookie }).get('/api/me')).status).toBe(401);

    const out = await signIn('logged-out@example.com');
    expect((await ctx.as({ cookie: out.cookie }).post('/api/auth/logout')).status).toBe(204);
    expect(await sessionRow(sha256Hex(out.token))).toBeUndefined();
    expect((await ctx.as({ cookie: out.cookie }).get('/api/me')).status).toBe(401);
  });
});
