import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { schema } from '../../db';
import { createTestContext, type TestContext } from '../setup/context';
import type { TestUser } from '../setup/factories';
import { expectProblem } from '../setup/problems';

let ctx: TestContext;
let owner: TestUser;
let stranger: TestUser;
let reader: TestUser;
let tm: { id: string };
beforeAll(async () => {
  ctx = await createTestContext();
  [owner, stranger, reader] = await Promise.all([ctx.newUser(), ctx.newUser(), ctx.newUser()]);
  tm = await ctx.newThreatModel(owner);
  await ctx.grant(tm, reader, 'reader');
});
afterAll(() => ctx.close());

async function counts() {
  const [row] = await ctx.db.db
    .select({
      documents: schema.threatModels.documentCount,
      repositories: schema.threatModels.repositoryCount,
    })
    .from(schema.threatModels)
    .where(eq(schema.threatModels.id, tm.id));
  return row!;
}

const CASES = [
  {
    segment: 'documents',
    valid: { name: 'Design doc', url: 'https://example.com/design' },
    invalid: { name: 'x', url: 'javascript:alert(1)' },
    badPath: 'url',
    count: 'documents' as const,
  },
  {
    segment: 'repositories',
    valid: {
      name: 'api',
      url: 'git@example.com:org/api.git',
      type: 'git',
      parameters: { branch: 'main' },
    },
    invalid: { name: 'api', url: 'x', type: 'cvs' },
    badPath: 'type',
    count: 'repositories' as const,
  },
];

describe.each(CASES)('$segment', ({ segment, valid, invalid, badPath, count }) => {
  const base = () => `/api/threat_models/${tm.id}/${segment}`;

  it('requires auth, hides other models (404) and refuses readers (403)', async () => {
    expectProblem(await ctx.anonymous().get(base()), 401);
    expectProblem(await ctx.as(stranger).get(base()), 404);
    expectProblem(await ctx.as(stranger).post(base(), valid), 404);
    expectProblem(await ctx.as(reader).post(base(), valid), 403);
    expectProblem(await ctx.as(owner).get(`${base()}/${randomUUID()}`), 404);
  });

  it('rejects bad input with problem+json', async () => {
    const res = await ctx.as(owner).post(base(), invalid);
    expectProblem(res, 400);
    expect(res.body.errors.map((e: any) => e.path)).toContain(badPath);
    expectProblem(await ctx.as(owner).post(base(), { ...valid, name: 'n'.repeat(257) }), 400);
  });

  it('runs the full life cycle with versions, If-Match, JSON Patch and counts', async () => {
    const before = (await counts())[count];
    const created = await ctx.as(owner).post(base(), valid);
    expect(created.status).toBe(201);
    expect(created.headers.get('etag')).toBe('"1"');
    expect((await counts())[count]).toBe(before + 1);
    const url = `${base()}/${created.body.id}`;
    expect((await ctx.as(reader).get(url)).body).toMatchObject({ ...valid, version: 1 });
    const list = await ctx.as(reader).get(`${base()}?sort=name:desc`);
    expect(list.body.items.map((i: any) => i.id)).toContain(created.body.id);

    const put = await ctx.as(owner).put(url, { ...valid, name: 'Renamed' }, { 'if-match': '"1"' });
    expect(put.body).toMatchObject({ name: 'Renamed', version: 2 });
    expectProblem(await ctx.as(owner).put(url, valid, { 'if-match': '"1"' }), 412);
    const patched = await ctx
      .as(owner)
      .patch(url, [{ op: 'replace', path: '/description', value: 'd' }]);
    expect(patched.body).toMatchObject({ name: 'Renamed', description: 'd', version: 3 });
    expectProblem(
      await ctx.as(owner).patch(url, [{ op: 'test', path: '/name', value: 'no' }]),
      409,
    );
    expectProblem(
      await ctx.as(owner).patch(url, [{ op: 'replace', path: '/id', value: 'x' }]),
      400,
    );
    expectProblem(await ctx.as(owner).delete(url, { 'if-match': '"2"' }), 412);
    expect((await ctx.as(owner).get(url)).body.version).toBe(3);

    expect((await ctx.as(owner).delete(url, { 'if-match': '"3"' })).status).toBe(204);
    expect((await counts())[count]).toBe(before);
    const actions = await ctx.db.db
      .select({ action: schema.auditLog.action })
      .from(schema.auditLog)
      .where(eq(schema.auditLog.entityId, created.body.id))
      .orderBy(schema.auditLog.id);
    const noun = segment === 'documents' ? 'document' : 'repository';
    expect(actions.map((a) => a.action)).toEqual(
      ['create', 'update', 'update', 'delete'].map((a) => `${noun}.${a}`),
    );
  });
});
