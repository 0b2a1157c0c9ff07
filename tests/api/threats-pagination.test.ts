import { afterAll, beforeAll, expect, it } from 'vitest';
import { insertThreats } from '../../db/repositories/threats.repository';
import { adjustCounts } from '../../db/repositories/threat-models.repository';
import { SEVERITIES } from '../../db/schema/enums';
import { createTestContext, type TestContext } from '../setup/context';
import type { TestUser } from '../setup/factories';

const TOTAL = 10_000;
const PAGE = 100;
/** Statements per page: session check, role check, the page, the count, the linked mitigations. */
const MAX_QUERIES_PER_PAGE = 5;

let statements = 0;
let ctx: TestContext;
let owner: TestUser;
let tm: { id: string };
beforeAll(async () => {
  ctx = await createTestContext({ onQuery: () => statements++ });
  owner = await ctx.newUser();
  tm = await ctx.newThreatModel(owner);
  // Seeded through the repository in big multi-row inserts: the bulk endpoint is tested
  // elsewhere and 100 HTTP round trips would only slow this file down.
  for (let start = 0; start < TOTAL; start += 1_000) {
    await insertThreats(
      ctx.db.db,
      Array.from({ length: 1_000 }, (_, i) => ({
        threatModelId: tm.id,
        name: `Threat ${String(start + i).padStart(5, '0')}`,
        severity: SEVERITIES[(start + i) % SEVERITIES.length]!,
      })),
    );
  }
  await adjustCounts(ctx.db.db, tm.id, { threatCount: TOTAL });
}, 120_000);
afterAll(() => ctx.close());

it(`lists ${TOTAL} threats page by page with at most ${MAX_QUERIES_PER_PAGE} queries per page`, async () => {
  const seen = new Set<string>();
  const perPage: number[] = [];
  const started = performance.now();
  for (let offset = 0; offset < TOTAL; offset += PAGE) {
    statements = 0;
    // Severity has many ties; the id tie-break keeps pages disjoint and complete.
    const res = await ctx
      .as(owner)
      .get(`/api/threat_models/${tm.id}/threats?limit=${PAGE}&offset=${offset}&sort=severity:desc`);
    perPage.push(statements);
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(TOTAL);
    expect(res.body.items).toHaveLength(PAGE);
    for (const t of res.body.items) seen.add(t.id);
  }
  const elapsed = performance.now() - started;
  console.info(
    `${TOTAL / PAGE} pages of ${PAGE}: ${Math.max(...perPage)} queries per page at most, ` +
      `${(elapsed / (TOTAL / PAGE)).toFixed(1)} ms per page`,
  );
  expect(seen.size).toBe(TOTAL);
  expect(Math.max(...perPage)).toBeLessThanOrEqual(MAX_QUERIES_PER_PAGE);
  expect(new Set(perPage).size).toBe(1);
}, 120_000);
