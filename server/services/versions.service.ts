import type { Database } from '../../db';
import * as diagramsRepo from '../../db/repositories/diagrams.repository';
import * as versionsRepo from '../../db/repositories/diagram-versions.repository';
import { recordVersion } from '../../collab';
import type { Cell } from '../../model/cells';
import { replaceCells } from '../../model/ydoc';
import type { Actor, Caller, LiveDiagrams } from '../context';
import { notFound } from '../errors';
import { recordAudit } from './audit';
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
  caller: Caller,
  tmId: string,
  diagramId: string,
  page: { limit: number; offset: number },
) {
  await authorize(db, caller, tmId, 'read');
  await diagramIn(db, tmId, diagramId);
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
  caller: Caller,
  tmId: string,
  diagramId: string,
  versionNumber: number,
) {
  await authorize(db, caller, tmId, 'read');
  await diagramIn(db, tmId, diagramId);
  const version = await versionsRepo.findDiagramVersion(db, diagramId, versionNumber);
  if (!version) throw notFound('version');
  return version;
}

/** Records a manual version of the diagram as it is now (live edits included). */
export async function createVersion(
  { db, live }: VersionDeps,
  caller: Caller,
  actor: Actor,
  tmId: string,
  diagramId: string,
  input: { change_description?: string | null },
) {
  await authorize(db, caller, tmId, 'edit');
  await diagramIn(db, tmId, diagramId);
  const snapshot = await live.snapshot(diagramId);
  const version = await recordVersion(db, {
    diagramId,
    kind: 'manual',
    snapshot,
    createdBy: caller.user.id,
    changeDescription: input.change_description ?? null,
  });
  await recordAudit(db, actor, {
    action: 'diagram.version.create',
    entityType: 'diagram',
    entityId: diagramId,
    threatModelId: tmId,
    changes: { version_number: { before: null, after: version.versionNumber } },
  });
  return version;
}

/**
 * Restores a version: its cells are applied to the live document as one server transaction
 * (everyone connected sees them; the history stays in the log), then a `restore` version
 * records the result.
 */
export async function restoreVersion(
  { db, live }: VersionDeps,
  caller: Caller,
  actor: Actor,
  tmId: string,
  diagramId: string,
  versionNumber: number,
) {
  await authorize(db, caller, tmId, 'edit');
  await diagramIn(db, tmId, diagramId);
  const old = await versionsRepo.findDiagramVersion(db, diagramId, versionNumber);
  if (!old) throw notFound('version');
  await live.transact(
    diagramId,
    (doc) => replaceCells(doc, old.cells as Cell[], null),
    caller.user.id,
  );
  const snapshot = await live.snapshot(diagramId);
  const version = await recordVersion(db, {
    diagramId,
    kind: 'restore',
    snapshot,
    createdBy: caller.user.id,
    changeDescription: `Restored version ${versionNumber}`,
    restoredFrom: versionNumber,
  });
  await recordAudit(db, actor, {
    action: 'diagram.version.restore',
    entityType: 'diagram',
    entityId: diagramId,
    threatModelId: tmId,
    changes: { restored_from: { before: null, after: versionNumber } },
  });
  return { version, cells: snapshot.cells };
}
