import { readFileSync } from 'node:fs';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ruleById } from '../../model/threat-rules';
import { createApp } from '../../server/app';
import { createCollab } from '../../server/collab-host';
import { createRateLimits } from '../../server/rate-limits';
import { createTestContext, type TestContext } from '../setup/context';
import type { TestUser } from '../setup/factories';
import { createHttpClient } from '../setup/http';
import { expectProblem } from '../setup/problems';
import { cellFromThreatDragon, type TdCell } from '../setup/threat-dragon-cells';

/** Acceptance 2 (issue 12), the API half: the three-tier web app's cells through REST. */
const fixture = JSON.parse(
  readFileSync('tests/fixtures/threat-dragon/three-tier-web-app.json', 'utf8'),
) as { detail: { diagrams: { cells: TdCell[] }[] } };
const cells = fixture.detail.diagrams[0]!.cells.map(cellFromThreatDragon);
const byName = (name: string) => cells.find((c) => c.label === name)!;

let ctx: TestContext;
let owner: TestUser;
let writer: TestUser;
let reader: TestUser;
let tm: { id: string };
let diagramId: string;

beforeAll(async () => {
  ctx = await createTestContext();
  [owner, writer, reader] = await Promise.all([ctx.newUser(), ctx.newUser(), ctx.newUser()]);
  tm = await ctx.newThreatModel(owner);
  await ctx.grant(tm, writer, 'writer');
  await ctx.grant(tm, reader, 'reader');
  const d = await ctx
    .as(owner)
    .post(`/api/threat_models/${tm.id}/diagrams`, { name: 'Three tier', type: 'DFD-1.0.0', cells });
  expect(d.status).toBe(201);
  diagramId = d.body.id;
});
afterAll(() => ctx.close());

const at = (rest = '') => `/api/threat_models/${tm.id}/diagrams/${diagramId}/suggestions${rest}`;
type Item = { cell_id: string; rule_id: string; threat_type: string[]; dismissed: unknown };

