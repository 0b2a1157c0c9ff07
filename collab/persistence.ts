import * as Y from 'yjs';
import type { Executor } from '../db';
import * as updatesRepo from '../db/repositories/diagram-updates.repository';

export interface LoadedDocument {
  doc: Y.Doc;
  /** Highest log sequence number folded into `doc`. */
  lastSeq: number;
}

/**
 * Loads a diagram's document: compacted state plus every log entry after it. Returns null
 * when the diagram does not exist.
 */
export async function loadDocument(
  db: Executor,
  diagramId: string,
): Promise<LoadedDocument | null> {
  const state = await updatesRepo.findDiagramState(db, diagramId);
  if (!state) return null;
  const doc = new Y.Doc({ gc: true });
  const pending = await updatesRepo.listPendingUpdates(db, diagramId, state.compactedSeq);
  const updates = pending.map((p) => p.update);
  if (state.ydocState) updates.unshift(state.ydocState);
  if (updates.length) Y.applyUpdate(doc, Y.mergeUpdates(updates));
  return { doc, lastSeq: pending.at(-1)?.seq ?? state.compactedSeq };
}
