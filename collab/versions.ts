import type { Executor } from '../db';
import * as versionsRepo from '../db/repositories/diagram-versions.repository';
import type { DiagramVersionRow } from '../db/repositories/diagram-versions.repository';
import * as mitigationsRepo from '../db/repositories/mitigations.repository';
import * as threatsRepo from '../db/repositories/threats.repository';
import type { ThreatRow } from '../db/repositories/threats.repository';
import * as usersRepo from '../db/repositories/users.repository';
import type { VersionKind } from '../db/schema/enums';
import type { Cell } from '../model/cells';
import type { DocumentSnapshot } from '../model/document-snapshot';
import { isMitigatedBy, mitigationText } from '../model/mitigations';
import { threatRisk } from '../model/risk';
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

/**
 * Threats as a version keeps them: their fields, their linked mitigations (name and status)
 * and the current risk those give. Two queries for any number of threats.
 */
export async function snapshotThreats(
  db: Executor,
  rows: readonly ThreatRow[],
): Promise<ThreatSnapshot[]> {
  const links = await mitigationsRepo.listLinksOfThreats(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((row) => {
    const mine = links.filter((l) => l.threatId === row.id);
    const effects = mine.map((l) => ({ ...l, risk_reduction: l.riskReduction }));
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
      mitigated: isMitigatedBy(effects),
      mitigation: mitigationText(effects) ?? (mine.length ? null : row.mitigation),
      mitigations: mine.map((l) => ({ id: l.mitigationId, name: l.name, status: l.status })),
      risk: threatRisk(row, effects).current?.level ?? null,
    };
  });
}

/**
 * Records a `diagram_versions` row numbered after the last one, with the threats on the
 * diagram at that moment. Concurrent writers may race for a number; the loser retries.
 */
export async function recordVersion(db: Executor, input: NewVersion): Promise<DiagramVersionRow> {
  const threats = await snapshotThreats(
    db,
    await threatsRepo.listThreatsOnDiagram(db, input.diagramId),
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
