import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { createTestContext, type TestContext } from '../setup/context';
import { cookieFrom } from '../setup/http';
import { expectProblem } from '../setup/problems';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

describe('sign-up and sign-in', () => {
  it('signs up, sets an HttpOnly Lax cookie and returns the user from /api/me', async () => {
    const res = await ctx.anonymous().post('/api/auth/signup', {
      email: 'Grace@Example.com',
      name: 'Grace',
      password: 'a long enough secret',
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ email: 'grace@example.com', name: 'Grace' });
    const setCookie = res.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^threatroom_session=/);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Lax');
    const me = await ctx.as({ cookie: cookieFrom(res.headers) ?? '' }).get('/api/me');
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(res.body.id);
  });

  it('refuses a duplicate e-mail (any case) with 409 and a short password with 400', async () => {
    const body = { email: 'dup@example.com', name: 'D', password: '0123456789' };
    expect((await ctx.anonymous().post('/api/auth/signup', body)).status).toBe(201);
    expectProblem(
      await ctx.anonymous().post('/api/auth/signup', { ...body, email: 'DUP@example.com' }),
      409,
    );
    const short = await ctx
      .anonymous()
      .post('/api/auth/signup', { ...body, email: 'x@example.com', password: 'short' });
    expectProblem(short, 400);
    expect(short.body.errors[0].path).toBe('password');
  });

  it('answers a wrong password and an unknown e-mail with the same 401', async () => {
    await ctx.newUser({ email: 'known@example.com', password: 'the right password' });
    const wrong = await ctx
      .anonymous()
      .post('/api/auth/login', { email: 'known@example.com', password: 'not it at all' });
    const unknown = await ctx
      .anonymous()
      .post('/api/auth/login', { email: 'nobody@example.com', password: 'not it at all' });
    expectProblem(wrong, 401);
    expectProblem(unknown, 401);
    expect(wrong.body.detail).toBe(unknown.body.detail);
    const ok = await ctx
      .anonymous()
      .post('/api/auth/login', { email: 'KNOWN@example.com', password: 'the right password' });
    expect(ok.status).toBe(200);
  });

  it('throttles an account after repeated failures with 429 and Retry-After', async () => {
    await ctx.newUser({ email: 'target@example.com', password: 'the right password' });
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 20; i++) {
      last = await ctx
        .anonymous()
        .post('/api/auth/login', { email: 'target@example.com', password: `guess number ${i}` });
      statuses.push(last.status);
    }
    expect(
      statuses.slice(0, ctx.config.LOGIN_MAX_FAILURES_PER_ACCOUNT_IP).every((s) => s === 401),
    ).toBe(true);
    expectProblem(last!, 429);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    // Even the right password is refused while throttled: the lock is on the account.
    const right = await ctx
      .anonymous()
      .post('/api/auth/login', { email: 'target@example.com', password: 'the right password' });
    expect(right.status).toBe(429);
  });

  it('logs out: the session stops working', async () => {
    const user = await ctx.newUser();
    expect((await ctx.as(user).get('/api/me')).status).toBe(200);
    const out = await ctx.as(user).post('/api/auth/logout');
    expect(out.status).toBe(204);
    expectProblem(await ctx.as(user).get('/api/me'), 401);
  });

  it('stores only password hashes (argon2id), never the password', async () => {
    await ctx.anonymous().post('/api/auth/signup', {
      email: 'hash@example.com',
      name: 'H',
      password: 'plaintext-canary-123',
    });
    const rows = await ctx.db.db.execute(
      sql`select password_hash from users where email = 'hash@example.com'`,
    );
    const hash = (rows as any).rows?.[0]?.password_hash ?? (rows as any)[0]?.password_hash;
    expect(hash).toMatch(/^\$argon2id\$/);
    expect(hash).not.toContain('plaintext-canary-123');
  });
});

describe('API tokens', () => {
  it('creates, authenticates with Bearer, lists without secret, revokes → 401', async () => {
    const user = await ctx.newUser();
    const created = await ctx.as(user).post('/api/me/tokens', { name: 'ci', expires_in_days: 30 });
    expect(created.status).toBe(201);
    const token: string = created.body.token;
    expect(token).toMatch(/^trt_[a-z2-7]{52}$/);
    const me = await ctx.as({ token }).get('/api/me');
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(user.id);

    const list = await ctx.as(user).get('/api/me/tokens');
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0].token).toBeUndefined();
    expect(list.body.items[0].last_used_at).not.toBeNull();

    const dump = JSON.stringify(await ctx.db.db.execute(sql`select * from api_tokens`));
    expect(dump).not.toContain(token);
    expect(dump).not.toContain(token.slice(4));

    expect((await ctx.as(user).delete(`/api/me/tokens/${created.body.id}`)).status).toBe(204);
    expectProblem(await ctx.as({ token }).get('/api/me'), 401);
  });

  it('a read-scoped token cannot mutate; a garbage token is 401; another user cannot revoke', async () => {
    const user = await ctx.newUser();
    const other = await ctx.newUser();
    const created = await ctx.as(user).post('/api/me/tokens', { name: 'ro', scope: 'read' });
    expect((await ctx.as({ token: created.body.token }).get('/api/me')).status).toBe(200);
    expectProblem(
      await ctx.as({ token: created.body.token }).post('/api/me/tokens', { name: 'x' }),
      403,
    );
    expectProblem(await ctx.as({ token: 'trt_nope' }).get('/api/me'), 401);
    expectProblem(await ctx.as(other).delete(`/api/me/tokens/${created.body.id}`), 404);
  });
});

describe('request hygiene', () => {
  it('refuses a cookie-authenticated POST from a foreign Origin with 403', async () => {
    const user = await ctx.newUser();
    const res = await ctx
      .as(user)
      .post('/api/me/tokens', { name: 'x' }, { origin: 'https://evil.example' });
    expectProblem(res, 403);
    const same = await ctx.as(user).post('/api/me/tokens', { name: 'x' });
    expect(same.status).toBe(201);
  });

  it('answers malformed JSON 400, unknown route 404, huge body 413, wrong type 415', async () => {
    const client = ctx.anonymous();
    expectProblem(await client.post('/api/auth/login', '{"email":'), 400);
    expectProblem(await client.get('/api/definitely/not/here'), 404);
    expectProblem(
      await client.post(
        '/api/auth/login',
        JSON.stringify({ email: 'a@b.co', password: 'x'.repeat(2_000_000) }),
      ),
      413,
    );
    expectProblem(
      await client.post('/api/auth/login', 'email=a', {
        'content-type': 'application/x-www-form-urlencoded',
      }),
      415,
    );
    expectProblem(await client.post('/api/auth/login', ['not', 'an', 'object']), 400);
    expectProblem(await client.get('/api/me'), 401);
  });

  it('echoes a well-formed X-Request-Id and answers health and readiness', async () => {
    const res = await ctx.anonymous().get('/api/health', { 'x-request-id': 'abc-123' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('abc-123');
    const ready = await ctx.anonymous().get('/api/ready');
    expect(ready.body).toMatchObject({ status: 'ready' });
  });
});
