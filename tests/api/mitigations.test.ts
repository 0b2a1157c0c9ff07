import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { liveThreatsFromDoc } from '../../model/live-threats';
import { createTestContext, type TestContext } from '../setup/context';
import type { TestUser } from '../setup/factories';
import { expectProblem } from '../setup/problems';

let ctx: TestContext;
let owner: TestUser;
let reader: TestUser;
let tm: { id: string };
const CELL = '00000000-0000-4000-8000-0000000000a1';
const OTHER = '00000000-0000-4000-8000-0000000000a2';

beforeAll(async () => {
  ctx = await createTestContext();
  [owner, reader] = await Promise.all([ctx.newUser(), ctx.newUser()]);
  tm = await ctx.newThreatModel(owner);
  await ctx.grant(tm, reader, 'reader');
});
afterAll(() => ctx.close());

const at = (rest: string) => `/api/threat_models/${tm.id}${rest}`;

async function newDiagram() {
  const res = await ctx.as(owner).post(at('/diagrams'), {
    name: 'D',
    type: 'DFD-1.0.0',
    cells: [
      { id: CELL, shape: 'process', x: 0, y: 0, width: 80, height: 40, label: 'API' },
      { id: OTHER, shape: 'store', x: 200, y: 0, width: 80, height: 40, label: 'DB' },
    ],
  });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

/** The diagram's live `threats` map, as a participant would see it. */
async function liveThreats(diagramId: string) {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, (await ctx.deps.live.snapshot(diagramId)).state);
  return liveThreatsFromDoc(doc);
}

