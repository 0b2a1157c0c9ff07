import { and, desc, eq, sql } from 'drizzle-orm';
import type { Executor } from '../client';
import { diagramVersions, users } from '../schema';
import type { VersionKind } from '../schema/enums';

export type DiagramVersionRow = typeof diagramVersions.$inferSelect;

export interface NewDiagramVersion {
  diagramId: string;
  kind: VersionKind;
  ydocState: Uint8Array;
  cells: unknown[];
  threats: unknown[];
  changeDescription: string | null;
  restoredFrom: number | null;
  createdBy: string | null;
}

/**
 * Inserts a version numbered one above the diagram's highest. Two concurrent inserts can pick
 * the same number; the unique index then rejects one, and the caller retries.
 */
export async function insertDiagramVersion(
  db: Executor,
  values: NewDiagramVersion,
): Promise<DiagramVersionRow> {
  const [row] = await db
    .insert(diagramVersions)
    .values({
      ...values,
      versionNumber: sql`(select coalesce(max(${diagramVersions.versionNumber}), 0) + 1 from ${diagramVersions} where ${diagramVersions.diagramId} = ${values.diagramId})`,
    })
    .returning();
  if (!row) throw new Error('insertDiagramVersion returned no row');
  return row;
}

/** Version summaries (no state, no cells), newest first, with the total in the same query. */
export async function listDiagramVersions(
  db: Executor,
  diagramId: string,
  page: { limit: number; offset: number },
) {
  const rows = await db
    .select({
      id: diagramVersions.id,
      versionNumber: diagramVersions.versionNumber,
      kind: diagramVersions.kind,
      changeDescription: diagramVersions.changeDescription,
      restoredFrom: diagramVersions.restoredFrom,
      createdBy: diagramVersions.createdBy,
      createdByName: users.name,
      createdAt: diagramVersions.createdAt,
      threatCount: sql<number>`jsonb_array_length(${diagramVersions.threats})::int`,
      cellCount: sql<number>`jsonb_array_length(${diagramVersions.cells})::int`,
      total: sql<number>`count(*) over ()::int`,
    })
    .from(diagramVersions)
    .leftJoin(users, eq(users.id, diagramVersions.createdBy))
    .where(eq(diagramVersions.diagramId, diagramId))
    .orderBy(desc(diagramVersions.versionNumber))
    .limit(page.limit)
    .offset(page.offset);
  return rows;
}

/** One version with its cells and state. */
export async function findDiagramVersion(
  db: Executor,
  diagramId: string,
  versionNumber: number,
): Promise<DiagramVersionRow | null> {
  const [row] = await db
    .select()
    .from(diagramVersions)
    .where(
      and(
        eq(diagramVersions.diagramId, diagramId),
        eq(diagramVersions.versionNumber, versionNumber),
      ),
    );
  return row ?? null;
}

/** The cells of a diagram's newest version, or null when it has none. */
export async function findLatestVersionCells(
  db: Executor,
  diagramId: string,
): Promise<unknown[] | null> {
  const [row] = await db
    .select({ cells: diagramVersions.cells })
    .from(diagramVersions)
    .where(eq(diagramVersions.diagramId, diagramId))
    .orderBy(desc(diagramVersions.versionNumber))
    .limit(1);
  return row ? (row.cells as unknown[]) : null;
}
