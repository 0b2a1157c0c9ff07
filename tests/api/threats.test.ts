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

const base = () => `/api/threat_models/${tm.id}/threats`;

async function threatCount(id: string) {
  const [row] = await ctx.db.db
    .select({ n: schema.threatModels.threatCount })
    .from(schema.threatModels)
    .where(eq(schema.threatModels.id, id));
  return row!.n;
}

async function auditActions(entityId: string) {
  const rows = await ctx.db.db
    .select({ action: schema.auditLog.action })
    .from(schema.auditLog)
    .where(eq(schema.auditLog.entityId, entityId));
  return rows.map((r) => r.action);
}

describe('threats', () => {
  it('requires auth, hides other models (404) and refuses readers (403)', async () => {
    expectProblem(await ctx.anonymous().get(base()), 401);
    expectProblem(await ctx.anonymous().post(base(), { name: 'x' }), 401);
    expectProblem(await ctx.as(stranger).get(base()), 404);
    expectProblem(await ctx.as(stranger).post(base(), { name: 'x' }), 404);
    expectProblem(await ctx.as(owner).get(`/api/threat_models/${randomUUID()}/threats`), 404);
    expect((await ctx.as(reader).get(base())).status).toBe(200);
    expectProblem(await ctx.as(reader).post(base(), { name: 'x' }), 403);
  });

  it('rejects bad input with problem+json and field paths', async () => {
    const res = await ctx.as(owner).post(base(), { name: '', score: 101, severity: 'Huge' });
    expectProblem(res, 400);
    expect(res.body.errors.map((e: any) => e.path).sort()).toEqual(['name', 'score', 'severity']);
    expectProblem(await ctx.as(owner).post(base(), { name: 'x', cell_id: randomUUID() }), 400);
    expectProblem(await ctx.as(owner).get(`${base()}/not-a-uuid`), 400);
    expectProblem(await ctx.as(owner).get(`${base()}?sort=evil:asc`), 400);
    const foreign = await ctx.as(owner).post(base(), { name: 'x', diagram_id: randomUUID() });
    expectProblem(foreign, 400);
    expect(foreign.body.errors[0].path).toBe('diagram_id');
  });

  it('stores scores to two decimals (a denormal score once underflowed the column: 500)', async () => {
    const tiny = await ctx.as(owner).post(base(), { name: 'tiny', score: 5e-324 });
    expect(tiny.status).toBe(201);
    expect(tiny.body.score).toBe(0);
    const fine = await ctx.as(owner).post(base(), { name: 'fine', score: 33.3333 });
    expect(fine.body.score).toBeCloseTo(33.33, 5);
  });

  it('creates, reads with ETag, replaces, patches and deletes, keeping counts', async () => {
    const before = await threatCount(tm.id);
    const created = await ctx.as(owner).post(base(), {
      name: 'Spoofed token',
      threat_type: ['Spoofing'],
      severity: 'High',
      score: 72.5,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Spoofed token', severity: 'High', version: 1 });
    expect(await threatCount(tm.id)).toBe(before + 1);
    const url = `${base()}/${created.body.id}`;
    const got = await ctx.as(reader).get(url);
    expect(got.headers.get('etag')).toBe('"1"');
    expect(got.body.created_at).toMatch(/T.*Z$/);

    const put = await ctx
      .as(owner)
      .put(url, { name: 'Renamed', status: 'in_progress' }, { 'if-match': '"1"' });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      name: 'Renamed',
      severity: 'Unknown',
      score: null,
      version: 2,
    });

    const patched = await ctx.as(owner).patch(url, [
      { op: 'test', path: '/name', value: 'Renamed' },
      { op: 'add', path: '/threat_type/-', value: 'Tampering' },
      { op: 'replace', path: '/mitigated', value: true },
    ]);
    expect(patched.status).toBe(200);
    // `mitigated` is accepted for TMI clients but derived from linked mitigations (none here).
    expect(patched.body).toMatchObject({
      threat_type: ['Tampering'],
      mitigated: false,
      version: 3,
    });
    expect(patched.headers.get('etag')).toBe('"3"');

    expectProblem(
      await ctx.as(owner).patch(url, [{ op: 'test', path: '/name', value: 'no' }]),
      409,
    );
    expectProblem(
      await ctx.as(owner).patch(url, [{ op: 'replace', path: '/version', value: 9 }]),
      400,
    );
    const invalid = await ctx.as(owner).patch(url, [{ op: 'replace', path: '/score', value: 500 }]);
    expectProblem(invalid, 400);
    expect(invalid.body.errors[0].path).toBe('score');

    expect((await ctx.as(owner).delete(url)).status).toBe(204);
    expectProblem(await ctx.as(owner).get(url), 404);
    expect(await threatCount(tm.id)).toBe(before);
    expect(await auditActions(created.body.id)).toEqual([
      'threat.create',
      'threat.update',
      'threat.update',
      'threat.delete',
    ]);
  });

  it('answers a stale If-Match with 412 and changes nothing, not even the audit log', async () => {
    const created = await ctx.as(owner).post(base(), { name: 'Stale' });
    const url = `${base()}/${created.body.id}`;
    await ctx.as(owner).put(url, { name: 'Fresh' });
    const stale = { 'if-match': '"1"' };
    expectProblem(await ctx.as(owner).put(url, { name: 'Lost' }, stale), 412);
    expectProblem(
      await ctx.as(owner).patch(url, [{ op: 'replace', path: '/name', value: 'L' }], stale),
      412,
    );
    expectProblem(await ctx.as(owner).delete(url, stale), 412);
    expectProblem(await ctx.as(owner).delete(url, { 'if-match': 'garbage' }), 400);
    const got = await ctx.as(owner).get(url);
    expect(got.body).toMatchObject({ name: 'Fresh', version: 2 });
    expect(await auditActions(created.body.id)).toEqual(['threat.create', 'threat.update']);
  });

  it('bulk-creates up to 100 in one transaction, all or nothing', async () => {
    const before = await threatCount(tm.id);
    const items = Array.from({ length: 100 }, (_, i) => ({ name: `Bulk ${i}` }));
    expectProblem(
      await ctx.as(owner).post(`${base()}/bulk`, [...items, { name: 'one too many' }]),
      400,
    );
    const bad = [...items.slice(0, 10), { name: 'points away', diagram_id: randomUUID() }];
    const refused = await ctx.as(owner).post(`${base()}/bulk`, bad);
    expectProblem(refused, 400);
    expect(refused.body.errors[0].path).toBe('10.diagram_id');
    expect(await threatCount(tm.id)).toBe(before);

    const ok = await ctx.as(owner).post(`${base()}/bulk`, items);
    expect(ok.status).toBe(201);
    expect(ok.body.items.map((t: any) => t.name)).toEqual(items.map((t) => t.name));
    expect(await threatCount(tm.id)).toBe(before + 100);
    const listed = await ctx.as(owner).get(`${base()}?q=Bulk&limit=1`);
    expect(listed.body).toMatchObject({ total: 100, limit: 1, offset: 0 });
  });

  it('filters by severity, status, diagram, cell and text; sorts by severity rank', async () => {
    const m = await ctx.newThreatModel(owner);
    const diagram = await ctx
      .as(owner)
      .post(`/api/threat_models/${m.id}/diagrams`, { name: 'D', type: 'DFD-1.0.0' });
    const cell = randomUUID();
    await ctx.as(owner).post(`/api/threat_models/${m.id}/threats/bulk`, [
      { name: 'Low one', severity: 'Low', status: 'closed' },
      { name: 'Critical one', severity: 'Critical', diagram_id: diagram.body.id, cell_id: cell },
      { name: 'Medium 100%_', severity: 'Medium', description: 'has a literal %_' },
    ]);
    const names = async (query: string) =>
      (await ctx.as(owner).get(`/api/threat_models/${m.id}/threats?${query}`)).body.items.map(
        (t: any) => t.name,
      );
    expect(await names('sort=severity:desc')).toEqual(['Critical one', 'Medium 100%_', 'Low one']);
    expect(await names('severity=Low')).toEqual(['Low one']);
    expect(await names('status=closed')).toEqual(['Low one']);
    expect(await names(`diagram_id=${diagram.body.id}`)).toEqual(['Critical one']);
    expect(await names(`cell_id=${cell}`)).toEqual(['Critical one']);
    expect(await names('q=%25_')).toEqual(['Medium 100%_']);
    expect(await names('sort=name:asc&limit=1&offset=1')).toEqual(['Low one']);
  });
});
