import type { Database, Executor } from '../../db';
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
import { badRequest, notFound, preconditionFailed } from '../errors';
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
import { authorize } from './policy';

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
  db: Database,
  request: ServiceRequest,
  {
    threatModelId,
    filters,
    page,
  }: { threatModelId: string; filters: ThreatFilters; page: ThreatPage },
) {
  await authorize(db, request, threatModelId, 'read');
  const [items, total] = await Promise.all([
    repo.listThreats(db, threatModelId, filters, page),
    repo.countThreats(db, threatModelId, filters),
  ]);
  return { items, total };
}

export async function getThreat(
  db: Database,
  request: ServiceRequest,
  { threatModelId, threatId }: ThreatRef,
) {
  await authorize(db, request, threatModelId, 'read');
  const row = await repo.findThreat(db, threatModelId, threatId);
  if (!row) throw notFound('threat');
  return row;
}

/**
 * Creates up to MAX_BULK_THREATS threats in one transaction: one insert, one count update,
 * one multi-row audit insert. Any invalid item fails the whole request, nothing is stored.
 * `errorPath` names item i's diagram_id in a 400 (`3.diagram_id` for a bulk body).
 */
export async function createThreats(
  db: Database,
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
): Promise<ThreatRow[]> {
  await authorize(db, request, threatModelId, 'edit');
  await assertDiagramsInModel(db, threatModelId, threats, errorPath);
  return db.transaction(async (tx) => {
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
}

/** Replaces a threat's fields (PUT), honouring If-Match. */
export async function replaceThreat(
  db: Database,
  request: ServiceRequest,
  {
    threatModelId,
    threatId,
    ifMatch,
    threat,
  }: ThreatRef & { ifMatch?: number; threat: ThreatInput },
): Promise<ThreatRow> {
  await authorize(db, request, threatModelId, 'edit');
  const before = await repo.findThreat(db, threatModelId, threatId);
  if (!before) throw notFound('threat');
  assertVersion(ifMatch, before.version);
  return writeThreat(db, request, before, threat);
}

/** Applies an RFC 6902 patch to the threat's writable fields (PATCH), honouring If-Match. */
export async function patchThreat(
  db: Database,
  request: ServiceRequest,
  { threatModelId, threatId, ifMatch, patch }: ThreatRef & { ifMatch?: number; patch: JsonPatch },
): Promise<ThreatRow> {
  const role = await authorize(db, request, threatModelId, 'edit');
  const before = await repo.findThreat(db, threatModelId, threatId);
  if (!before) throw notFound('threat');
  assertVersion(ifMatch, before.version);
  const patched = applyJsonPatch(threatDocument(before), patch, PATCHABLE, role);
  return writeThreat(db, request, before, parseInput(ThreatInputSchema, patched));
}

/**
 * Stores `input` over `before` only if nobody changed the row since it was read (the update
 * is conditional on `before.version`), so a PATCH computed on stale data becomes a 412.
 */
async function writeThreat(
  db: Database,
  request: ServiceRequest,
  before: ThreatRow,
  input: ThreatInput,
): Promise<ThreatRow> {
  await assertDiagramsInModel(db, before.threatModelId, [input], () => 'diagram_id');
  return db.transaction(async (tx) => {
    const row = await repo.updateThreat(tx, before.id, before.version, threatValues(input));
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
}

export async function deleteThreat(
  db: Database,
  request: ServiceRequest,
  { threatModelId, threatId, ifMatch }: ThreatRef & { ifMatch?: number },
): Promise<void> {
  await authorize(db, request, threatModelId, 'edit');
  await db.transaction(async (tx) => {
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
  });
}

/** A conditional write matched nothing: 412 with the current version, or 404 if deleted. */
async function staleOrGone(tx: Executor, before: ThreatRow) {
  const now = await repo.findThreat(tx, before.threatModelId, before.id);
  return now ? preconditionFailed(now.version) : notFound('threat');
}
