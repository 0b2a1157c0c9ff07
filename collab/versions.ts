import type { Executor } from '../db';
import * as versionsRepo from '../db/repositories/diagram-versions.repository';
import type { DiagramVersionRow } from '../db/repositories/diagram-versions.repository';
import * as threatsRepo from '../db/repositories/threats.repository';
import type { ThreatRow } from '../db/repositories/threats.repository';
import * as usersRepo from '../db/repositories/users.repository';
import type { VersionKind } from '../db/schema/enums';
import type { Cell } from '../model/cells';
import type { DocumentSnapshot } from '../model/document-snapshot';
import { describeCellChanges, diffCells, type ThreatSnapshot } from '../model/version-diff';
import { isUniqueViolation } from './db-errors';

export interface NewVersion {
  diagramId: string;
  kind: VersionKind;
  snapshot: DocumentSnapshot;
  createdBy: string | null;
  changeDescription?: string | null;
  restoredFrom?: number | null;
  /**
   * For automatic versions: who edited since the last version. The description then says what
   * changed and by whom ("3 cells changed by Ada and Grace"), `changeDescription` (the trigger)
   * after it.
   */
  editorIds?: readonly string[];
}

/** A threat as a version keeps it. */
export function threatSnapshotOf(row: ThreatRow): ThreatSnapshot {
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    severity: row.severity,
    likelihood: row.likelihood,
    impact: row.impact,
    score: row.score,
    cell_id: row.cellId,
    diagram_id: row.diagramId,
    mitigated: row.mitigated,
    mitigation: row.mitigation,
  };
}

/**
 * Records a `diagram_versions` row numbered after the last one, with the threats on the
 * diagram at that moment. Concurrent writers may race for a number; the loser retries.
 */
export async function recordVersion(db: Executor, input: NewVersion): Promise<DiagramVersionRow> {
  const threats = (await threatsRepo.listThreatsOnDiagram(db, input.diagramId)).map(
    threatSnapshotOf,
  );
  const changeDescription = input.editorIds
    ? await describeAutomaticVersion(db, input)
    : (input.changeDescription ?? null);
  for (let attempt = 0; ; attempt++) {
    try {
      return await versionsRepo.insertDiagramVersion(db, {
        diagramId: input.diagramId,
        kind: input.kind,
        ydocState: input.snapshot.state,
        cells: input.snapshot.cells,
        threats,
        changeDescription,
        restoredFrom: input.restoredFrom ?? null,
        createdBy: input.createdBy,
      });
    } catch (err) {
      if (!isUniqueViolation(err) || attempt >= 5) throw err;
    }
  }
}

async function describeAutomaticVersion(db: Executor, input: NewVersion): Promise<string> {
  const [previous, names] = await Promise.all([
    versionsRepo.findLatestVersionCells(db, input.diagramId),
    usersRepo.findUserNames(db, input.editorIds ?? []),
  ]);
  const what = describeCellChanges(
    diffCells((previous ?? []) as Cell[], input.snapshot.cells),
    names,
  );
  return input.changeDescription ? `${what} (${input.changeDescription.toLowerCase()})` : what;
}
