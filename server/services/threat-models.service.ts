import type { Executor } from '../../db';
import * as accessRepo from '../../db/repositories/access.repository';
import * as tmRepo from '../../db/repositories/threat-models.repository';
import type { Framework, ModelStatus } from '../../db/schema/enums';
import { can, type Role } from '../../model/roles';
import type { ServiceRequest } from '../context';
import { conflict, forbidden, notFound, preconditionFailed } from '../errors';
import { assertVersion } from '../http';
import { applyJsonPatch, type JsonPatch, type PatchAllowList } from '../json-patch';
import { parseInput } from '../schemas/parse-input';
import { PatchedThreatModelSchema } from '../schemas/threat-models.schemas';
import { measureDrift, type ApprovalDeps } from './approvals.service';
import { diffChanges, recordAudit } from './audit';
import { authorize } from './policy';

/** The fields a client writes; what PUT replaces and PATCH documents hold (snake_case). */
export interface ThreatModelInput {
  name: string;
  description?: string | null;
  framework?: Framework;
  issue_url?: string | null;
  status?: ModelStatus;
  owner_id?: string;
  require_reviewer_signoff?: boolean;
}

/** Audited fields: content and workflow, never bookkeeping (version, counts, timestamps). */
const AUDITED = [
  'name',
  'description',
  'framework',
  'status',
  'issueUrl',
  'ownerId',
  'requireReviewerSignoff',
] as const;

/** PATCH paths and the action each needs; `owner_id` is the owner-only one. */
export const THREAT_MODEL_PATCH_PATHS: PatchAllowList = {
  name: 'edit',
  description: 'edit',
  framework: 'edit',
  issue_url: 'edit',
  status: 'edit',
  owner_id: 'manage',
  require_reviewer_signoff: 'manage',
};

/** Allowed status moves. Review can be withdrawn or reopened; archived models can be revived. */
const TRANSITIONS: Record<ModelStatus, readonly ModelStatus[]> = {
  draft: ['in_review', 'archived'],
  in_review: ['draft', 'approved', 'archived'],
  approved: ['draft', 'in_review', 'archived'],
  archived: ['draft'],
};

export type ThreatModelDetail = NonNullable<Awaited<ReturnType<typeof loadDetail>>>;

async function loadDetail(db: Executor, id: string, role: Role) {
  const found = await tmRepo.findThreatModel(db, id);
  if (!found) return null;
  return { ...found, role, grants: await accessRepo.listGrants(db, id) };
}

/** Creates a model; the creator becomes its owner (model and grant in one transaction). */
export async function createThreatModel(
  db: Executor,
  request: ServiceRequest,
  { threatModel: input }: { threatModel: ThreatModelInput },
): Promise<ThreatModelDetail> {
  const id = await db.transaction(async (tx) => {
    const row = await tmRepo.insertThreatModel(tx, {
      name: input.name,
      description: input.description ?? null,
      framework: input.framework ?? 'STRIDE',
      issueUrl: input.issue_url ?? null,
      ownerId: request.user.id,
      createdBy: request.user.id,
    });
    await accessRepo.insertGrant(tx, {
      threatModelId: row.id,
      principal: { type: 'user', id: request.user.id },
      role: 'owner',
      grantedBy: request.user.id,
    });
    await recordAudit(tx, request, {
      action: 'create',
      entityType: 'threat_model',
      entityId: row.id,
      threatModelId: row.id,
      changes: diffChanges(null, row, AUDITED),
    });
    return row.id;
  });
  return (await loadDetail(db, id, 'owner'))!;
}

/** The model with grants and the caller's role; 404 when invisible. */
/** One model with its grants (what the caller's role lets them see). */
export async function getThreatModel(
  db: Executor,
  request: ServiceRequest,
  { threatModelId }: { threatModelId: string },
) {
  const role = await authorize(db, request, threatModelId, 'read');
  const detail = await loadDetail(db, threatModelId, role);
  if (!detail) throw notFound('threat model');
  return detail;
}

/** GET of one model: its grants and its drift since the latest approval. */
export async function getThreatModelWithDrift(
  deps: ApprovalDeps,
  request: ServiceRequest,
  input: { threatModelId: string },
) {
  const detail = await getThreatModel(deps.db, request, input);
  return { ...detail, drift: await measureDrift(deps, input.threatModelId) };
}

/** One page of the models the caller can see. */
export async function listThreatModels(
  db: Executor,
  request: ServiceRequest,
  { filter }: { filter: tmRepo.ThreatModelFilter },
) {
  const rows = await tmRepo.listVisibleThreatModels(db, request.user.id, filter);
  // Past the last page the window count has no row to ride on; ask once more.
  const total =
    rows[0]?.total ??
    (filter.offset > 0 ? await tmRepo.countVisibleThreatModels(db, request.user.id, filter) : 0);
  const items = rows.map((r) => ({ ...r, role: accessRepo.ROLE_BY_RANK[r.rank] as Role }));
  return { items, total };
}

