import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../setup/context';
import { expectProblem } from '../setup/problems';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const node = (shape: string, label: string, x: number, data: Record<string, unknown> = {}) => ({
  id: randomUUID(),
  shape,
  label,
  x,
  y: 100,
  width: 120,
  height: 60,
  data,
});
const flow = (source: string, target: string, label: string) => ({
  id: randomUUID(),
  shape: 'flow',
  label,
  source: { cell: source },
  target: { cell: target },
});

describe('GET …/versions/{n}/diff', () => {
  it('lists exactly what changed between two versions: cells field by field, threats', async () => {
    const owner = await ctx.newUser({ name: 'Vera Version' });
    const tm = await ctx.newThreatModel(owner);
    const api = ctx.as(owner);
    const actor = node('actor', 'Customer', 0);
    const api1 = node('process', 'API', 300);
    const db = node('store', 'Orders', 600, { encrypted: false });
    const login = flow(actor.id, api1.id, 'login');
    const write = flow(api1.id, db.id, 'write');
    const created = await api.post(`/api/threat_models/${tm.id}/diagrams`, {
      name: 'Shop',
      type: 'DFD-1.0.0',
      cells: [actor, api1, db, login, write],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const d = created.body.id;
    const base = `/api/threat_models/${tm.id}/diagrams/${d}`;
    const spoof = await api.post(`/api/threat_models/${tm.id}/threats`, {
      name: 'Spoofed session',
      diagram_id: d,
      cell_id: api1.id,
    });
    const leak = await api.post(`/api/threat_models/${tm.id}/threats`, {
      name: 'Orders leak',
      diagram_id: d,
      cell_id: db.id,
    });
    const v1 = await api.post(`${base}/versions`, { change_description: 'before' });
    expect(v1.body).toMatchObject({
      kind: 'manual',
      threat_count: 2,
      created_by_name: 'Vera Version',
    });

    // A move, a rename, a property change, a deleted flow, a new store …
    const archive = node('store', 'Archive', 900);
    const put = await api.put(base, {
      name: 'Shop',
      cells: [
        { ...actor, label: 'Shopper' },
        { ...api1, x: 420 },
        { ...db, data: { encrypted: true } },
        login,
        archive,
      ],
    });
    expect(put.status).toBe(200);
    // … a threat's status and a mitigation.
    await api.patch(`/api/threat_models/${tm.id}/threats/${spoof.body.id}`, [
      { op: 'replace', path: '/status', value: 'in_progress' },
    ]);
    const encrypt = await api.post(`/api/threat_models/${tm.id}/mitigations`, {
      name: 'Encrypt the orders table',
      status: 'proposed',
      risk_reduction: 60,
    });
    expect(encrypt.status, JSON.stringify(encrypt.body)).toBe(201);
    const link = `/api/threat_models/${tm.id}/threats/${leak.body.id}/mitigations/${encrypt.body.id}`;
    expect((await api.put(link)).status).toBe(204);
    const v2 = await api.post(`${base}/versions`, {});

    const expected = {
      cells: {
        added: [{ id: archive.id, shape: 'store', label: 'Archive' }],
        removed: [{ id: write.id, shape: 'flow', label: 'write' }],
        changed: expect.arrayContaining([
          {
            id: actor.id,
            shape: 'actor',
            label: 'Shopper',
            kinds: ['label'],
            fields: { label: { from: 'Customer', to: 'Shopper' } },
          },
          {
            id: api1.id,
            shape: 'process',
            label: 'API',
            kinds: ['moved'],
            fields: { position: { from: { x: 300, y: 100 }, to: { x: 420, y: 100 } } },
          },
          {
            id: db.id,
            shape: 'store',
            label: 'Orders',
            kinds: ['properties'],
            fields: { 'data.encrypted': { from: false, to: true } },
          },
        ]),
      },
      threats: {
        added: [],
        removed: [],
        changed: expect.arrayContaining([
          {
            id: spoof.body.id,
            name: 'Spoofed session',
            cell_id: api1.id,
            fields: { status: { from: 'open', to: 'in_progress' } },
          },
          {
            id: leak.body.id,
            name: 'Orders leak',
            cell_id: db.id,
            fields: {
              // The TMI text is derived from the linked mitigations.
              mitigation: { from: null, to: expect.stringContaining('Encrypt the orders table') },
              mitigations: {
                from: [],
                to: [{ id: encrypt.body.id, name: 'Encrypt the orders table', status: 'proposed' }],
              },
            },
          },
        ]),
      },
    };
    const diff = await api.get(
      `${base}/versions/${v1.body.version_number}/diff?to=${v2.body.version_number}`,
    );
    expect(diff.status, JSON.stringify(diff.body)).toBe(200);
    expect(diff.body).toMatchObject(expected);
    expect(diff.body.cells.changed).toHaveLength(3);
    expect(diff.body.threats.changed).toHaveLength(2);
    expect(diff.body.change_count).toBe(7);
    // Against the live diagram (the default) it is the same: nothing changed since v2.
    const live = await api.get(`${base}/versions/${v1.body.version_number}/diff`);
    expect(live.body).toMatchObject({ ...expected, to: { version_number: null } });
    const none = await api.get(`${base}/versions/${v2.body.version_number}/diff?to=live`);
    expect(none.body.change_count).toBe(0);

    expectProblem(await api.get(`${base}/versions/999/diff`), 404);
    expectProblem(await api.get(`${base}/versions/1/diff?to=999`), 404);
    expectProblem(await api.get(`${base}/versions/1/diff?to=yesterday`), 400);
    expectProblem(await ctx.as(await ctx.newUser()).get(`${base}/versions/1/diff`), 404);
  });

  it('a restore first records a pre_restore version; restoring that one brings the work back', async () => {
    const owner = await ctx.newUser();
    const tm = await ctx.newThreatModel(owner);
    const api = ctx.as(owner);
    const first = node('process', 'First', 0);
    const created = await api.post(`/api/threat_models/${tm.id}/diagrams`, {
      name: 'R',
      type: 'DFD-1.0.0',
      cells: [first],
    });
    const base = `/api/threat_models/${tm.id}/diagrams/${created.body.id}`;
    const v1 = await api.post(`${base}/versions`, {});
    const work = [first, node('store', 'Work in progress', 300)];
    await api.put(base, { name: 'R', cells: work });

    const restored = await api.post(`${base}/versions/${v1.body.version_number}/restore`);
    expect(restored.status, JSON.stringify(restored.body)).toBe(200);
    expect(restored.body.pre_restore).toMatchObject({
      kind: 'pre_restore',
      cell_count: 2,
      change_description: `Before restoring version ${v1.body.version_number}`,
    });
    expect((await api.get(base)).body.cells.map((c: any) => c.label)).toEqual(['First']);
    const back = await api.post(
      `${base}/versions/${restored.body.pre_restore.version_number}/restore`,
    );
    expect(back.status).toBe(200);
    expect((await api.get(base)).body.cells.map((c: any) => c.label).sort()).toEqual([
      'First',
      'Work in progress',
    ]);
  });
});
