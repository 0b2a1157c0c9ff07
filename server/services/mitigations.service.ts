import type { Executor } from '../../db';
import * as repo from '../../db/repositories/mitigations.repository';
import type { MitigationRow } from '../../db/repositories/mitigations.repository';
import * as threatsRepo from '../../db/repositories/threats.repository';
import * as usersRepo from '../../db/repositories/users.repository';
import type { ServiceRequest } from '../context';
import { badRequest, notFound, preconditionFailed } from '../errors';
import { assertVersion } from '../http';
import {
  MITIGATION_AUDIT_FIELDS,
  mitigationValues,
  type MitigationInput,
  type MitigationView,
} from '../schemas/mitigations.schemas';
import { diffChanges, recordAudit } from './audit';
import { mirrorThreats, type ThreatDeps } from './live-threats.service';
import { authorize } from './policy';

// Mitigations of a threat model, linked many-to-many to its threats. A change that moves risk
// (status, risk_reduction, a link, a delete) re-mirrors the threats it answers into their
// diagrams' live documents, so canvas marks follow without a reload.

type Page = { limit: number; offset: number; sort: string };
/** Names one mitigation of a model. */
export interface MitigationRef {
  threatModelId: string;
  mitigationId: string;
}

async function views(db: Executor, rows: readonly MitigationRow[]): Promise<MitigationView[]> {
  const links = await repo.listThreatIdsOfMitigations(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((row) => ({
    row,
    threatIds: links.filter((l) => l.mitigationId === row.id).map((l) => l.threatId),
  }));
}

async function assertOwnerExists(db: Executor, input: MitigationInput) {
  if (input.owner_id && !(await usersRepo.findUserById(db, input.owner_id))) {
    throw badRequest('The owner is not a user.', [{ path: 'owner_id', message: 'no such user' }]);
  }
}

async function findAt(db: Executor, ref: MitigationRef, ifMatch: number | undefined) {
  const row = await repo.findMitigation(db, ref.threatModelId, ref.mitigationId);
  if (!row) throw notFound('mitigation');
  assertVersion(ifMatch, row.version);
  return row;
}

export async function listMitigations(
  { db }: ThreatDeps,
  request: ServiceRequest,
  { threatModelId, page }: { threatModelId: string; page: Page },
) {
  await authorize(db, request, threatModelId, 'read');
  const [rows, total] = await Promise.all([
    repo.listMitigations(db, threatModelId, page),
    repo.countMitigations(db, threatModelId),
  ]);
  return { items: await views(db, rows), total };
}

export async function getMitigation(
  { db }: ThreatDeps,
  request: ServiceRequest,
  ref: MitigationRef,
) {
  await authorize(db, request, ref.threatModelId, 'read');
  return (await views(db, [await findAt(db, ref, undefined)]))[0]!;
}

export async function createMitigation(
  { db }: ThreatDeps,
  request: ServiceRequest,
  { threatModelId, input }: { threatModelId: string; input: MitigationInput },
): Promise<MitigationView> {
  await authorize(db, request, threatModelId, 'edit');
  await assertOwnerExists(db, input);
  const row = await db.transaction(async (tx) => {
    const created = await repo.insertMitigation(tx, {
      ...mitigationValues(input),
      threatModelId,
      createdBy: request.user.id,
    });
    await recordAudit(tx, request, {
      action: 'mitigation.create',
      entityType: 'mitigation',
      entityId: created.id,
      threatModelId,
      changes: diffChanges(null, created, MITIGATION_AUDIT_FIELDS),
    });
    return created;
  });
  return { row, threatIds: [] };
}

/** PUT: replaces the fields; a change of status or risk_reduction reaches the live marks. */
export async function replaceMitigation(
  deps: ThreatDeps,
  request: ServiceRequest,
  { ifMatch, input, ...ref }: MitigationRef & { ifMatch?: number; input: MitigationInput },
): Promise<MitigationView> {
  const { db } = deps;
  await authorize(db, request, ref.threatModelId, 'edit');
  const before = await findAt(db, ref, ifMatch);
  await assertOwnerExists(db, input);
  const row = await db.transaction(async (tx) => {
    const after = await repo.updateMitigation(
      tx,
      before.id,
      before.version,
      mitigationValues(input),
    );
    if (!after) {
      const now = await repo.findMitigation(tx, ref.threatModelId, before.id);
      throw now ? preconditionFailed(now.version) : notFound('mitigation');
    }
    await recordAudit(tx, request, {
      action: 'mitigation.update',
      entityType: 'mitigation',
      entityId: after.id,
      threatModelId: ref.threatModelId,
      changes: diffChanges(before, after, MITIGATION_AUDIT_FIELDS),
    });
    return after;
  });
  const [view] = await views(db, [row]);
  const moved = before.status !== row.status || before.riskReduction !== row.riskReduction;
  if (moved || before.name !== row.name) {
    await mirrorThreats(deps, ref.threatModelId, view!.threatIds);
  }
  return view!;
}

export async function deleteMitigation(
  deps: ThreatDeps,
  request: ServiceRequest,
  { ifMatch, ...ref }: MitigationRef & { ifMatch?: number },
): Promise<void> {
  const { db } = deps;
  await authorize(db, request, ref.threatModelId, 'edit');
  const answered = await db.transaction(async (tx) => {
    const before = await findAt(tx, ref, ifMatch);
    const linked = await repo.listThreatsOfMitigation(tx, before.id);
    if (!(await repo.deleteMitigation(tx, before.id, before.version))) {
      throw preconditionFailed(before.version + 1);
    }
    await recordAudit(tx, request, {
      action: 'mitigation.delete',
      entityType: 'mitigation',
      entityId: before.id,
      threatModelId: ref.threatModelId,
      changes: diffChanges(before, null, MITIGATION_AUDIT_FIELDS),
    });
    return linked.map((t) => t.id);
  });
  await mirrorThreats(deps, ref.threatModelId, answered);
}

/** Links (PUT) or unlinks (DELETE) a mitigation and a threat of the same model. */
export async function setLink(
  deps: ThreatDeps,
  request: ServiceRequest,
  {
    threatModelId,
    threatId,
    mitigationId,
    linked,
  }: { threatModelId: string; threatId: string; mitigationId: string; linked: boolean },
): Promise<void> {
  const { db } = deps;
  await authorize(db, request, threatModelId, 'edit');
  const [threat, mitigation] = await Promise.all([
    threatsRepo.findThreat(db, threatModelId, threatId),
    repo.findMitigation(db, threatModelId, mitigationId),
  ]);
  if (!threat) throw notFound('threat');
  if (!mitigation) throw notFound('mitigation');
  const changed = await db.transaction(async (tx) => {
    const done = linked
      ? await repo.linkMitigation(tx, threatId, mitigationId)
      : await repo.unlinkMitigation(tx, threatId, mitigationId);
    if (done) {
      await recordAudit(tx, request, {
        action: linked ? 'threat.mitigation.link' : 'threat.mitigation.unlink',
        entityType: 'threat',
        entityId: threatId,
        threatModelId,
        changes: {
          mitigation_id: linked
            ? { before: null, after: mitigationId }
            : { before: mitigationId, after: null },
        },
      });
    }
    return done;
  });
  if (changed) await mirrorThreats(deps, threatModelId, [threatId]);
}
