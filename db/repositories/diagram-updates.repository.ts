import { and, asc, eq, gt } from 'drizzle-orm';
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
    .select({ ydocState: diagrams.ydocState, compactedSeq: diagrams.compactedSeq })
    .from(diagrams)
    .where(eq(diagrams.id, diagramId));
  return row ?? null;
}

/** Log entries not yet folded into the compacted state, oldest first. */
export async function listPendingUpdates(db: Executor, diagramId: string, afterSeq: number) {
  return db
    .select({ seq: diagramUpdates.seq, update: diagramUpdates.update })
    .from(diagramUpdates)
    .where(and(eq(diagramUpdates.diagramId, diagramId), gt(diagramUpdates.seq, afterSeq)))
    .orderBy(asc(diagramUpdates.seq));
}
