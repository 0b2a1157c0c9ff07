import { and, desc, eq, lt } from 'drizzle-orm';
import type { Executor } from '../client';
import { auditLog, users } from '../schema';

export type NewAuditEntry = typeof auditLog.$inferInsert;

export async function insertAuditEntry(db: Executor, entry: NewAuditEntry): Promise<void> {
  await db.insert(auditLog).values(entry);
}

/** Several entries in one multi-row insert (bulk creates log one entry per created row). */
export async function insertAuditEntries(db: Executor, entries: NewAuditEntry[]): Promise<void> {
  if (entries.length) await db.insert(auditLog).values(entries);
}

/** One page of a model's audit log, newest first, with actor names; `before` is the cursor. */
export async function listAuditEntries(
  db: Executor,
  threatModelId: string,
  opts: { before?: number; limit: number },
) {
  return db
    .select({
      entry: auditLog,
      actor: { id: users.id, name: users.name, email: users.email },
    })
    .from(auditLog)
    .leftJoin(users, eq(users.id, auditLog.actorId))
    .where(
      and(
        eq(auditLog.threatModelId, threatModelId),
        opts.before !== undefined ? lt(auditLog.id, opts.before) : undefined,
      ),
    )
    .orderBy(desc(auditLog.id))
    .limit(opts.limit);
}
