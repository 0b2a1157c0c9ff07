import { and, count, eq, sql } from 'drizzle-orm';
import type { Executor } from '../client';
import { sortOrder } from './query-helpers';
import { repositories } from '../schema';
import type { RepositoryType } from '../schema/enums';

export type RepositoryRow = typeof repositories.$inferSelect;
export type RepositoryValues = {
  name: string;
  url: string;
  description: string | null;
  type: RepositoryType;
  parameters: Record<string, unknown> | null;
};

export const REPOSITORY_SORT_FIELDS = ['created_at', 'modified_at', 'name', 'type'] as const;
const SORT_COLUMNS = {
  created_at: repositories.createdAt,
  modified_at: repositories.modifiedAt,
  name: repositories.name,
  type: repositories.type,
} as const;

/** One page of a model's source-code repositories. */
export async function listRepositories(
  db: Executor,
  threatModelId: string,
  page: { limit: number; offset: number; sort: string },
): Promise<RepositoryRow[]> {
  return db
    .select()
    .from(repositories)
    .where(eq(repositories.threatModelId, threatModelId))
    .orderBy(...sortOrder(page.sort, SORT_COLUMNS, repositories.createdAt, repositories.id))
    .limit(page.limit)
    .offset(page.offset);
}

export async function countRepositories(db: Executor, threatModelId: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(repositories)
    .where(eq(repositories.threatModelId, threatModelId));
  return row?.n ?? 0;
}

export async function findRepository(
  db: Executor,
  threatModelId: string,
  id: string,
): Promise<RepositoryRow | null> {
  const [row] = await db
    .select()
    .from(repositories)
    .where(and(eq(repositories.id, id), eq(repositories.threatModelId, threatModelId)));
  return row ?? null;
}

export async function insertRepository(
  db: Executor,
  values: RepositoryValues & { threatModelId: string; createdBy: string | null },
): Promise<RepositoryRow> {
  const [row] = await db.insert(repositories).values(values).returning();
  return row!;
}

/** Writes `values` when the row is still at `version`; null when it moved on or vanished. */
export async function updateRepository(
  db: Executor,
  id: string,
  version: number,
  values: RepositoryValues,
): Promise<RepositoryRow | null> {
  const [row] = await db
    .update(repositories)
    .set({ ...values, version: sql`${repositories.version} + 1`, modifiedAt: sql`now()` })
    .where(and(eq(repositories.id, id), eq(repositories.version, version)))
    .returning();
  return row ?? null;
}

export async function deleteRepository(
  db: Executor,
  id: string,
  version: number,
): Promise<RepositoryRow | null> {
  const [row] = await db
    .delete(repositories)
    .where(and(eq(repositories.id, id), eq(repositories.version, version)))
    .returning();
  return row ?? null;
}
