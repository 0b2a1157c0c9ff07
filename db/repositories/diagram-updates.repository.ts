import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Executor } from '../client';
import { diagrams, diagramUpdates } from '../schema';

export interface NewDiagramUpdate {
  diagramId: string;
  update: Uint8Array;
  origin: string;
  userId: string | null;
}

/** Appends updates in one multi-row insert (the group commit of the collab log). */
export async function appendDiagramUpdates(db: Executor, rows: NewDiagramUpdate[]): Promise<void> {
  if (rows.length) await db.insert(diagramUpdates).values(rows);
}

/** The compacted state of a diagram, or null when the diagram does not exist. */
export async function findDiagramState(db: Executor, diagramId: string) {
  const [row] = await db
    .select({
      threatModelId: diagrams.threatModelId,
      ydocState: diagrams.ydocState,
      compactedSeq: diagrams.compactedSeq,
    })
    .from(diagrams)
    .where(eq(diagrams.id, diagramId));
  return row ?? null;
}

/**
 * Log entries of a diagram still in the log, oldest first. Load and compaction read every
 * remaining row rather than only `seq > compacted_seq`: identity values are handed out before
 * commit, so a row with a lower seq can become visible after one with a higher seq was
 * compacted. Compaction deletes exactly the rows it folded, so what remains is what is missing.
 */
export async function listPendingUpdates(db: Executor, diagramId: string) {
  return db
    .select({ seq: diagramUpdates.seq, update: diagramUpdates.update })
    .from(diagramUpdates)
    .where(eq(diagramUpdates.diagramId, diagramId))
    .orderBy(asc(diagramUpdates.seq));
}

/** How many log rows a diagram has (tests and diagnostics). */
export async function countDiagramUpdates(db: Executor, diagramId: string): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(diagramUpdates)
    .where(eq(diagramUpdates.diagramId, diagramId));
  return row?.n ?? 0;
}

/**
 * Takes the per-diagram compaction lock for the current transaction, without waiting: false
 * when another process is compacting the same diagram right now.
 */
export async function tryLockDiagramForCompaction(tx: Executor, diagramId: string) {
  const result = await tx.execute(
    sql`select pg_try_advisory_xact_lock(hashtextextended(${`threatroom:compact:${diagramId}`}, 0)) as locked`,
  );
  const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as Array<{
    locked: boolean;
  }>;
  return rows[0]?.locked === true;
}

/** Stores a compacted state and its cells projection. */
export async function saveCompactedState(
  tx: Executor,
  diagramId: string,
  values: { ydocState: Uint8Array; cells: unknown[]; compactedSeq: number },
): Promise<void> {
  await tx
    .update(diagrams)
    .set({ ...values, modifiedAt: sql`now()` })
    .where(eq(diagrams.id, diagramId));
}

/** Chunk size for deletes by seq: far below Postgres' 65,535 bind parameters. */
const DELETE_CHUNK = 5_000;

/** Deletes exactly the given log rows (those folded into the compacted state). */
export async function deleteDiagramUpdates(
  tx: Executor,
  diagramId: string,
  seqs: number[],
): Promise<void> {
  for (let i = 0; i < seqs.length; i += DELETE_CHUNK) {
    await tx
      .delete(diagramUpdates)
      .where(
        and(
          eq(diagramUpdates.diagramId, diagramId),
          inArray(diagramUpdates.seq, seqs.slice(i, i + DELETE_CHUNK)),
        ),
      );
  }
}