describe('suggestions', () => {
  it('lists what the rules suggest, incl. context and interaction rules under STRIDE', async () => {
    const res = await ctx.as(reader).get(at());
    expect(res.status).toBe(200);
    const items: Item[] = res.body.items;
    const layers = new Set(items.map((s) => ruleById(s.rule_id)!.layer));
    expect(layers).toEqual(new Set(['element', 'context', 'interaction']));
    const context = items.filter((s) => ruleById(s.rule_id)!.layer === 'context');
    expect(context).toHaveLength(9);
    const interaction = items.filter((s) => ruleById(s.rule_id)!.layer === 'interaction');
    const types = new Set(interaction.flatMap((s) => s.threat_type));
    expect(types).toContain('Denial of Service');
    expect(types).toContain('Elevation of Privilege');
    expect(items.every((s) => s.dismissed === null)).toBe(true);

    const one = await ctx.as(reader).get(at(`?cell_id=${byName('Web Service').id}`));
    expect(one.body.items.length).toBeGreaterThan(0);
    expect(one.body.items.every((s: Item) => s.cell_id === byName('Web Service').id)).toBe(true);
  });

  it('applying twice creates each threat once (also concurrently), one transaction', async () => {
    const all: Item[] = (await ctx.as(owner).get(at(`?cell_id=${byName('Web UI').id}`))).body.items;
    const items = all.map(({ cell_id, rule_id }) => ({ cell_id, rule_id }));
    const [a, b] = await Promise.all([
      ctx.as(writer).post(at('/apply'), { items }),
      ctx.as(owner).post(at('/apply'), { items }),
    ]);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.body.items.length + b.body.items.length).toBe(items.length);
    const again = await ctx.as(writer).post(at('/apply'), { items });
    expect(again.status).toBe(201);
    expect(again.body.items).toEqual([]);

    const threats = await ctx
      .as(owner)
      .get(`/api/threat_models/${tm.id}/threats?cell_id=${byName('Web UI').id}&limit=100`);
    expect(threats.body.total).toBe(items.length);
    const created = [...a.body.items, ...b.body.items][0];
    expect(created).toMatchObject({ diagram_id: diagramId, cell_ids: [created.cell_id] });
    expect(created.rule_id).toBeTruthy();
    expect(created.risk.inherent).not.toBeNull();
    // Recorded suggestions leave the list.
    const left = await ctx.as(owner).get(at(`?cell_id=${byName('Web UI').id}`));
    expect(left.body.items).toEqual([]);
    const model = await ctx.as(owner).get(`/api/threat_models/${tm.id}`);
    expect(model.body.threat_count ?? items.length).toBe(items.length);
  });

  it('a bad item fails the whole apply', async () => {
    const item = (await ctx.as(owner).get(at(`?cell_id=${byName('PostgresSQL').id}`))).body
      .items[0];
    const res = await ctx.as(owner).post(at('/apply'), {
      items: [
        { cell_id: item.cell_id, rule_id: item.rule_id },
        { cell_id: item.cell_id, rule_id: 'no.such.rule' },
      ],
    });
    expectProblem(res, 400);
    const still = await ctx.as(owner).get(at(`?cell_id=${item.cell_id}`));
    expect(still.body.items.some((s: Item) => s.rule_id === item.rule_id)).toBe(true);
    expectProblem(await ctx.as(reader).post(at('/apply'), { items: [item] }), 403);
    expectProblem(await ctx.as(owner).post(at('/apply'), { items: [] }), 400);
  });

  it('a dismissed suggestion stays dismissed after a restart, listed with who and why', async () => {
    const cell = byName('PostgresSQL').id;
    const [first] = (await ctx.as(writer).get(at(`?cell_id=${cell}`))).body.items as Item[];
    const res = await ctx.as(writer).post(at('/dismiss'), {
      items: [{ cell_id: cell, rule_id: first!.rule_id, reason: 'Covered by the platform' }],
    });
    expect(res.status).toBe(204);
    expectProblem(
      await ctx.as(writer).post(at('/dismiss'), {
        items: [{ cell_id: cell, rule_id: 'nope', reason: 'x' }],
      }),
      400,
    );
    expectProblem(
      await ctx.as(writer).post(at('/dismiss'), {
        items: [{ cell_id: cell, rule_id: first!.rule_id, reason: '' }],
      }),
      400,
    );

    // A new app instance (its own rooms) on the same database.
    const config = ctx.config;
    const logger = pino({ level: 'silent' });
    const limits = createRateLimits(config);
    const collab = createCollab({
      config,
      db: ctx.db,
      logger,
      nodeId: 'restarted',
      upgradeLimit: limits.collabUpgradeIp,
    });
    try {
      const app = createApp({ config, db: ctx.db, logger, live: collab.live, limits });
      const client = createHttpClient(app, writer);
      const after = await client.get(at(`?cell_id=${cell}`));
      expect(after.body.items.some((s: Item) => s.rule_id === first!.rule_id)).toBe(false);
      const listed = await client.get(at(`?cell_id=${cell}&include=dismissed`));
      const dismissed = listed.body.items.find((s: Item) => s.rule_id === first!.rule_id);
      expect(dismissed.dismissed).toMatchObject({
        reason: 'Covered by the platform',
        by: { id: writer.id },
      });
    } finally {
      await collab.close();
      await limits.close();
    }
    const audit = await ctx.as(owner).get(`/api/threat_models/${tm.id}/audit`);
    expect(audit.body.items.map((e: { action: string }) => e.action)).toContain(
      'suggestion.dismiss',
    );
  });

  it('follows the live cells: a flag set on a flow brings its rule', async () => {
    const flow = cells.find((c) => c.shape === 'flow')!;
    const before: Item[] = (await ctx.as(owner).get(at(`?cell_id=${flow.id}`))).body.items;
    const live = await ctx.as(owner).get(`/api/threat_models/${tm.id}/diagrams/${diagramId}`);
    const index = live.body.cells.findIndex((c: { id: string }) => c.id === flow.id);
    const patch = await ctx.as(owner).patch(
      `/api/threat_models/${tm.id}/diagrams/${diagramId}`,
      [
        {
          op: 'add',
          path: `/cells/${index}/data/public_network`,
          value: true,
        },
      ],
      { 'content-type': 'application/json-patch+json' },
    );
    expect(patch.status).toBe(200);
    const after: Item[] = (await ctx.as(owner).get(at(`?cell_id=${flow.id}`))).body.items;
    expect(after.length).toBeGreaterThan(before.length);
  });

  it('404s on an unknown diagram', async () => {
    const res = await ctx
      .as(owner)
      .get(`/api/threat_models/${tm.id}/diagrams/00000000-0000-4000-8000-000000000000/suggestions`);
    expectProblem(res, 404);
  });
});

describe('suggestions on an imported model', () => {
  it('the three-tier Threat Dragon file, imported, gets the same context and interaction suggestions', async () => {
    const imported = await ctx
      .as(owner)
      .post(
        '/api/threat_models/import',
        JSON.parse(readFileSync('tests/fixtures/threat-dragon/three-tier-web-app.json', 'utf8')),
      );
    expect(imported.status).toBe(201);
    const model = imported.body.threat_model.id as string;
    const [diagram] = (await ctx.as(owner).get(`/api/threat_models/${model}/diagrams`)).body
      .items as { id: string }[];
    const res = await ctx
      .as(owner)
      .get(`/api/threat_models/${model}/diagrams/${diagram!.id}/suggestions?include=dismissed`);
    expect(res.status).toBe(200);
    const items: Item[] = res.body.items;
    // What the file already records (its threats carry no rule ids) does not hide suggestions.
    const ofLayer = (layer: string) =>
      items
        .filter((s) => ruleById(s.rule_id)!.layer === layer)
        .map((s) => s.rule_id)
        .sort();
    // The nine Threat Dragon context rules, as for the cells given over REST above.
    expect(ofLayer('context')).toHaveLength(9);
    const types = new Set(
      items
        .filter((s) => ruleById(s.rule_id)!.layer === 'interaction')
        .flatMap((s) => s.threat_type),
    );
    expect(types).toContain('Denial of Service');
    expect(types).toContain('Elevation of Privilege');
  });
});
