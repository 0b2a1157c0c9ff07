import { and, asc, count, eq, getTableColumns, gt, sql } from 'drizzle-orm';
import type { Executor } from '../client';
import { accessInvitations, threatModels, users } from '../schema';
import type { Role } from '../schema/enums';

export type InvitationRow = typeof accessInvitations.$inferSelect;

/** A model's pending invitations with the inviter's name, oldest first (expired ones too). */
export async function listInvitations(db: Executor, threatModelId: string) {
  return db
    .select({ invitation: accessInvitations, invitedByName: users.name })
    .from(accessInvitations)
    .leftJoin(users, eq(users.id, accessInvitations.invitedBy))
    .where(eq(accessInvitations.threatModelId, threatModelId))
    .orderBy(asc(accessInvitations.createdAt), asc(accessInvitations.id));
}

export async function countInvitations(db: Executor, threatModelId: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(accessInvitations)
    .where(eq(accessInvitations.threatModelId, threatModelId));
  return row?.n ?? 0;
}

/**
 * Creates the invitation, or (same model and e-mail) gives it the new role and a fresh expiry.
 * `created` tells which happened.
 */
export async function upsertInvitation(
  db: Executor,
  values: {
    threatModelId: string;
    email: string;
    role: Role;
    invitedBy: string;
    expiresAt: Date;
  },
): Promise<{ row: InvitationRow; created: boolean }> {
  const [row] = await db
    .insert(accessInvitations)
    .values(values)
    .onConflictDoUpdate({
      target: [accessInvitations.threatModelId, accessInvitations.email],
      set: {
        role: values.role,
        invitedBy: values.invitedBy,
        expiresAt: values.expiresAt,
        modifiedAt: sql`now()`,
      },
    })
    // xmax is 0 for a freshly inserted row and the updating transaction's id otherwise.
    .returning({ ...getTableColumns(accessInvitations), inserted: sql<boolean>`(xmax = 0)` });
  const { inserted, ...invitation } = row!;
  return { row: invitation, created: inserted };
}

export async function findInvitation(
  db: Executor,
  threatModelId: string,
  id: string,
): Promise<InvitationRow | null> {
  const [row] = await db
    .select()
    .from(accessInvitations)
    .where(and(eq(accessInvitations.threatModelId, threatModelId), eq(accessInvitations.id, id)));
  return row ?? null;
}

export async function deleteInvitation(db: Executor, id: string): Promise<void> {
  await db.delete(accessInvitations).where(eq(accessInvitations.id, id));
}

/** The unexpired invitations for `email`, with each model's name, locked until commit. */
export async function lockOpenInvitationsFor(db: Executor, email: string) {
  return db
    .select({ invitation: accessInvitations, modelName: threatModels.name })
    .from(accessInvitations)
    .innerJoin(threatModels, eq(threatModels.id, accessInvitations.threatModelId))
    .where(and(eq(accessInvitations.email, email), gt(accessInvitations.expiresAt, sql`now()`)))
    .for('update', { of: accessInvitations });
}

/** Deletes every invitation for `email` (accepted or expired: none is useful any more). */
export async function deleteInvitationsFor(db: Executor, email: string): Promise<void> {
  await db.delete(accessInvitations).where(eq(accessInvitations.email, email));
}
