import { and, count, eq, ilike, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { Executor } from '../client';
import { likePattern, sortOrder } from './query-helpers';
import { threats } from '../schema';
import type { Severity, ThreatStatus } from '../schema/enums';

export type ThreatRow = typeof threats.$inferSelect;
export type NewThreat = typeof threats.$inferInsert;
/** The fields a caller may set; the rest is bookkeeping. */
export type ThreatValues = Omit<
  NewThreat,
  'id' | 'threatModelId' | 'version' | 'createdBy' | 'createdAt' | 'modifiedAt'
>;

export interface ThreatFilters {
  severity?: Severity;
  status?: ThreatStatus;
  diagramId?: string;
  cellId?: string;
  /** Substring of name or description, matched literally and case-insensitively. */
  q?: string;
}

export interface ThreatPage {
  limit: number;
  offset: number;
  /** Validated `field:dir`, field one of THREAT_SORT_FIELDS. */
  sort: string;
}

export const THREAT_SORT_FIELDS = [
  'created_at',
  'modified_at',
  'name',
  'severity',
  'score',
  'status',
  'priority',
] as const;

/** Severity sorts by rank, not alphabetically (Critical above High above …). */
const severityRank = sql`case ${threats.severity} when 'Critical' then 5 when 'High' then 4 when 'Medium' then 3 when 'Low' then 2 when 'None' then 1 else 0 end`;

const SORT_COLUMNS: Record<string, SQL | PgColumn> = {
  created_at: threats.createdAt,
  modified_at: threats.modifiedAt,
  name: threats.name,
  severity: severityRank,
  score: threats.score,
  status: threats.status,
  priority: threats.priority,
};

function matching(threatModelId: string, f: ThreatFilters) {
  const pattern = f.q ? likePattern(f.q) : undefined;
  return and(
    eq(threats.threatModelId, threatModelId),
    f.severity ? eq(threats.severity, f.severity) : undefined,
    f.status ? eq(threats.status, f.status) : undefined,
    f.diagramId ? eq(threats.diagramId, f.diagramId) : undefined,
    f.cellId
      ? or(eq(threats.cellId, f.cellId), sql`${f.cellId} = any(${threats.cellIds})`)
      : undefined,
    pattern ? or(ilike(threats.name, pattern), ilike(threats.description, pattern)) : undefined,
  );
}

/** One page of a model's threats; `id` breaks ties so pages never overlap. */
export async function listThreats(
  db: Executor,
  threatModelId: string,
  filters: ThreatFilters,
  page: ThreatPage,
): Promise<ThreatRow[]> {
  return db
    .select()
    .from(threats)
    .where(matching(threatModelId, filters))
    .orderBy(...sortOrder(page.sort, SORT_COLUMNS, threats.createdAt, threats.id))
    .limit(page.limit)
    .offset(page.offset);
}

export async function countThreats(
  db: Executor,
  threatModelId: string,
  filters: ThreatFilters,
): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(threats)
    .where(matching(threatModelId, filters));
  return row?.n ?? 0;
}

export async function findThreat(
  db: Executor,
  threatModelId: string,
  id: string,
): Promise<ThreatRow | null> {
  const [row] = await db
    .select()
    .from(threats)
    .where(and(eq(threats.id, id), eq(threats.threatModelId, threatModelId)));
  return row ?? null;
}

/** Every threat recorded against one diagram (copied when the diagram is duplicated). */
export async function listThreatsOfDiagram(
  db: Executor,
  threatModelId: string,
  diagramId: string,
): Promise<ThreatRow[]> {
  return db
    .select()
    .from(threats)
    .where(and(eq(threats.threatModelId, threatModelId), eq(threats.diagramId, diagramId)))
    .orderBy(threats.createdAt, threats.id);
}

/** The threats on one diagram, whichever model asks (versions snapshot them). */
export async function listThreatsOnDiagram(db: Executor, diagramId: string): Promise<ThreatRow[]> {
  return db
    .select()
    .from(threats)
    .where(eq(threats.diagramId, diagramId))
    .orderBy(threats.createdAt, threats.id);
}

/** Inserts many threats in one statement (bulk create, seeding); rows come back in order. */
/** Every threat of a model, oldest first (exports and reports). */
export async function listAllThreats(db: Executor, threatModelId: string): Promise<ThreatRow[]> {
  return db
    .select()
    .from(threats)
    .where(eq(threats.threatModelId, threatModelId))
    .orderBy(threats.createdAt, threats.id);
}

export async function insertThreats(db: Executor, rows: NewThreat[]): Promise<ThreatRow[]> {
  if (!rows.length) return [];
  return db.insert(threats).values(rows).returning();
}

/** Writes `values` when the row is still at `version`; null when it moved on or vanished. */
export async function updateThreat(
  db: Executor,
  id: string,
  version: number,
  values: ThreatValues,
): Promise<ThreatRow | null> {
  const [row] = await db
    .update(threats)
    .set({ ...values, version: sql`${threats.version} + 1`, modifiedAt: sql`now()` })
    .where(and(eq(threats.id, id), eq(threats.version, version)))
    .returning();
  return row ?? null;
}

/** Deletes the row when it is still at `version`; null when it moved on or vanished. */
export async function deleteThreat(
  db: Executor,
  id: string,
  version: number,
): Promise<ThreatRow | null> {
  const [row] = await db
    .delete(threats)
    .where(and(eq(threats.id, id), eq(threats.version, version)))
    .returning();
  return row ?? null;
}

/** Every threat of the model (the register an approval pins). */
export async function listThreatsOfModel(db: Executor, threatModelId: string) {
  return db
    .select()
    .from(threats)
    .where(eq(threats.threatModelId, threatModelId))
    .orderBy(threats.createdAt, threats.id);
}

/**
 * Inserts threats applied from suggestions; a row whose (diagram, cell, rule) is already
 * recorded is skipped by the unique index, so applying twice — even concurrently — records
 * each once. Returns only the rows inserted.
 */
export async function insertThreatsSkippingRecorded(
  db: Executor,
  rows: NewThreat[],
): Promise<ThreatRow[]> {
  if (!rows.length) return [];
  return db.insert(threats).values(rows).onConflictDoNothing().returning();
}

/** The (cell, rule) pairs recorded on a diagram by threats that came from a rule. */
export async function listRecordedRules(
  db: Executor,
  diagramId: string,
): Promise<{ cellId: string | null; cellIds: string[]; ruleId: string | null }[]> {
  return db
    .select({ cellId: threats.cellId, cellIds: threats.cellIds, ruleId: threats.ruleId })
    .from(threats)
    .where(and(eq(threats.diagramId, diagramId), sql`${threats.ruleId} is not null`));
}

/** The threats with these ids in one model (the live mirror's reload). */
export async function findThreatsByIds(
  db: Executor,
  threatModelId: string,
  ids: readonly string[],
): Promise<ThreatRow[]> {
  if (!ids.length) return [];
  return db
    .select()
    .from(threats)
    .where(and(eq(threats.threatModelId, threatModelId), inArray(threats.id, [...ids])));
}