/** PUT: replaces the writable fields (absent optional ones are cleared; status is kept). */
export async function replaceThreatModel(
  db: Executor,
  request: ServiceRequest,
  {
    threatModelId,
    ifMatch,
    threatModel: input,
  }: { threatModelId: string; ifMatch?: number; threatModel: ThreatModelInput },
) {
  const role = await authorize(db, request, threatModelId, 'edit');
  return writeThreatModel(db, request, threatModelId, ifMatch, role, (current) => ({
    name: input.name,
    description: input.description ?? null,
    framework: input.framework ?? 'STRIDE',
    issue_url: input.issue_url ?? null,
    status: input.status ?? current.status,
    owner_id: input.owner_id ?? current.owner_id,
    require_reviewer_signoff: input.require_reviewer_signoff ?? current.require_reviewer_signoff,
  }));
}

/** PATCH: JSON Patch over `THREAT_MODEL_PATCH_PATHS`; the result must be a complete model. */
export async function patchThreatModel(
  db: Executor,
  request: ServiceRequest,
  { threatModelId, ifMatch, patch }: { threatModelId: string; ifMatch?: number; patch: JsonPatch },
) {
  const role = await authorize(db, request, threatModelId, 'edit');
  return writeThreatModel(db, request, threatModelId, ifMatch, role, (current) =>
    parseInput(
      PatchedThreatModelSchema,
      applyJsonPatch(current, patch, THREAT_MODEL_PATCH_PATHS, role),
    ),
  );
}

type Writable = Required<ThreatModelInput>;

/** The shared write path of PUT and PATCH: lock, version check, rules, update, audit. */
async function writeThreatModel(
  db: Executor,
  request: ServiceRequest,
  id: string,
  ifMatch: number | undefined,
  role: Role,
  next: (current: Writable) => Writable,
): Promise<ThreatModelDetail> {
  await db.transaction(async (tx) => {
    const current = await tmRepo.lockThreatModel(tx, id);
    if (!current) throw notFound('threat model');
    assertVersion(ifMatch, current.version);
    const wanted = next({
      name: current.name,
      description: current.description,
      framework: current.framework,
      issue_url: current.issueUrl,
      status: current.status,
      owner_id: current.ownerId,
      require_reviewer_signoff: current.requireReviewerSignoff,
    });
    if (wanted.status !== current.status) checkTransition(current.status, wanted.status, role);
    if (
      wanted.require_reviewer_signoff !== current.requireReviewerSignoff &&
      !can(role, 'manage')
    ) {
      throw forbidden('Only owners decide whether approval waits for a reviewer.');
    }
    if (wanted.owner_id !== current.ownerId) {
      if (!can(role, 'manage')) throw forbidden('Only owners can change the owner.');
      const owners = await accessRepo.findGrant(tx, id, { type: 'user', id: wanted.owner_id });
      if (owners?.role !== 'owner') {
        throw conflict('owner_not_granted', 'Grant that user the owner role first.');
      }
    }
    const updated = await tmRepo.updateThreatModel(tx, id, current.version, {
      name: wanted.name,
      description: wanted.description,
      framework: wanted.framework,
      issueUrl: wanted.issue_url,
      status: wanted.status,
      ownerId: wanted.owner_id,
      requireReviewerSignoff: wanted.require_reviewer_signoff,
      ...(wanted.status !== current.status ? { statusUpdatedAt: new Date() } : {}),
    });
    if (!updated) throw preconditionFailed(current.version);
    const changes = diffChanges(current, updated, AUDITED);
    await recordAudit(tx, request, {
      action: 'update',
      entityType: 'threat_model',
      entityId: id,
      threatModelId: id,
      changes,
    });
  });
  return (await loadDetail(db, id, role))!;
}

/**
 * Approving happens only through the review decision (it pins what it covers and may wait for
 * a reviewer's sign-off); withdrawing an approval is an owner's move; other moves need writer.
 */
function checkTransition(from: ModelStatus, to: ModelStatus, role: Role) {
  if (to === 'approved') {
    throw conflict(
      'approval_via_review_decision',
      'A threat model is approved through its review: POST /api/threat_models/{tm}/reviews/decision with {"decision": "approved"} while it is in review.',
    );
  }
  if (from === 'approved' && !can(role, 'manage')) {
    throw forbidden('Only owners can withdraw an approval.');
  }
  if (!TRANSITIONS[from].includes(to)) {
    throw conflict('invalid_status_transition', `The status cannot change from ${from} to ${to}.`);
  }
}

/** Deletes the model and everything in it (owner only); the audit entry outlives it. */
export async function deleteThreatModel(
  db: Executor,
  request: ServiceRequest,
  { threatModelId: id, ifMatch }: { threatModelId: string; ifMatch?: number },
): Promise<void> {
  await authorize(db, request, id, 'manage');
  await db.transaction(async (tx) => {
    const current = await tmRepo.lockThreatModel(tx, id);
    if (!current) throw notFound('threat model');
    assertVersion(ifMatch, current.version);
    if (!(await tmRepo.deleteThreatModel(tx, id, current.version))) {
      throw preconditionFailed(current.version);
    }
    await recordAudit(tx, request, {
      action: 'delete',
      entityType: 'threat_model',
      entityId: id,
      threatModelId: id,
      changes: diffChanges(current, null, AUDITED),
    });
  });
}
