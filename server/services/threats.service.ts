import type { Executor } from '../../db';
import * as diagramsRepo from '../../db/repositories/diagrams.repository';
import * as metadataRepo from '../../db/repositories/metadata.repository';
import { adjustCounts } from '../../db/repositories/threat-models.repository';
import * as repo from '../../db/repositories/threats.repository';
import type {
  ThreatFilters,
  ThreatPage,
  ThreatRow,
} from '../../db/repositories/threats.repository';
import type { ServiceRequest } from '../context';
import { badRequest, conflict, notFound, preconditionFailed } from '../errors';
import { assertVersion } from '../http';
import { applyJsonPatch, type JsonPatch, type PatchAllowList } from '../json-patch';
import { parseInput } from '../schemas/parse-input';
import {
  THREAT_AUDIT_FIELDS,
  threatDocument,
  ThreatInputSchema,
  threatValues,
  type ThreatInput,
} from '../schemas/threats.schemas';
import { diffChanges, recordAudit, recordAudits } from './audit';
import { mirrorThreats, threatView, threatViews, type ThreatDeps } from './live-threats.service';
import { authorize } from './policy';

export type { ThreatDeps };

/** Postgres' unique_violation (here: the same rule on the same cell twice). */
const isUniqueViolation = (err: unknown): boolean => {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 8; depth++) {
    if ((e as { code?: unknown }).code === '23505') return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
};

export const MAX_BULK_THREATS = 100;

/** Every writable field; all need `edit` (writers and owners). */
const PATCHABLE: PatchAllowList = Object.fromEntries(
  Object.keys(ThreatInputSchema.shape).map((k) => [k, 'edit']),
);

/** A threat's diagram must belong to the same model; `at` names the field for the error. */
async function assertDiagramsInModel(
  db: Executor,
  threatModelId: string,
  inputs: readonly ThreatInput[],
  at: (i: number) => string,
): Promise<void> {
  const wanted = [...new Set(inputs.map((t) => t.diagram_id).filter((d): d is string => !!d))];
  const found = await diagramsRepo.findDiagramIdsInModel(db, threatModelId, wanted);
  const errors = inputs.flatMap((t, i) =>
    t.diagram_id && !found.has(t.diagram_id)
      ? [{ path: at(i), message: 'no such diagram in this threat model' }]
      : [],
  );
  if (errors.length) throw badRequest('A threat points at an unknown diagram.', errors);
}

/** Names one threat of a model. */
export interface ThreatRef {
  threatModelId: string;
  threatId: string;
}

export async function listThreats(
  deps: ThreatDeps,
  request: ServiceRequest,
  {
    threatModelId,
    filters,
    page,
  }: { threatModelId: string; filters: ThreatFilters; page: ThreatPage },
) {
  const { db } = deps;
  await authorize(db, request, threatModelId, 'read');
  const [rows, total] = await Promise.all([
    repo.listThreats(db, threatModelId, filters, page),
    repo.countThreats(db, threatModelId, filters),
  ]);
  return { items: await threatViews(deps, rows), total };
}

export async function getThreat(
  deps: ThreatDeps,
  request: ServiceRequest,
  { threatModelId, threatId }: ThreatRef,
) {
  await authorize(deps.db, request, threatModelId, 'read');
  const row = await repo.findThreat(deps.db, threatModelId, threatId);
  if (!row) throw notFound('threat');
  return threatView(deps, row);
}

/**
 * Creates up to MAX_BULK_THREATS threats in one transaction: one insert, one count update,
 * one multi-row audit insert. Any invalid item fails the whole request, nothing is stored.
 * `errorPath` names item i's diagram_id in a 400 (`3.diagram_id` for a bulk body).
 */
export async function createThreats(
  deps: ThreatDeps,
  request: ServiceRequest,
  {
    threatModelId,
    threats,
    errorPath = () => 'diagram_id',
  }: {
    threatModelId: string;
    threats: readonly ThreatInput[];
    errorPath?: (i: number) => string;
  },
) {
  const { db } = deps;
  await authorize(db, request, threatModelId, 'edit');
  await assertDiagramsInModel(db, threatModelId, threats, errorPath);
  const created = await db.transaction(async (tx) => {
    const rows = await repo.insertThreats(
      tx,
      threats.map((t) => ({ ...threatValues(t), threatModelId, createdBy: request.user.id })),
    );
    await adjustCounts(tx, threatModelId, { threatCount: rows.length });
    await recordAudits(
      tx,
      request,
      rows.map((row) => ({
        action: 'threat.create',
        entityType: 'threat',
        entityId: row.id,
        threatModelId,
        changes: diffChanges(null, row, THREAT_AUDIT_FIELDS),
      })),
    );
    return rows;
  });
  await mirrorThreats(
    deps,
    threatModelId,
    created.map((r) => r.id),
  );
  return threatViews(deps, created);
}

