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

const base = () => `/api/threat_models/${tm.id}/diagrams`;
const node = (label: string, extra: object = {}) => ({
  id: randomUUID(),
  shape: 'process',
  x: 10,
  y: 20,
  width: 100,
  height: 50,
  label,
  ...extra,
});

async function auditOf(entityId: string) {
  return ctx.db.db
    .select({ action: schema.auditLog.action, changes: schema.auditLog.changes })
    .from(schema.auditLog)
    .where(eq(schema.auditLog.entityId, entityId))
    .orderBy(schema.auditLog.id);
}

async function diagramCount() {
  const [row] = await ctx.db.db
    .select({ n: schema.threatModels.diagramCount })
    .from(schema.threatModels)
    .where(eq(schema.threatModels.id, tm.id));
  return row!.n;
}

describe('diagrams', () => {
  it('requires auth, hides other models (404) and refuses readers (403)', async () => {
    expectProblem(await ctx.anonymous().get(base()), 401);
    expectProblem(await ctx.as(stranger).get(base()), 404);
    expectProblem(await ctx.as(stranger).post(base(), { name: 'D', type: 'DFD-1.0.0' }), 404);
    expectProblem(await ctx.as(reader).post(base(), { name: 'D', type: 'DFD-1.0.0' }), 403);
    expectProblem(await ctx.as(owner).get(`${base()}/${randomUUID()}`), 404);
  });

  it('rejects bad cells with every problem and its path', async () => {
    const flow = {
      id: randomUUID(),
      shape: 'flow',
      source: { cell: randomUUID() },
      target: { cell: 'x' },
    };
    const res = await ctx.as(owner).post(base(), {
      name: 'D',
      type: 'DFD-1.0.0',
      cells: [node('a', { width: -1 }), { id: 'nope', shape: 'cloud' }, flow],
    });
    expectProblem(res, 400);
    expect(res.body.errors.map((e: any) => e.path)).toEqual(
      expect.arrayContaining([
        'cells[0].width',
        'cells[1].id',
        'cells[1].shape',
        'cells[2].target.cell',
      ]),
    );
    expectProblem(await ctx.as(owner).post(base(), { name: 'D', type: 'BPMN' }), 400);
  });

  it('creates with TMI position/size, lists without cells, reads cells with ETag', async () => {
    const before = await diagramCount();
    const a = {
      id: randomUUID(),
      shape: 'actor',
      position: { x: 1, y: 2 },
      size: { width: 30, height: 40 },
    };
    const b = node('Orders API');
    const f = {
      id: randomUUID(),
      shape: 'flow',
      source: { cell: a.id },
      target: { cell: b.id },
      label: 'HTTPS',
    };
    const created = await ctx
      .as(owner)
      .post(base(), { name: 'Main', type: 'DFD-1.0.0', cells: [a, b, f] });
    expect(created.status).toBe(201);
    expect(created.body.cells).toHaveLength(3);
    expect(created.body.cells.find((c: any) => c.id === a.id)).toMatchObject({
      x: 1,
      y: 2,
      width: 30,
      height: 40,
    });
    expect(await diagramCount()).toBe(before + 1);

    const list = await ctx.as(reader).get(base());
    expect(list.body.total).toBeGreaterThan(0);
    expect(list.body.items[0].cells).toBeUndefined();
    const got = await ctx.as(reader).get(`${base()}/${created.body.id}`);
    expect(got.headers.get('etag')).toBe('"1"');
    expect(got.body.cells.map((c: any) => c.id).sort()).toEqual([a.id, b.id, f.id].sort());
  });

  it('PUT replaces cells, bumps version, audits counts; stale If-Match → 412, nothing changed', async () => {
    const keep = node('keep');
    const drop = node('drop');
    const created = await ctx
      .as(owner)
      .post(base(), { name: 'P', type: 'DFD-1.0.0', cells: [keep, drop] });
    const url = `${base()}/${created.body.id}`;
    const cellMeta = `${url}/cells/${drop.id}/metadata/k`;
    expect((await ctx.as(owner).put(cellMeta, { value: 'v' })).status).toBe(201);
    const fresh = node('new');
    const put = await ctx
      .as(owner)
      .put(url, { name: 'P2', cells: [{ ...keep, label: 'kept' }, fresh] }, { 'if-match': '"1"' });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ name: 'P2', version: 2 });
    expect(put.body.cells.map((c: any) => c.label).sort()).toEqual(['kept', 'new']);
    const orphans = await ctx.db.db
      .select()
      .from(schema.metadata)
      .where(eq(schema.metadata.entityId, drop.id));
    expect(orphans).toEqual([]);

    expectProblem(
      await ctx.as(owner).put(url, { name: 'lost', cells: [] }, { 'if-match': '"1"' }),
      412,
    );
    expectProblem(await ctx.as(owner).delete(url, { 'if-match': '"1"' }), 412);
    const after = await ctx.as(owner).get(url);
    expect(after.body).toMatchObject({ name: 'P2', version: 2 });
    expect(after.body.cells).toHaveLength(2);
    const audit = await auditOf(created.body.id);
    expect(audit.map((e) => e.action)).toEqual(['diagram.create', 'diagram.cells.replace']);
    expect(audit[1]!.changes!.cells!.after).toEqual({ count: 2, added: 1, removed: 1, changed: 1 });
    expect(JSON.stringify(audit[1]!.changes)).not.toContain(fresh.id);
  });

  it('PATCH edits name and cells field by field; test failure → 409; outside allow-list → 400', async () => {
    const a = node('a');
    const created = await ctx.as(owner).post(base(), { name: 'Q', type: 'DFD-1.0.0', cells: [a] });
    const url = `${base()}/${created.body.id}`;
    // A live participant moved the cell; the PATCH only renames it and keeps the move.
    const liveMove = ctx.deps.live.transact(
      created.body.id,
      (doc) => (doc.getMap('cells').get(a.id) as any).set('x', 999),
      owner.id,
    );
    const patchOps = [
      { op: 'test', path: '/cells/0/id', value: a.id },
      { op: 'replace', path: '/cells/0/label', value: 'renamed' },
      { op: 'replace', path: '/name', value: 'Q2' },
    ];
    await liveMove;
    const patched = await ctx.as(owner).patch(url, patchOps);
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: 'Q2', version: 2 });
    expect(patched.body.cells[0]).toMatchObject({ label: 'renamed', x: 999 });

    expectProblem(
      await ctx.as(owner).patch(url, [{ op: 'test', path: '/name', value: 'zz' }]),
      409,
    );
    expectProblem(
      await ctx.as(owner).patch(url, [{ op: 'replace', path: '/type', value: 'x' }]),
      400,
    );
    const bad = await ctx
      .as(owner)
      .patch(url, [{ op: 'replace', path: '/cells/0/width', value: -5 }]);
    expectProblem(bad, 400);
    expect(bad.body.errors[0].path).toBe('cells[0].width');
    expectProblem(
      await ctx.as(reader).patch(url, [{ op: 'replace', path: '/name', value: 'r' }]),
      403,
    );
    expect((await ctx.as(owner).get(url)).body).toMatchObject({ name: 'Q2', version: 2 });
    const audit = await auditOf(created.body.id);
    expect(audit.map((e) => e.action)).toEqual(['diagram.create', 'diagram.cells.patch']);
  });

  it('deletes with its metadata; threats stay detached; counts drop', async () => {
    const created = await ctx.as(owner).post(base(), { name: 'Gone', type: 'DFD-1.0.0' });
    const url = `${base()}/${created.body.id}`;
    const threat = await ctx
      .as(owner)
      .post(`/api/threat_models/${tm.id}/threats`, { name: 'T', diagram_id: created.body.id });
    const before = await diagramCount();
    expect((await ctx.as(owner).delete(url, { 'if-match': '"1"' })).status).toBe(204);
    expect(await diagramCount()).toBe(before - 1);
    expectProblem(await ctx.as(owner).get(url), 404);
    const t = await ctx.as(owner).get(`/api/threat_models/${tm.id}/threats/${threat.body.id}`);
    expect(t.body.diagram_id).toBeNull();
  });
});
