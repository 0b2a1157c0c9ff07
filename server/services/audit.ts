import type { Executor } from '../../db';
import * as auditRepo from '../../db/repositories/audit.repository';
import type { ServiceRequest } from '../context';

export type Changes = Record<string, { before: unknown; after: unknown }>;

const same = (a: unknown, b: unknown) =>
  a === b ||
  (a instanceof Date && b instanceof Date && a.getTime() === b.getTime()) ||
  (typeof a === 'object' && a !== null && JSON.stringify(a) === JSON.stringify(b));

const plain = (v: unknown) => (v instanceof Date ? v.toISOString() : v);

/**
 * The fields that differ between `before` and `after` (either may be null for create and
 * delete), as `{field: {before, after}}`. Only `fields` are compared: bookkeeping columns
 * (version, timestamps, counts) and secrets never reach the log.
 */
export function diffChanges<T extends object>(
  before: T | null,
  after: T | null,
  fields: readonly (keyof T & string)[],
): Changes {
  const changes: Changes = {};
  for (const field of fields) {
    const a = before ? before[field] : undefined;
    const b = after ? after[field] : undefined;
    if (!same(a, b)) changes[field] = { before: plain(a) ?? null, after: plain(b) ?? null };
  }
  return changes;
}

/** What one audit entry records; who and on which request come from the service request. */
export interface AuditInput {
  action: string;
  entityType: string;
  entityId: string;
  threatModelId: string | null;
  changes?: Changes;
}

/** The audit row of `entry`, made by `request`'s user on `request`. */
const auditRow = (request: ServiceRequest, entry: AuditInput) => ({
  actorId: request.user.id,
  action: entry.action,
  entityType: entry.entityType,
  entityId: entry.entityId,
  threatModelId: entry.threatModelId,
  changes: entry.changes ?? null,
  requestId: request.requestId,
  ip: request.ip,
});

/**
 * Writes one audit entry. Call it inside the mutation's transaction so that the entry and the
 * change commit (or roll back) together.
 */
export async function recordAudit(
  tx: Executor,
  request: ServiceRequest,
  entry: AuditInput,
): Promise<void> {
  await auditRepo.insertAuditEntry(tx, auditRow(request, entry));
}

/** Writes one audit entry per item in a single statement, inside the mutation's transaction. */
export async function recordAudits(
  tx: Executor,
  request: ServiceRequest,
  entries: readonly AuditInput[],
): Promise<void> {
  await auditRepo.insertAuditEntries(
    tx,
    entries.map((entry) => auditRow(request, entry)),
  );
}
