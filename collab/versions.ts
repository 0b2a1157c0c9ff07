import * as Y from 'yjs';
import type { Executor } from '../db';
import * as versionsRepo from '../db/repositories/diagram-versions.repository';
import type { DiagramVersionRow } from '../db/repositories/diagram-versions.repository';
import type { VersionKind } from '../db/schema/enums';
import type { Cell } from '../model/cells';
import { cellsFromDoc } from '../model/ydoc';
import { isUniqueViolation } from './db-errors';

/** A document's state and cells at one instant: what a version stores. */
export interface DocumentSnapshot {
  state: Uint8Array;
  cells: Cell[];
}

/** Captures `doc` synchronously, so the snapshot is consistent even if edits follow. */
export function snapshotDocument(doc: Y.Doc): DocumentSnapshot {
  return { state: Y.encodeStateAsUpdate(doc), cells: cellsFromDoc(doc) };
}

export interface NewVersion {
  diagramId: string;
  kind: VersionKind;
  snapshot: DocumentSnapshot;
  createdBy: string | null;
  changeDescription?: string | null;
  restoredFrom?: number | null;
}

/**
 * Records a `diagram_versions` row numbered after the last one. Concurrent writers may race
 * for a number; the loser retries with the next.
 */
export async function recordVersion(db: Executor, input: NewVersion): Promise<DiagramVersionRow> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await versionsRepo.insertDiagramVersion(db, {
        diagramId: input.diagramId,
        kind: input.kind,
        ydocState: input.snapshot.state,
        cells: input.snapshot.cells,
        changeDescription: input.changeDescription ?? null,
        restoredFrom: input.restoredFrom ?? null,
        createdBy: input.createdBy,
      });
    } catch (err) {
      if (!isUniqueViolation(err) || attempt >= 5) throw err;
    }
  }
}
