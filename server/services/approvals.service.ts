import type { Database, Executor } from '../../db';
import * as approvalsRepo from '../../db/repositories/approvals.repository';
import * as diagramsRepo from '../../db/repositories/diagrams.repository';
import * as threatsRepo from '../../db/repositories/threats.repository';
import * as versionsRepo from '../../db/repositories/diagram-versions.repository';
import type { ApprovalKind } from '../../db/schema/enums';
import { recordVersion, snapshotThreats } from '../../collab';
import type { Cell } from '../../model/cells';
import type { DocumentSnapshot } from '../../model/document-snapshot';
import { diffCells, diffThreats, type ThreatSnapshot } from '../../model/version-diff';
import type { LiveDiagrams, ServiceRequest } from '../context';

// An approval covers something in particular: each diagram as it was (an `approval` version)
// and the threat register at that moment. Drift is what changed since the owner's latest.

export interface ApprovalDeps {
  db: Database;
  live: LiveDiagrams;
}

/** The live state of every diagram of the model, taken before the approving transaction. */
export async function snapshotDiagrams(
  { db, live }: ApprovalDeps,
  threatModelId: string,
): Promise<Map<string, DocumentSnapshot>> {
  const ids = await diagramsRepo.listDiagramIdsOfModel(db, threatModelId);
  const snapshots = new Map<string, DocumentSnapshot>();
  for (const id of ids) snapshots.set(id, await live.snapshot(id));
  return snapshots;
}

/**
 * Inside the approving transaction: an `approval` version of every diagram (from
 * `snapshots`) and an approval row pinning them and the threat register.
 */
export async function pinApproval(
  tx: Executor,
  request: ServiceRequest,
  input: {
    threatModelId: string;
    kind: ApprovalKind;
    note: string | null;
    snapshots: Map<string, DocumentSnapshot>;
  },
) {
  const verb = input.kind === 'owner' ? 'Approved' : 'Signed off';
  const versions: Record<string, number> = {};
  for (const [diagramId, snapshot] of input.snapshots) {
    const version = await recordVersion(tx, {
      diagramId,
      kind: 'approval',
      snapshot,
      createdBy: request.user.id,
      changeDescription: `${verb} by ${request.user.name}`,
    });
    versions[diagramId] = version.versionNumber;
  }
  const threats = await snapshotThreats(
    tx,
    await threatsRepo.listThreatsOfModel(tx, input.threatModelId),
  );
  return approvalsRepo.insertApproval(tx, {
    threatModelId: input.threatModelId,
    kind: input.kind,
    approvedBy: request.user.id,
    note: input.note,
    versions,
    threats,
  });
}

export interface Drift {
  since_approval: boolean;
  /** Cells and threats added, removed or changed since the approval; diagrams added or deleted. */
  changes: number;
  approval: {
    approved_at: string;
    approved_by: { id: string | null; name: string | null };
    versions: Record<string, number>;
  } | null;
}

/** What changed since the model's latest owner approval (no approval: no drift). */
export async function measureDrift(
  { db, live }: ApprovalDeps,
  threatModelId: string,
): Promise<Drift> {
  const latest = await approvalsRepo.findLatestOwnerApproval(db, threatModelId);
  if (!latest) return { since_approval: false, changes: 0, approval: null };
  const { approval } = latest;
  const pinned = approval.versions;
  const diagramIds = await diagramsRepo.listDiagramIdsOfModel(db, threatModelId);
  // A diagram deleted since the approval counts once.
  let changes = Object.keys(pinned).filter((id) => !diagramIds.includes(id)).length;
  for (const id of diagramIds) {
    const now = await live.readCells(id);
    const number = pinned[id];
    const version =
      number === undefined ? null : await versionsRepo.findDiagramVersion(db, id, number);
    // A diagram created since the approval counts once, however many cells it has.
    if (!version) {
      changes += 1;
      continue;
    }
    const cells = diffCells(version.cells as Cell[], now);
    changes += cells.added.length + cells.removed.length + cells.changed.length;
  }
  const register = await snapshotThreats(
    db,
    await threatsRepo.listThreatsOfModel(db, threatModelId),
  );
  const threats = diffThreats(approval.threats as ThreatSnapshot[], register);
  changes += threats.added.length + threats.removed.length + threats.changed.length;
  return {
    since_approval: changes > 0,
    changes,
    approval: {
      approved_at: approval.createdAt.toISOString(),
      approved_by: { id: approval.approvedBy, name: latest.approvedByName },
      versions: pinned,
    },
  };
}
