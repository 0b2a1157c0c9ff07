import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../setup/context';
import { expectProblem } from '../setup/problems';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const box = (label: string, x: number) => ({
  id: randomUUID(),
  shape: 'process',
  label,
  x,
  y: 40,
  width: 120,
  height: 60,
});

describe('approvals pinned to what they covered', () => {
  it('review → sign-off → approval → one moved cell: drift 1 on the model, the diff shows the move', async () => {
    const [owner, writer, reviewer] = await Promise.all([
      ctx.newUser({ name: 'Olive Owner' }),
      ctx.newUser({ name: 'Wes Writer' }),
      ctx.newUser({ name: 'Rae Reviewer' }),
    ]);
    const tm = await ctx.newThreatModel(owner);
    await ctx.grant(tm, writer, 'writer');
    await ctx.grant(tm, reviewer, 'reviewer');
    const url = `/api/threat_models/${tm.id}`;
    const api = ctx.as(writer);
    const gateway = box('Gateway', 0);
    const created = await api.post(`${url}/diagrams`, {
      name: 'Edge',
      type: 'DFD-1.0.0',
      cells: [gateway, box('Billing', 300)],
    });
    const d = created.body.id;
    await api.post(`${url}/threats`, { name: 'Bypass', diagram_id: d, cell_id: gateway.id });
    expect((await ctx.as(owner).get(url)).body.drift).toEqual({
      since_approval: false,
      changes: 0,
      approval: null,
    });

    await api.post(`${url}/reviews`, { reviewer_ids: [reviewer.id] });
    const signOff = await ctx
      .as(reviewer)
      .post(`${url}/reviews/decision`, { decision: 'approved' });
    expect(signOff.status, JSON.stringify(signOff.body)).toBe(200);
    const approval = await ctx.as(owner).post(`${url}/reviews/decision`, { decision: 'approved' });
    expect(approval.status, JSON.stringify(approval.body)).toBe(200);
    const pinned = approval.body.approval.versions[d];
    expect(pinned).toBeGreaterThan(signOff.body.approval.versions[d]);
    const version = await api.get(`${url}/diagrams/${d}/versions/${pinned}`);
    expect(version.body).toMatchObject({
      kind: 'approval',
      change_description: 'Approved by Olive Owner',
      cell_count: 2,
      threats: [expect.objectContaining({ name: 'Bypass', cell_id: gateway.id })],
    });
    const clean = (await api.get(url)).body;
    expect(clean.status).toBe('approved');
    expect(clean.drift).toMatchObject({
      since_approval: false,
      changes: 0,
      approval: { approved_by: { id: owner.id, name: 'Olive Owner' }, versions: { [d]: pinned } },
    });

    // The report says what the approval covered.
    const report = await api.get(`${url}/report?format=html`);
    expect(report.status).toBe(200);
    expect(report.body).toContain(`Olive Owner (approved)`);
    expect(report.body).toContain(`covers Edge v${pinned}`);

    // A writer moves one cell (found by id: the live document does not keep the order).
    const cells = (await api.get(`${url}/diagrams/${d}`)).body.cells as { id: string }[];
    const index = cells.findIndex((c) => c.id === gateway.id);
    const moved = await api.patch(`${url}/diagrams/${d}`, [
      { op: 'replace', path: `/cells/${index}/x`, value: 80 },
    ]);
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    const drifted = (await ctx.as(reviewer).get(url)).body;
    expect(drifted.drift).toMatchObject({ since_approval: true, changes: 1 });
    const diff = await api.get(`${url}/diagrams/${d}/versions/${pinned}/diff?to=live`);
    expect(diff.body.cells).toEqual({
      added: [],
      removed: [],
      changed: [
        expect.objectContaining({
          id: gateway.id,
          kinds: ['moved'],
          fields: { position: { from: { x: 0, y: 40 }, to: { x: 80, y: 40 } } },
        }),
      ],
    });
    // A threat's change counts too; so does a new diagram.
    await api.post(`${url}/threats`, { name: 'Replay', diagram_id: d, cell_id: gateway.id });
    await api.post(`${url}/diagrams`, { name: 'Later', type: 'DFD-1.0.0' });
    expect((await api.get(url)).body.drift.changes).toBe(3);
  });

  it('PUT or PATCH of status approved is a 409 pointing to the decision; approval needs review first', async () => {
    const owner = await ctx.newUser();
    const tm = await ctx.newThreatModel(owner);
    const url = `/api/threat_models/${tm.id}`;
    const api = ctx.as(owner);
    const patched = await api.patch(url, [{ op: 'replace', path: '/status', value: 'approved' }]);
    expectProblem(patched, 409, 'approval_via_review_decision');
    expect(patched.body.detail).toContain('POST /api/threat_models/{tm}/reviews/decision');
    expectProblem(await api.put(url, { name: tm.name, status: 'approved' }), 409);
    expectProblem(await api.post(`${url}/reviews/decision`, { decision: 'approved' }), 409);
  });

  it('an owner may drop the sign-off requirement; writers may not change it', async () => {
    const owner = await ctx.newUser();
    const writer = await ctx.newUser();
    const reviewer = await ctx.newUser();
    const tm = await ctx.newThreatModel(owner);
    await ctx.grant(tm, writer, 'writer');
    await ctx.grant(tm, reviewer, 'reviewer');
    const url = `/api/threat_models/${tm.id}`;
    const off = [{ op: 'replace', path: '/require_reviewer_signoff', value: false }];
    expectProblem(await ctx.as(writer).patch(url, off), 403);
    const patched = await ctx.as(owner).patch(url, off);
    expect(patched.body.require_reviewer_signoff).toBe(false);
    await ctx.as(writer).post(`${url}/reviews`, { reviewer_ids: [reviewer.id] });
    const approved = await ctx.as(owner).post(`${url}/reviews/decision`, { decision: 'approved' });
    expect(approved.status).toBe(200);
    expect(approved.body.status).toBe('approved');
  });
});