/** Replaces a threat's fields (PUT), honouring If-Match. */
export async function replaceThreat(
  deps: ThreatDeps,
  request: ServiceRequest,
  {
    threatModelId,
    threatId,
    ifMatch,
    threat,
  }: ThreatRef & { ifMatch?: number; threat: ThreatInput },
) {
  await authorize(deps.db, request, threatModelId, 'edit');
  const before = await repo.findThreat(deps.db, threatModelId, threatId);
  if (!before) throw notFound('threat');
  assertVersion(ifMatch, before.version);
  return writeThreat(deps, request, before, threat);
}

/** Applies an RFC 6902 patch to the threat's writable fields (PATCH), honouring If-Match. */
export async function patchThreat(
  deps: ThreatDeps,
  request: ServiceRequest,
  { threatModelId, threatId, ifMatch, patch }: ThreatRef & { ifMatch?: number; patch: JsonPatch },
) {
  const role = await authorize(deps.db, request, threatModelId, 'edit');
  const before = await repo.findThreat(deps.db, threatModelId, threatId);
  if (!before) throw notFound('threat');
  assertVersion(ifMatch, before.version);
  const patched = applyJsonPatch(threatDocument(before), patch, PATCHABLE, role);
  return writeThreat(deps, request, before, parseInput(ThreatInputSchema, patched));
}

/**
 * Stores `input` over `before` only if nobody changed the row since it was read (the update
 * is conditional on `before.version`), so a PATCH computed on stale data becomes a 412.
 */
async function writeThreat(
  deps: ThreatDeps,
  request: ServiceRequest,
  before: ThreatRow,
  input: ThreatInput,
) {
  const { db } = deps;
  await assertDiagramsInModel(db, before.threatModelId, [input], () => 'diagram_id');
  const written = await db.transaction(async (tx) => {
    const row = await repo
      .updateThreat(tx, before.id, before.version, threatValues(input))
      .catch((err: unknown) => {
        if (!isUniqueViolation(err)) throw err;
        throw conflict(
          'suggestion_recorded',
          'A threat from the same rule is already recorded on that cell.',
        );
      });
    if (!row) throw await staleOrGone(tx, before);
    await recordAudit(tx, request, {
      action: 'threat.update',
      entityType: 'threat',
      entityId: row.id,
      threatModelId: row.threatModelId,
      changes: diffChanges(before, row, THREAT_AUDIT_FIELDS),
    });
    return row;
  });
  const moved = before.diagramId && before.diagramId !== written.diagramId;
  await mirrorThreats(
    deps,
    written.threatModelId,
    [written.id],
    moved ? [{ diagramId: before.diagramId!, threatIds: [written.id] }] : [],
  );
  return threatView(deps, written);
}

export async function deleteThreat(
  deps: ThreatDeps,
  request: ServiceRequest,
  { threatModelId, threatId, ifMatch }: ThreatRef & { ifMatch?: number },
): Promise<void> {
  const { db } = deps;
  await authorize(db, request, threatModelId, 'edit');
  const deleted = await db.transaction(async (tx) => {
    const before = await repo.findThreat(tx, threatModelId, threatId);
    if (!before) throw notFound('threat');
    assertVersion(ifMatch, before.version);
    const row = await repo.deleteThreat(tx, threatId, before.version);
    if (!row) throw await staleOrGone(tx, before);
    await metadataRepo.deleteAllMetadata(tx, threatModelId, 'threat', [threatId]);
    await adjustCounts(tx, threatModelId, { threatCount: -1 });
    await recordAudit(tx, request, {
      action: 'threat.delete',
      entityType: 'threat',
      entityId: threatId,
      threatModelId,
      changes: diffChanges(before, null, THREAT_AUDIT_FIELDS),
    });
    return before;
  });
  if (deleted.diagramId) {
    await mirrorThreats(
      deps,
      threatModelId,
      [],
      [{ diagramId: deleted.diagramId, threatIds: [threatId] }],
    );
  }
}

/** A conditional write matched nothing: 412 with the current version, or 404 if deleted. */
async function staleOrGone(tx: Executor, before: ThreatRow) {
  const now = await repo.findThreat(tx, before.threatModelId, before.id);
  return now ? preconditionFailed(now.version) : notFound('threat');
}
