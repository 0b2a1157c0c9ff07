import type { Executor } from '../db';
import * as versionsRepo from '../db/repositories/diagram-versions.repository';
import type { DiagramVersionRow } from '../db/repositories/diagram-versions.repository';
import type { VersionKind } from '../db/schema/enums';
import type { DocumentSnapshot } from '../model/document-snapshot';
import { isUniqueViolation } from './db-errors';

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