describe('mitigations', () => {
  it('lower current risk when implemented, projected while planned; TMI fields are derived', async () => {
    const diagramId = await newDiagram();
    const threat = await ctx.as(owner).post(at('/threats'), {
      name: 'Flooding',
      likelihood: 'High',
      impact: 'High',
      diagram_id: diagramId,
      cell_id: CELL,
      mitigation: 'legacy note',
    });
    expect(threat.status).toBe(201);
    expect(threat.body).toMatchObject({
      cell_ids: [CELL],
      rule_id: null,
      mitigation_ids: [],
      mitigation: 'legacy note',
      mitigated: false,
      unlinked: false,
      risk: {
        inherent: { score: 56.3, level: 'critical' },
        current: { score: 56.3, level: 'critical' },
        projected: { score: 56.3, level: 'critical' },
      },
    });
    expect(await liveThreats(diagramId)).toMatchObject([
      { id: threat.body.id, risk_level: 'critical', mitigated: false, cell_ids: [CELL] },
    ]);

    const m = await ctx.as(owner).post(at('/mitigations'), {
      name: 'Rate limit',
      description: 'per client',
      risk_reduction: 50,
    });
    expect(m.status).toBe(201);
    expect(m.body).toMatchObject({ status: 'proposed', risk_reduction: 50, threat_ids: [] });
    const link = at(`/threats/${threat.body.id}/mitigations/${m.body.id}`);
    expect((await ctx.as(reader).put(link)).status).toBe(403);
    expect((await ctx.as(owner).put(link)).status).toBe(204);
    expect((await ctx.as(owner).put(link)).status).toBe(204); // idempotent

    let got = await ctx.as(owner).get(at(`/threats/${threat.body.id}`));
    expect(got.body).toMatchObject({
      mitigation_ids: [m.body.id],
      mitigation: 'Rate limit — per client',
      mitigated: false,
      risk: {
        current: { score: 56.3, level: 'critical' },
        projected: { score: 28.1, level: 'medium' },
      },
    });

    const put = await ctx
      .as(owner)
      .put(at(`/mitigations/${m.body.id}`), { ...m.body, status: 'implemented' });
    expect(put.status).toBe(200);
    expect(put.body.threat_ids).toEqual([threat.body.id]);
    got = await ctx.as(owner).get(at(`/threats/${threat.body.id}`));
    expect(got.body).toMatchObject({
      mitigated: true,
      risk: { inherent: { level: 'critical' }, current: { score: 28.1, level: 'medium' } },
    });
    // The canvas marks read the live map: its risk level follows the status change.
    expect(await liveThreats(diagramId)).toMatchObject([
      { id: threat.body.id, risk_level: 'medium', mitigated: true },
    ]);

    // A PUT carrying TMI's `mitigated: false` does not undo the derived value.
    const replaced = await ctx.as(owner).put(at(`/threats/${threat.body.id}`), {
      name: 'Flooding',
      likelihood: 'High',
      impact: 'High',
      diagram_id: diagramId,
      cell_ids: [CELL, OTHER],
      mitigated: false,
    });
    expect(replaced.body).toMatchObject({
      mitigated: true,
      cell_id: CELL,
      cell_ids: [CELL, OTHER],
    });

    expect((await ctx.as(owner).delete(link)).status).toBe(204);
    got = await ctx.as(owner).get(at(`/threats/${threat.body.id}`));
    expect(got.body).toMatchObject({ mitigation_ids: [], mitigated: false });
    expect(got.body.risk.current.level).toBe('critical');

    const audit = await ctx.as(owner).get(at('/audit'));
    const actions = audit.body.items.map((e: { action: string }) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'mitigation.create',
        'mitigation.update',
        'threat.mitigation.link',
        'threat.mitigation.unlink',
      ]),
    );
  });

  it('one mitigation answers several threats; deleting it updates them all', async () => {
    const diagramId = await newDiagram();
    const bulk = await ctx.as(owner).post(at('/threats/bulk'), [
      { name: 'A', likelihood: 'Medium', impact: 'High', diagram_id: diagramId, cell_id: CELL },
      { name: 'B', likelihood: 'Low', impact: 'High', diagram_id: diagramId, cell_id: OTHER },
    ]);
    const m = await ctx.as(owner).post(at('/mitigations'), {
      name: 'WAF',
      status: 'verified',
      risk_reduction: 100,
    });
    for (const t of bulk.body.items) {
      await ctx.as(owner).put(at(`/threats/${t.id}/mitigations/${m.body.id}`));
    }
    const live = await liveThreats(diagramId);
    expect(live.map((t) => [t.name, t.risk_level, t.mitigated])).toEqual([
      ['A', 'none', true],
      ['B', 'none', true],
    ]);
    expect((await ctx.as(owner).get(at(`/mitigations/${m.body.id}`))).body.threat_ids).toHaveLength(
      2,
    );
    expect((await ctx.as(owner).delete(at(`/mitigations/${m.body.id}`))).status).toBe(204);
    expect((await liveThreats(diagramId)).map((t) => t.risk_level)).toEqual(['high', 'medium']);
  });

  it('rejects bad input with problem+json', async () => {
    expectProblem(
      await ctx.as(owner).post(at('/mitigations'), { name: 'x', risk_reduction: 101 }),
      400,
    );
    expectProblem(await ctx.as(owner).post(at('/mitigations'), { name: 'x', status: 'done' }), 400);
    expectProblem(
      await ctx
        .as(owner)
        .post(at('/mitigations'), { name: 'x', owner_id: '00000000-0000-4000-8000-000000000000' }),
      400,
    );
    const t = await ctx.as(owner).post(at('/threats'), { name: 'T' });
    expectProblem(
      await ctx
        .as(owner)
        .put(at(`/threats/${t.body.id}/mitigations/00000000-0000-4000-8000-000000000000`)),
      404,
    );
  });

  it('a threat whose cell was deleted is listed as unlinked', async () => {
    const diagramId = await newDiagram();
    const t = await ctx
      .as(owner)
      .post(at('/threats'), { name: 'On DB', diagram_id: diagramId, cell_id: OTHER });
    const d = await ctx.as(owner).get(at(`/diagrams/${diagramId}`));
    const cells = d.body.cells.filter((c: { id: string }) => c.id !== OTHER);
    const put = await ctx.as(owner).put(at(`/diagrams/${diagramId}`), { name: 'D', cells });
    expect(put.status).toBe(200);
    const listed = await ctx.as(owner).get(at(`/threats?diagram_id=${diagramId}`));
    expect(listed.body.items.find((x: { id: string }) => x.id === t.body.id)).toMatchObject({
      unlinked: true,
      cell_id: OTHER,
    });
    // Deleting it takes it out of the live map too.
    expect((await ctx.as(owner).delete(at(`/threats/${t.body.id}`))).status).toBe(204);
    expect((await liveThreats(diagramId)).some((x) => x.id === t.body.id)).toBe(false);
  });
});
