import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../db';
import { createTestContext, type TestContext } from '../setup/context';
import type { TestUser } from '../setup/factories';

/** ISSUE 16, acceptance 4 (backend): duplicating a diagram, with or without its threats. */
let ctx: TestContext;
let owner: TestUser;
let reader: TestUser;
let tm: { id: string };
beforeAll(async () => {
  ctx = await createTestContext();
  [owner, reader] = await Promise.all([ctx.newUser(), ctx.newUser()]);
  tm = await ctx.newThreatModel(owner);
  await ctx.grant(tm, reader, 'reader');
});
afterAll(() => ctx.close());

const base = () => `/api/threat_models/${tm.id}/diagrams`;
const box = (label: string, extra: object = {}) => ({
  id: randomUUID(),
  shape: 'process',
  x: 10,
  y: 20,
  width: 100,
  height: 50,
  label,
  ...extra,
});

async function source() {
  const boundary = { ...box('DMZ'), shape: 'security-boundary', width: 400, height: 300 };
  const a = box('Web', { parent: boundary.id });
  const b = { ...box('Orders DB'), shape: 'store', x: 300 };
  const flow = { id: randomUUID(), shape: 'flow', source: { cell: a.id }, target: { cell: b.id } };
  const res = await ctx.as(owner).post(base(), {
    name: 'Checkout',
    type: 'DFD-1.0.0',
    cells: [boundary, a, b, flow],
  });
  expect(res.status).toBe(201);
  const threat = await ctx.as(owner).post(`/api/threat_models/${tm.id}/threats`, {
    name: 'SQL injection',
    severity: 'High',
    diagram_id: res.body.id,
    cell_id: b.id,
  });
  expect(threat.status).toBe(201);
  return { id: res.body.id as string, cells: { boundary, a, b, flow } };
}

describe('POST /diagrams/{id}/duplicate', () => {
  it('copies the cells under new ids, flows and containment pointing at the copies', async () => {
    const src = await source();
    const res = await ctx.as(owner).post(`${base()}/${src.id}/duplicate`, {});
    expect(res.status).toBe(201);
    expect(res.body.name).toBe('Checkout (copy)');
    expect(res.body.id).not.toBe(src.id);
    const cells = res.body.cells as any[];
    expect(cells).toHaveLength(4);
    const oldIds = new Set(Object.values(src.cells).map((c) => c.id));
    expect(cells.some((c) => oldIds.has(c.id))).toBe(false);
    const byLabel = new Map(cells.map((c) => [c.label, c]));
    const flow = cells.find((c) => c.shape === 'flow');
    expect(flow.source.cell).toBe(byLabel.get('Web').id);
    expect(flow.target.cell).toBe(byLabel.get('Orders DB').id);
    expect(byLabel.get('Web').parent).toBe(byLabel.get('DMZ').id);

    // Without with_threats no threat is copied.
    const threats = await ctx
      .as(owner)
      .get(`/api/threat_models/${tm.id}/threats?diagram_id=${res.body.id}`);
    expect(threats.body.total).toBe(0);

    const [audit] = await ctx.db.db
      .select({ action: schema.auditLog.action, changes: schema.auditLog.changes })
      .from(schema.auditLog)
      .where(eq(schema.auditLog.entityId, res.body.id));
    expect(audit?.action).toBe('diagram.duplicate');
    expect((audit?.changes as any).source_diagram_id.after).toBe(src.id);
  });

  it('with_threats copies the threats, linked to the copied cells, and counts them', async () => {
    const src = await source();
    const before = await ctx.as(owner).get(`/api/threat_models/${tm.id}`);
    const res = await ctx
      .as(owner)
      .post(`${base()}/${src.id}/duplicate`, { name: 'Checkout v2', with_threats: true });
    expect(res.status).toBe(201);
    expect(res.body.name).toBe('Checkout v2');
    const store = (res.body.cells as any[]).find((c) => c.label === 'Orders DB');
    const threats = await ctx
      .as(owner)
      .get(`/api/threat_models/${tm.id}/threats?diagram_id=${res.body.id}`);
    expect(threats.body.items).toHaveLength(1);
    expect(threats.body.items[0]).toMatchObject({
      name: 'SQL injection',
      severity: 'High',
      cell_id: store.id,
    });
    const after = await ctx.as(owner).get(`/api/threat_models/${tm.id}`);
    expect(after.body.threat_count).toBe(before.body.threat_count + 1);
    expect(after.body.diagram_count).toBe(before.body.diagram_count + 1);
  });

  it('refuses readers (403), unknown diagrams (404) and bad input (400), writing nothing', async () => {
    const src = await source();
    const count = async () => (await ctx.as(owner).get(base())).body.total as number;
    const n = await count();
    const forbidden = await ctx.as(reader).post(`${base()}/${src.id}/duplicate`, {});
    expect(forbidden.status).toBe(403);
    expect(forbidden.contentType).toContain('application/problem+json');
    expect((await ctx.as(owner).post(`${base()}/${randomUUID()}/duplicate`, {})).status).toBe(404);
    expect((await ctx.as(owner).post(`${base()}/${src.id}/duplicate`, { name: '' })).status).toBe(
      400,
    );
    expect(
      (await ctx.as(owner).post(`${base()}/${src.id}/duplicate`, { with_threats: 'yes' })).status,
    ).toBe(400);
    expect(await count()).toBe(n);
  });
});
