import type { Executor } from '../../db';
import * as auditRepo from '../../db/repositories/audit.repository';
import type { ServiceRequest } from '../context';
import { authorize } from './policy';

/**
 * One page of a model's audit log, newest first. Reads one row past the page to know whether
 * another page follows; the cursor is the last entry's id.
 */
export async function listAuditLog(
  db: Executor,
  request: ServiceRequest,
  { threatModelId, page }: { threatModelId: string; page: { before?: number; limit: number } },
) {
  await authorize(db, request, threatModelId, 'read');
  const rows = await auditRepo.listAuditEntries(db, threatModelId, {
    before: page.before,
    limit: page.limit + 1,
  });
  const items = rows.slice(0, page.limit);
  const more = rows.length > page.limit;
  return { items, nextCursor: more ? String(items[items.length - 1]!.entry.id) : null };
}
