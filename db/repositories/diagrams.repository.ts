import { and, asc, count, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Executor } from '../client';
import { diagrams } from '../schema';

/** A diagram without its cells or Yjs state: what lists and version checks need. */
const summary = {
  id: diagrams.id,
  threatModelId: diagrams.threatModelId,
  name: diagrams.name,
  type: diagrams.type,
  description: diagrams.description,
  version: diagrams.version,
  createdBy: diagrams.createdBy,
  createdAt: diagrams.createdAt,
  modifiedAt: diagrams.modifiedAt,
};

export type DiagramSummaryRow = {
  [K in keyof typeof summary]: (typeof diagrams.$inferSelect)[K];
};

export const DIAGRAM_SORT_FIELDS = ['created_at', 'modified_at', 'name'] as const;
const SORT_COLUMNS = {
  created_at: diagrams.createdAt,
  modified_at: diagrams.modifiedAt,
  name: diagrams.name,
} as const;

/** One page of a model's diagrams (summaries, never cells). */
export async function listDiagrams(
  db: Executor,
  threatModelId: string,
  page: { limit: number; offset: number; sort: string },
): Promise<DiagramSummaryRow[]> {
  const [field, dir] = page.sort.split(':') as [keyof typeof SORT_COLUMNS, 'asc' | 'desc'];
  const column = SORT_COLUMNS[field] ?? diagrams.createdAt;
  return db
    .select(summary)
    .from(diagrams)
    .where(eq(diagrams.threatModelId, threatModelId))
    .orderBy(dir === 'desc' ? desc(column) : asc(column), asc(diagrams.id))
    .limit(page.limit)
    .offset(page.offset);
}

export async function countDiagrams(db: Executor, threatModelId: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(diagrams)
    .where(eq(diagrams.threatModelId, threatModelId));
  return row?.n ?? 0;
}

export async function findDiagram(
  db: Executor,
  threatModelId: string,
  id: string,
): Promise<DiagramSummaryRow | null> {
  const [row] = await db
    .select(summary)
    .from(diagrams)
    .where(and(eq(diagrams.id, id), eq(diagrams.threatModelId, threatModelId)));
  return row ?? null;
}

/** Which of `ids` are diagrams of this model (threats may only point inside their model). */
export async function findDiagramIdsInModel(
  db: Executor,
  threatModelId: string,
  ids: string[],
): Promise<Set<string>> {
  if (!ids.length) return new Set();
  const rows = await db
    .select({ id: diagrams.id })
    .from(diagrams)
    .where(and(eq(diagrams.threatModelId, threatModelId), inArray(diagrams.id, ids)));
  return new Set(rows.map((r) => r.id));
}

export async function insertDiagram(
  db: Executor,
  values: {
    threatModelId: string;
    name: string;
    type: 'DFD-1.0.0';
    description: string | null;
    createdBy: string | null;
    /** An imported diagram arrives with its document: cells and the Yjs state they came from. */
    cells?: unknown[];
    ydocState?: Uint8Array;
  },
): Promise<DiagramSummaryRow> {
  const [row] = await db.insert(diagrams).values(values).returning(summary);
  return row!;
}

/**
 * Writes name/description and bumps `version` when the row is still at `version`; null when
 * it moved on or vanished. REST cell writes go through here too, for the version bump.
 */
export async function updateDiagram(
  db: Executor,
  id: string,
  version: number,
  values: { name: string; description: string | null },
): Promise<DiagramSummaryRow | null> {
  const [row] = await db
    .update(diagrams)
    .set({ ...values, version: sql`${diagrams.version} + 1`, modifiedAt: sql`now()` })
    .where(and(eq(diagrams.id, id), eq(diagrams.version, version)))
    .returning(summary);
  return row ?? null;
}

/** Deletes the diagram (its log and versions cascade) when still at `version`. */
export async function deleteDiagram(
  db: Executor,
  id: string,
  version: number,
): Promise<DiagramSummaryRow | null> {
  const [row] = await db
    .delete(diagrams)
    .where(and(eq(diagrams.id, id), eq(diagrams.version, version)))
    .returning(summary);
  return row ?? null;
}

/** The model's diagram ids, oldest first (an approval pins a version of each). */
export async function listDiagramIdsOfModel(db: Executor, threatModelId: string) {
  const rows = await db
    .select({ id: diagrams.id })
    .from(diagrams)
    .where(eq(diagrams.threatModelId, threatModelId))
    .orderBy(diagrams.createdAt, diagrams.id);
  return rows.map((r) => r.id);
}
