import { and, eq, ilike, or, sql } from 'drizzle-orm';
import type { Executor } from '../client';
import { likePattern, sortOrder } from './query-helpers';
import { threatModels, users } from '../schema';
import type { Framework, ModelStatus } from '../schema/enums';
import { visibleModels } from './access.repository';

export type CountField = 'threatCount' | 'diagramCount' | 'documentCount' | 'repositoryCount';

/**
 * Moves the cached child counts of a model by `delta` in the same transaction as the child
 * insert/delete, so the counts never drift from the rows.
 */
export async function adjustCounts(
  db: Executor,
  threatModelId: string,
  delta: Partial<Record<CountField, number>>,
): Promise<void> {
  const set: Partial<Record<CountField, ReturnType<typeof sql>>> = {};
  for (const [field, by] of Object.entries(delta) as [CountField, number][]) {
    if (by) set[field] = sql`${threatModels[field]} + ${by}`;
  }
  if (Object.keys(set).length) {
    await db.update(threatModels).set(set).where(eq(threatModels.id, threatModelId));
  }
}

export type ThreatModelRow = typeof threatModels.$inferSelect;
export type NewThreatModel = typeof threatModels.$inferInsert;
/** The fields a PUT or PATCH may change. */
export type ThreatModelChanges = Partial<
  Pick<
    ThreatModelRow,
    | 'name'
    | 'description'
    | 'framework'
    | 'status'
    | 'issueUrl'
    | 'ownerId'
    | 'statusUpdatedAt'
    | 'requireReviewerSignoff'
  >
>;

const ownerColumns = { id: users.id, name: users.name, email: users.email };

export async function insertThreatModel(db: Executor, values: NewThreatModel) {
  const [row] = await db.insert(threatModels).values(values).returning();
  return row!;
}

/** A model with its owner's summary; the caller has authorized the read. */
export async function findThreatModel(db: Executor, id: string) {
  const [row] = await db
    .select({ model: threatModels, owner: ownerColumns })
    .from(threatModels)
    .innerJoin(users, eq(users.id, threatModels.ownerId))
    .where(eq(threatModels.id, id));
  return row ?? null;
}

/**
 * Locks the model row until the transaction ends, so rules that read several rows (the last
 * owner, the version) cannot race another transaction doing the same.
 */
export async function lockThreatModel(db: Executor, id: string): Promise<ThreatModelRow | null> {
  const [row] = await db.select().from(threatModels).where(eq(threatModels.id, id)).for('update');
  return row ?? null;
}

/**
 * Applies `changes` only when the row is still at `version`, bumping it. Null means the
 * version moved on (or the row is gone): the caller answers 412 and nothing changed.
 */
export async function updateThreatModel(
  db: Executor,
  id: string,
  version: number,
  changes: ThreatModelChanges,
): Promise<ThreatModelRow | null> {
  const [row] = await db
    .update(threatModels)
    .set({ ...changes, version: sql`${threatModels.version} + 1`, modifiedAt: sql`now()` })
    .where(and(eq(threatModels.id, id), eq(threatModels.version, version)))
    .returning();
  return row ?? null;
}

/** Deletes the model (children cascade) when still at `version`; false when it moved on. */
export async function deleteThreatModel(db: Executor, id: string, version: number) {
  const rows = await db
    .delete(threatModels)
    .where(and(eq(threatModels.id, id), eq(threatModels.version, version)))
    .returning({ id: threatModels.id });
  return rows.length > 0;
}

export interface ThreatModelFilter {
  q?: string;
  status?: ModelStatus;
  framework?: Framework;
  /** The owner's user id or e-mail. */
  owner?: string;
  sort: string;
  limit: number;
  offset: number;
}

const SORT_COLUMNS = {
  name: threatModels.name,
  status: threatModels.status,
  framework: threatModels.framework,
  created_at: threatModels.createdAt,
  modified_at: threatModels.modifiedAt,
};
export const THREAT_MODEL_SORT_FIELDS = Object.keys(SORT_COLUMNS) as [
  keyof typeof SORT_COLUMNS,
  ...(keyof typeof SORT_COLUMNS)[],
];

/**
 * One page of the models `userId` can see, each with the caller's highest role and the
 * total match count (a window count, so the page is one query). An empty page past the end
 * carries no total; the service then asks `countVisibleThreatModels`.
 */
export async function listVisibleThreatModels(
  db: Executor,
  userId: string,
  filter: ThreatModelFilter,
) {
  const visible = visibleModels(db, userId);
  return db
    .select({
      model: threatModels,
      owner: ownerColumns,
      rank: visible.rank,
      total: sql<number>`cast(count(*) over() as integer)`,
    })
    .from(threatModels)
    .innerJoin(visible, eq(visible.threatModelId, threatModels.id))
    .innerJoin(users, eq(users.id, threatModels.ownerId))
    .where(filterWhere(filter))
    .orderBy(...sortOrder(filter.sort, SORT_COLUMNS, threatModels.modifiedAt, threatModels.id))
    .limit(filter.limit)
    .offset(filter.offset);
}

export async function countVisibleThreatModels(
  db: Executor,
  userId: string,
  filter: ThreatModelFilter,
): Promise<number> {
  const visible = visibleModels(db, userId);
  const [row] = await db
    .select({ total: sql<number>`cast(count(*) as integer)` })
    .from(threatModels)
    .innerJoin(visible, eq(visible.threatModelId, threatModels.id))
    .innerJoin(users, eq(users.id, threatModels.ownerId))
    .where(filterWhere(filter));
  return row?.total ?? 0;
}

/** `field:dir` (validated at the edge) → ORDER BY; `id` breaks ties so pages are stable. */
function filterWhere(f: ThreatModelFilter) {
  const pattern = f.q && likePattern(f.q);
  return and(
    pattern
      ? or(ilike(threatModels.name, pattern), ilike(threatModels.description, pattern))
      : undefined,
    f.status ? eq(threatModels.status, f.status) : undefined,
    f.framework ? eq(threatModels.framework, f.framework) : undefined,
    f.owner
      ? f.owner.includes('@')
        ? eq(users.email, f.owner.toLowerCase())
        : eq(users.id, f.owner)
      : undefined,
  );
}
