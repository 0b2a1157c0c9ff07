import type { Executor } from '../../db';
import * as accessRepo from '../../db/repositories/access.repository';
import * as invitationsRepo from '../../db/repositories/invitations.repository';
import * as usersRepo from '../../db/repositories/users.repository';
import type { UserRow } from '../../db/repositories/users.repository';
import type { Role } from '../../model/roles';
import type { ServiceRequest } from '../context';
import { conflict, notFound } from '../errors';
import { recordAudit } from './audit';
import { notify } from './notifications.service';
import { authorize } from './policy';

/** How long an invitation waits for its sign-up; granting again renews it. */
export const INVITATION_TTL_DAYS = 14;
/** Pending invitations per model: enough for a team, not a mailing list. */
export const MAX_INVITATIONS_PER_MODEL = 100;

/** A model's pending invitations (owners only: they name people who are not users yet). */
export async function listInvitations(
  db: Executor,
  request: ServiceRequest,
  { threatModelId }: { threatModelId: string },
) {
  await authorize(db, request, threatModelId, 'manage');
  return invitationsRepo.listInvitations(db, threatModelId);
}

/**
 * Grants `role` to an e-mail address that has no account yet (201 new, 200 renewed or
 * re-roled). An address with an account is a 409: grant the user instead.
 */
export async function inviteToModel(
  db: Executor,
  request: ServiceRequest,
  { threatModelId, email, role }: { threatModelId: string; email: string; role: Role },
) {
  await authorize(db, request, threatModelId, 'manage');
  const address = email.trim().toLowerCase();
  if (await usersRepo.findUserByEmail(db, address)) {
    throw conflict(
      'account_exists',
      'Someone has an account with this e-mail: grant the role to them instead of inviting.',
    );
  }
  return db.transaction(async (tx) => {
    const count = await invitationsRepo.countInvitations(tx, threatModelId);
    const expiresAt = new Date(Date.now() + INVITATION_TTL_DAYS * 86_400_000);
    const { row, created } = await invitationsRepo.upsertInvitation(tx, {
      threatModelId,
      email: address,
      role,
      invitedBy: request.user.id,
      expiresAt,
    });
    if (created && count >= MAX_INVITATIONS_PER_MODEL) {
      throw conflict(
        'invitation_limit',
        `A threat model can have at most ${MAX_INVITATIONS_PER_MODEL} pending invitations; revoke some first.`,
      );
    }
    await recordAudit(tx, request, {
      action: created ? 'create' : 'update',
      entityType: 'invitation',
      entityId: row.id,
      threatModelId,
      changes: { email: { before: null, after: address }, role: { before: null, after: role } },
    });
    return { invitation: row, invitedByName: request.user.name, created };
  });
}

/** Withdraws a pending invitation (204); 404 when it is not this model's. */
export async function revokeInvitation(
  db: Executor,
  request: ServiceRequest,
  { threatModelId, invitationId }: { threatModelId: string; invitationId: string },
): Promise<void> {
  await authorize(db, request, threatModelId, 'manage');
  await db.transaction(async (tx) => {
    const invitation = await invitationsRepo.findInvitation(tx, threatModelId, invitationId);
    if (!invitation) throw notFound('invitation');
    await invitationsRepo.deleteInvitation(tx, invitation.id);
    await recordAudit(tx, request, {
      action: 'delete',
      entityType: 'invitation',
      entityId: invitation.id,
      threatModelId,
      changes: { email: { before: invitation.email, after: null } },
    });
  });
}

/**
 * Called in the sign-up transaction of `user`: every unexpired invitation for their e-mail
 * becomes a user grant (audited as the new user's acceptance, with a "shared with you"
 * notification), and all invitations for the address go.
 */
export async function acceptInvitations(
  tx: Executor,
  request: ServiceRequest,
  user: UserRow,
): Promise<void> {
  const open = await invitationsRepo.lockOpenInvitationsFor(tx, user.email);
  for (const { invitation, modelName } of open) {
    await accessRepo.insertGrant(tx, {
      threatModelId: invitation.threatModelId,
      principal: { type: 'user', id: user.id },
      role: invitation.role,
      grantedBy: invitation.invitedBy,
    });
    await recordAudit(tx, request, {
      action: 'accept',
      entityType: 'invitation',
      entityId: invitation.id,
      threatModelId: invitation.threatModelId,
      changes: { role: { before: null, after: invitation.role } },
    });
    // One notification per model (notify() keeps one per recipient per call).
    await notify(tx, [
      {
        userId: user.id,
        threatModelId: invitation.threatModelId,
        type: 'shared',
        title: `You were invited to “${modelName}” as ${invitation.role}`,
        data: { role: invitation.role, invited_by: invitation.invitedBy },
      },
    ]);
  }
  await invitationsRepo.deleteInvitationsFor(tx, user.email);
}
