import { and, count, eq, inArray, sql } from 'drizzle-orm';
import type { Executor } from '../client';
import { sortOrder } from './query-helpers';
import { mitigations, threatMitigations, threats } from '../schema';

export type MitigationRow = typeof mitigations.$inferSelect;
export type MitigationValues = Pick<
  typeof mitigations.$inferInsert,
  'name' | 'description' | 'status' | 'riskReduction' | 'issueUrl' | 'ownerId'
>;

export const MITIGATION_SORT_FIELDS = [
  'created_at',
  'modified_at',
  'name',
  'status',
  'risk_reduction',
] as const;
const SORT_COLUMNS = {
  created_at: mitigations.createdAt,
  modified_at: mitigations.modifiedAt,
  name: mitigations.name,
  status: mitigations.status,
  risk_reduction: mitigations.riskReduction,
} as const;

/** One page of a model's mitigations. */
export async function listMitigations(
  db: Executor,
  threatModelId: string,
  page: { limit: number; offset: number; sort: string },
): Promise<MitigationRow[]> {
  return db
    .select()
    .from(mitigations)
    .where(eq(mitigations.threatModelId, threatModelId))
    .orderBy(...sortOrder(page.sort, SORT_COLUMNS, mitigations.createdAt, mitigations.id))
    .limit(page.limit)
    .offset(page.offset);
}

export async function countMitigations(db: Executor, threatModelId: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(mitigations)
    .where(eq(mitigations.threatModelId, threatModelId));
  return row?.n ?? 0;
}

export async function findMitigation(
  db: Executor,
  threatModelId: string,
  id: string,
): Promise<MitigationRow | null> {
  const [row] = await db
    .select()
    .from(mitigations)
    .where(and(eq(mitigations.id, id), eq(mitigations.threatModelId, threatModelId)));
  return row ?? null;
}

export async function insertMitigation(
  db: Executor,
  values: MitigationValues & { threatModelId: string; createdBy: string | null },
): Promise<MitigationRow> {
  const [row] = await db.insert(mitigations).values(values).returning();
  return row!;
}

/** Writes `values` when the row is still at `version`; null when it moved on or vanished. */
export async function updateMitigation(
  db: Executor,
  id: string,
  version: number,
  values: MitigationValues,
): Promise<MitigationRow | null> {
  const [row] = await db
    .update(mitigations)
    .set({ ...values, version: sql`${mitigations.version} + 1`, modifiedAt: sql`now()` })
    .where(and(eq(mitigations.id, id), eq(mitigations.version, version)))
    .returning();
  return row ?? null;
}

/** Deletes the row when it is still at `version` (its links go with it). */
export async function deleteMitigation(
  db: Executor,
  id: string,
  version: number,
): Promise<MitigationRow | null> {
  const [row] = await db
    .delete(mitigations)
    .where(and(eq(mitigations.id, id), eq(mitigations.version, version)))
    .returning();
  return row ?? null;
}

/** Links a mitigation to a threat; true when the link is new (linking twice is a no-op). */
export async function linkMitigation(
  db: Executor,
  threatId: string,
  mitigationId: string,
): Promise<boolean> {
  const rows = await db
    .insert(threatMitigations)
    .values({ threatId, mitigationId })
    .onConflictDoNothing()
    .returning();
  return rows.length > 0;
}

/** Removes a link; true when there was one. */
export async function unlinkMitigation(
  db: Executor,
  threatId: string,
  mitigationId: string,
): Promise<boolean> {
  const rows = await db
    .delete(threatMitigations)
    .where(
      and(
        eq(threatMitigations.threatId, threatId),
        eq(threatMitigations.mitigationId, mitigationId),
      ),
    )
    .returning();
  return rows.length > 0;
}

/** A link with what risk and the derived TMI fields need of its mitigation. */
export interface LinkedMitigation {
  threatId: string;
  mitigationId: string;
  name: string;
  description: string | null;
  status: MitigationRow['status'];
  riskReduction: number;
}

/** The mitigations linked to each of `threatIds`, in link order (one query for a page). */
export async function listLinksOfThreats(
  db: Executor,
  threatIds: readonly string[],
): Promise<LinkedMitigation[]> {
  if (!threatIds.length) return [];
  return db
    .select({
      threatId: threatMitigations.threatId,
      mitigationId: threatMitigations.mitigationId,
      name: mitigations.name,
      description: mitigations.description,
      status: mitigations.status,
      riskReduction: mitigations.riskReduction,
    })
    .from(threatMitigations)
    .innerJoin(mitigations, eq(mitigations.id, threatMitigations.mitigationId))
    .where(inArray(threatMitigations.threatId, [...threatIds]))
    .orderBy(threatMitigations.createdAt, mitigations.id);
}

/** The ids and diagrams of the threats a mitigation answers. */
export async function listThreatsOfMitigation(
  db: Executor,
  mitigationId: string,
): Promise<{ id: string; diagramId: string | null }[]> {
  return db
    .select({ id: threats.id, diagramId: threats.diagramId })
    .from(threatMitigations)
    .innerJoin(threats, eq(threats.id, threatMitigations.threatId))
    .where(eq(threatMitigations.mitigationId, mitigationId));
}

/** The threat ids linked to each of `mitigationIds` (one query for a page). */
export async function listThreatIdsOfMitigations(
  db: Executor,
  mitigationIds: readonly string[],
): Promise<{ mitigationId: string; threatId: string }[]> {
  if (!mitigationIds.length) return [];
  return db
    .select({ mitigationId: threatMitigations.mitigationId, threatId: threatMitigations.threatId })
    .from(threatMitigations)
    .where(inArray(threatMitigations.mitigationId, [...mitigationIds]))
    .orderBy(threatMitigations.createdAt, threatMitigations.threatId);
}

export type NewMitigationRow = MitigationValues & {
  id: string;
  threatModelId: string;
  createdBy: string | null;
  createdAt?: Date;
};

/** Inserts many mitigations at once (an import); one statement. */
export async function insertMitigations(db: Executor, rows: NewMitigationRow[]): Promise<void> {
  if (!rows.length) return;
  await db.insert(mitigations).values(rows);
}

/** Inserts many threat ↔ mitigation links at once (an import); one statement. */
export async function insertLinks(
  db: Executor,
  rows: { threatId: string; mitigationId: string; createdAt?: Date }[],
): Promise<void> {
  if (!rows.length) return;
  await db.insert(threatMitigations).values(rows);
}
