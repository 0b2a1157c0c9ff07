import * as Y from 'yjs';
import type { Database, Executor } from '../db';
import * as updatesRepo from '../db/repositories/diagram-updates.repository';
import { cellsFromDoc } from '../model/ydoc';

export interface LoadedDocument {
  doc: Y.Doc;
  threatModelId: string;
}

/** Transaction origin of the load itself: nothing to log or broadcast. */
export const LOAD_ORIGIN = Symbol('threatroom-load');

/**
 * Loads a diagram's document: compacted state plus every log entry still in the log.
 * Returns null when the diagram does not exist.
 */
export async function loadDocument(
  db: Executor,
  diagramId: string,
): Promise<LoadedDocument | null> {
  const state = await updatesRepo.findDiagramState(db, diagramId);
  if (!state) return null;
  const pending = await updatesRepo.listPendingUpdates(db, diagramId);
  const doc = new Y.Doc({ gc: true });
  const updates = pending.map((p) => p.update);
  if (state.ydocState) updates.unshift(state.ydocState);
  // One merged update integrates in one pass instead of re-walking the struct store per row.
  if (updates.length) Y.applyUpdate(doc, Y.mergeUpdates(updates), LOAD_ORIGIN);
  return { doc, threatModelId: state.threatModelId };
}

export type CompactionResult = 'compacted' | 'nothing' | 'busy' | 'missing';

/**
 * Folds the diagram's log into `diagrams.ydoc_state` and the `cells` projection, in one
 * transaction under an advisory lock so two processes never compact one diagram at once.
 * It rebuilds from the database rather than from a room's in-memory doc: only what is
 * committed may be folded, and another node's rows must be folded too.
 */
export async function compactDocument(db: Database, diagramId: string): Promise<CompactionResult> {
  return db.transaction(async (tx) => {
    if (!(await updatesRepo.tryLockDiagramForCompaction(tx, diagramId))) return 'busy';
    const state = await updatesRepo.findDiagramState(tx, diagramId);
    if (!state) return 'missing';
    const pending = await updatesRepo.listPendingUpdates(tx, diagramId);
    if (!pending.length) return 'nothing';
    const doc = new Y.Doc({ gc: true });
    try {
      const updates = pending.map((p) => p.update);
      if (state.ydocState) updates.unshift(state.ydocState);
      Y.applyUpdate(doc, Y.mergeUpdates(updates), LOAD_ORIGIN);
      const lastSeq = pending[pending.length - 1]!.seq;
      await updatesRepo.saveCompactedState(tx, diagramId, {
        ydocState: Y.encodeStateAsUpdate(doc),
        cells: cellsFromDoc(doc),
        compactedSeq: Math.max(state.compactedSeq, lastSeq),
      });
      await updatesRepo.deleteDiagramUpdates(
        tx,
        diagramId,
        pending.map((p) => p.seq),
      );
      return 'compacted';
    } finally {
      doc.destroy();
    }
  });
}
