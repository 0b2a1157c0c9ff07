import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { createTestContext, type TestContext } from '../setup/context';
import type { TestUser } from '../setup/factories';
import { expectProblem } from '../setup/problems';

let ctx: TestContext;
let owner: TestUser;
let stranger: TestUser;
let reader: TestUser;
let tm: { id: string };
const entities: Record<string, string> = {};
const cellId = randomUUID();

beforeAll(async () => {
  ctx = await createTestContext();
  [owner, stranger, reader] = await Promise.all([ctx.newUser(), ctx.newUser(), ctx.newUser()]);
  tm = await ctx.newThreatModel(owner);
  await ctx.grant(tm, reader, 'reader');
  const m = `/api/threat_models/${tm.id}`;
  const as = ctx.as(owner);
  const cell = { id: cellId, shape: 'store', x: 0, y: 0, width: 10, height: 10 };
  const diagram = await as.post(`${m}/diagrams`, { name: 'D', type: 'DFD-1.0.0', cells: [cell] });
  entities['threat model'] = m;
  entities.threat = `${m}/threats/${(await as.post(`${m}/threats`, { name: 'T' })).body.id}`;
  entities.diagram = `${m}/diagrams/${diagram.body.id}`;
  entities.document = `${m}/documents/${(await as.post(`${m}/documents`, { name: 'D', url: 'https://x.io' })).body.id}`;
  entities.repository = `${m}/repositories/${(await as.post(`${m}/repositories`, { name: 'R', url: 'https://x.io/r.git' })).body.id}`;
  entities.cell = `${m}/diagrams/${diagram.body.id}/cells/${cellId}`;
});
afterAll(() => ctx.close());

describe.each(['threat model', 'threat', 'diagram', 'document', 'repository', 'cell'])(
  'metadata on a %s',
  (kind) => {
    const url = () => `${entities[kind]}/metadata`;

    it('requires auth, hides it from strangers (404), refuses reader writes (403)', async () => {
      expectProblem(await ctx.anonymous().get(url()), 401);
      expectProblem(await ctx.as(stranger).get(url()), 404);
      expectProblem(await ctx.as(stranger).put(`${url()}/k`, { value: 'v' }), 404);
      expectProblem(await ctx.as(reader).put(`${url()}/k`, { value: 'v' }), 403);
    });

    it('rejects bad keys, long values and duplicate keys with problem+json', async () => {
      expectProblem(await ctx.as(owner).put(`${url()}/bad%20key`, { value: 'v' }), 400);
      expectProblem(await ctx.as(owner).put(`${url()}/k`, { value: 'v'.repeat(4097) }), 400);
      const dup = [
        { key: 'a', value: '1' },
        { key: 'a', value: '2' },
      ];
      expectProblem(await ctx.as(owner).put(url(), dup), 400);
    });

    it('sets (201 then 200), reads, lists, replaces all and deletes keys', async () => {
      const as = ctx.as(owner);
      expect((await as.put(`${url()}/owner.team`, { value: 'red' })).status).toBe(201);
      const changed = await as.put(`${url()}/owner.team`, { value: 'blue' });
      expect(changed.status).toBe(200);
      expect((await ctx.as(reader).get(`${url()}/owner.team`)).body).toEqual({
        key: 'owner.team',
        value: 'blue',
      });
      const replaced = await as.put(url(), [
        { key: 'b', value: '2' },
        { key: 'a:x', value: '1' },
      ]);
      expect(replaced.body.items).toEqual([
        { key: 'a:x', value: '1' },
        { key: 'b', value: '2' },
      ]);
      const list = await ctx.as(reader).get(`${url()}?limit=1&offset=1`);
      expect(list.body).toEqual({
        items: [{ key: 'b', value: '2' }],
        total: 2,
        limit: 1,
        offset: 1,
      });
      expectProblem(await as.get(`${url()}/owner.team`), 404);
      expect((await as.delete(`${url()}/b`)).status).toBe(204);
      expectProblem(await as.delete(`${url()}/b`), 404);
    });
  },
);

describe('metadata rules', () => {
  it('answers 404 for a missing entity or a cell not in the diagram', async () => {
    const m = `/api/threat_models/${tm.id}`;
    expectProblem(await ctx.as(owner).get(`${m}/threats/${randomUUID()}/metadata`), 404);
    expectProblem(
      await ctx.as(owner).get(`${entities.diagram}/cells/${randomUUID()}/metadata`),
      404,
    );
  });

  it('holds at most 100 keys per entity (409 beyond)', async () => {
    const items = Array.from({ length: 100 }, (_, i) => ({ key: `k${i}`, value: 'v' }));
    expect((await ctx.as(owner).put(`${entities.document}/metadata`, items)).status).toBe(200);
    // Changing an existing key is fine at the limit; only a new key is refused.
    const existing = await ctx.as(owner).put(`${entities.document}/metadata/k0`, { value: 'w' });
    expect(existing.status).toBe(200);
    expectProblem(
      await ctx.as(owner).put(`${entities.document}/metadata/k100`, { value: 'w' }),
      409,
    );
    expectProblem(
      await ctx
        .as(owner)
        .put(`${entities.document}/metadata`, [...items, { key: 'x', value: 'y' }]),
      400,
    );
  });
});
