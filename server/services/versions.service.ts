import type { Database } from '../../db';
import * as diagramsRepo from '../../db/repositories/diagrams.repository';
import * as versionsRepo from '../../db/repositories/diagram-versions.repository';
import { recordVersion, snapshotThreats } from '../../collab';
import * as threatsRepo from '../../db/repositories/threats.repository';
import type { Cell } from '../../model/cells';
import { countChanges, diffVersions, type ThreatSnapshot } from '../../model/version-diff';
import { replaceCells } from '../../model/ydoc';
import type { LiveDiagrams, ServiceRequest } from '../context';
import { notFound } from '../errors';
import { recordAudit } from './audit';
import type { DiagramRef } from './diagrams.service';
import { authorize } from './policy';

export interface VersionDeps {
  db: Database;
  live: LiveDiagrams;
}

async function diagramIn(db: Database, tmId: string, diagramId: string) {
  const diagram = await diagramsRepo.findDiagram(db, tmId, diagramId);
  if (!diagram) throw notFound('diagram');
  return diagram;
}

/** A diagram's versions, newest first. */
export async function listVersions(
  { db }: VersionDeps,
  request: ServiceRequest,
  { threatModelId, diagramId, page }: DiagramRef & { page: { limit: number; offset: number } },
) {
  await authorize(db, request, threatModelId, 'read');
  await diagramIn(db, threatModelId, diagramId);
  const rows = await versionsRepo.listDiagramVersions(db, diagramId, page);
  // The window count rides on each row; past the last page there is no row to carry it.
  const total =
    rows[0]?.total ??
    (page.offset > 0
      ? ((await versionsRepo.listDiagramVersions(db, diagramId, { limit: 1, offset: 0 }))[0]
          ?.total ?? 0)
      : 0);
  return { items: rows, total };
}

/** One version with its cells. */
export async function getVersion(
  { db }: VersionDeps,
  request: ServiceRequest,
  { threatModelId, diagramId, versionNumber }: DiagramRef & { versionNumber: number },
) {
  await authorize(db, request, threatModelId, 'read');
  await diagramIn(db, threatModelId, diagramId);
  const version = await versionsRepo.findDiagramVersion(db, diagramId, versionNumber);
  if (!version) throw notFound('version');
  return version;
}

/** Records a manual version of the diagram as it is now (live edits included). */
export async function createVersion(
  { db, live }: VersionDeps,
  request: ServiceRequest,
  {
    threatModelId,
    diagramId,
    version: input,
  }: DiagramRef & { version: { change_description?: string | null } },
) {
  await authorize(db, request, threatModelId, 'edit');
  await diagramIn(db, threatModelId, diagramId);
  const snapshot = await live.snapshot(diagramId);
  const version = await recordVersion(db, {
    diagramId,
    kind: 'manual',
    snapshot,
    createdBy: request.user.id,
    changeDescription: input.change_description ?? null,
  });
  await recordAudit(db, request, {
    action: 'diagram.version.create',
    entityType: 'diagram',
    entityId: diagramId,
    threatModelId,
    changes: { version_number: { before: null, after: version.versionNumber } },
  });
  return { ...version, createdByName: request.user.name };
}

/**
 * Restores a version. First a `pre_restore` version records what the restore replaces (so
 * restoring that one brings the work back); then the old cells are applied to the live
 * document as one server transaction (everyone connected sees them) and a `restore` version
 * records the result.
 */
export async function restoreVersion(
  { db, live }: VersionDeps,
  request: ServiceRequest,
  { threatModelId, diagramId, versionNumber }: DiagramRef & { versionNumber: number },
) {
  await authorize(db, request, threatModelId, 'edit');
  await diagramIn(db, threatModelId, diagramId);
  const old = await versionsRepo.findDiagramVersion(db, diagramId, versionNumber);
  if (!old) throw notFound('version');
  const preRestore = await recordVersion(db, {
    diagramId,
    kind: 'pre_restore',
    snapshot: await live.snapshot(diagramId),
    createdBy: request.user.id,
    changeDescription: `Before restoring version ${versionNumber}`,
  });
  await live.transact(
    diagramId,
    (doc) => replaceCells(doc, old.cells as Cell[], null),
    request.user.id,
  );
  const snapshot = await live.snapshot(diagramId);
  const version = await recordVersion(db, {
    diagramId,
    kind: 'restore',
    snapshot,
    createdBy: request.user.id,
    changeDescription: `Restored version ${versionNumber}`,
    restoredFrom: versionNumber,
  });
  await recordAudit(db, request, {
    action: 'diagram.version.restore',
    entityType: 'diagram',
    entityId: diagramId,
    threatModelId,
    changes: {
      restored_from: { before: null, after: versionNumber },
      pre_restore_version: { before: null, after: preRestore.versionNumber },
    },
  });
  const by = { createdByName: request.user.name };
  return {
    version: { ...version, ...by },
    preRestore: { ...preRestore, ...by },
    cells: snapshot.cells,
  };
}

/** A version or the live diagram, as a diff compares it. */
async function stateAt(
  { db, live }: VersionDeps,
  diagramId: string,
  at: number | 'live',
): Promise<{ cells: Cell[]; threats: ThreatSnapshot[] }> {
  if (at === 'live') {
    const [cells, threats] = await Promise.all([
      live.readCells(diagramId),
      threatsRepo.listThreatsOnDiagram(db, diagramId),
    ]);
    return { cells, threats: await snapshotThreats(db, threats) };
  }
  const version = await versionsRepo.findDiagramVersion(db, diagramId, at);
  if (!version) throw notFound('version');
  return { cells: version.cells as Cell[], threats: version.threats as ThreatSnapshot[] };
}

/** What changed from version `from` to version `to` (or to the live diagram). */
export async function diffVersion(
  deps: VersionDeps,
  request: ServiceRequest,
  { threatModelId, diagramId, from, to }: DiagramRef & { from: number; to: number | 'live' },
) {
  await authorize(deps.db, request, threatModelId, 'read');
  await diagramIn(deps.db, threatModelId, diagramId);
  const [before, after] = await Promise.all([
    stateAt(deps, diagramId, from),
    stateAt(deps, diagramId, to),
  ]);
  const diff = diffVersions(before, after);
  return { diff, changeCount: countChanges(diff) };
}
