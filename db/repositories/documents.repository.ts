import { and, count, eq, sql } from 'drizzle-orm';
import type { Executor } from '../client';
import { sortOrder } from './query-helpers';
import { documents } from '../schema';

export type DocumentRow = typeof documents.$inferSelect;
export type DocumentValues = { name: string; url: string; description: string | null };

export const DOCUMENT_SORT_FIELDS = ['created_at', 'modified_at', 'name'] as const;
const SORT_COLUMNS = {
  created_at: documents.createdAt,
  modified_at: documents.modifiedAt,
  name: documents.name,
} as const;

/** One page of a model's documents. */
export async function listDocuments(
  db: Executor,
  threatModelId: string,
  page: { limit: number; offset: number; sort: string },
): Promise<DocumentRow[]> {
  return db
    .select()
    .from(documents)
    .where(eq(documents.threatModelId, threatModelId))
    .orderBy(...sortOrder(page.sort, SORT_COLUMNS, documents.createdAt, documents.id))
    .limit(page.limit)
    .offset(page.offset);
}

export async function countDocuments(db: Executor, threatModelId: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(documents)
    .where(eq(documents.threatModelId, threatModelId));
  return row?.n ?? 0;
}

export async function findDocument(
  db: Executor,
  threatModelId: string,
  id: string,
): Promise<DocumentRow | null> {
  const [row] = await db
    .select()
    .from(documents)
    .where(and(eq(documents.id, id), eq(documents.threatModelId, threatModelId)));
  return row ?? null;
}

export async function insertDocument(
  db: Executor,
  values: DocumentValues & { threatModelId: string; createdBy: string | null },
): Promise<DocumentRow> {
  const [row] = await db.insert(documents).values(values).returning();
  return row!;
}

/** Writes `values` when the row is still at `version`; null when it moved on or vanished. */
export async function updateDocument(
  db: Executor,
  id: string,
  version: number,
  values: DocumentValues,
): Promise<DocumentRow | null> {
  const [row] = await db
    .update(documents)
    .set({ ...values, version: sql`${documents.version} + 1`, modifiedAt: sql`now()` })
    .where(and(eq(documents.id, id), eq(documents.version, version)))
    .returning();
  return row ?? null;
}

export async function deleteDocument(
  db: Executor,
  id: string,
  version: number,
): Promise<DocumentRow | null> {
  const [row] = await db
    .delete(documents)
    .where(and(eq(documents.id, id), eq(documents.version, version)))
    .returning();
  return row ?? null;
}
