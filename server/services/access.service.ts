import type { Executor } from '../../db';
import * as accessRepo from '../../db/repositories/access.repository';
import * as teamsRepo from '../../db/repositories/teams.repository';
import * as tmRepo from '../../db/repositories/threat-models.repository';
import * as usersRepo from '../../db/repositories/users.repository';
import type { Role } from '../../model/roles';
import type { ServiceRequest } from '../context';
import { badRequest, conflict, notFound } from '../errors';
import { recordAudit } from './audit';
import { suggestMentions } from './mentions';
import { notify } from './notifications.service';
import { authorize } from './policy';

export type Principal = accessRepo.Principal;

/** A model's grants, owners first; anyone who can read the model can see who else can. */
export async function listAccess(
  db: Executor,
  request: ServiceRequest,
  { threatModelId }: { threatModelId: string },
) {
  await authorize(db, request, threatModelId, 'read');
  return accessRepo.listGrants(db, threatModelId);
}

/** For @-autocomplete: people who can see the model (reader+), the caller left out. */
export async function listMentionablePeople(
  db: Executor,
  request: ServiceRequest,
  { threatModelId, q, limit }: { threatModelId: string; q: string; limit: number },
) {
  await authorize(db, request, threatModelId, 'read');
  const people = await suggestMentions(db, threatModelId, q, limit + 1);
  return people.filter((p) => p.id !== request.user.id).slice(0, limit);
}

/**
 * Grants `role` to a principal (201 when new, 200 when changed or unchanged). Demoting the
 * last owner user is a 409; when the model's named owner steps down, another owner user
 * takes the `owner_id` slot so the model always names a current owner.
 */
export async function putAccess(
  db: Executor,
  request: ServiceRequest,
  { threatModelId, principal, role }: { threatModelId: string; principal: Principal; role: Role },
) {
  await authorize(db, request, threatModelId, 'manage');
  // Everyone-as-owner would let any signed-in user delete the model or lock others out.
  if (principal.type === 'everyone' && role === 'owner') {
    throw badRequest('The everyone principal cannot be an owner.');
  }
  const names = await principalNames(db, principal);
  return db.transaction(async (tx) => {
    const model = await tmRepo.lockThreatModel(tx, threatModelId);
    if (!model) throw notFound('threat model');
    const existing = await accessRepo.findGrant(tx, threatModelId, principal);
    if (existing?.role === role) return { ...names, grant: existing, created: false };
    if (existing && role !== 'owner') await assertNotLastOwner(tx, model, existing);
    const grant = existing
      ? await accessRepo.updateGrantRole(tx, existing.id, role, request.user.id)
      : await accessRepo.insertGrant(tx, {
          threatModelId,
          principal,
          role,
          grantedBy: request.user.id,
        });
    await recordAudit(tx, request, {
      action: existing ? 'update' : 'create',
      entityType: 'grant',
      entityId: `${principal.type}:${principal.id}`,
      threatModelId,
      changes: { role: { before: existing?.role ?? null, after: role } },
    });
    await notifyShared(tx, request, model, principal, role);
    return { ...names, grant, created: !existing };
  });
}

/** Removes a principal's grant (204); the last owner user cannot go (409). */
export async function deleteAccess(
  db: Executor,
  request: ServiceRequest,
  { threatModelId, principal }: { threatModelId: string; principal: Principal },
): Promise<void> {
  await authorize(db, request, threatModelId, 'manage');
  await db.transaction(async (tx) => {
    const model = await tmRepo.lockThreatModel(tx, threatModelId);
    if (!model) throw notFound('threat model');
    const existing = await accessRepo.findGrant(tx, threatModelId, principal);
    if (!existing) throw notFound('grant');
    await assertNotLastOwner(tx, model, existing);
    await accessRepo.deleteGrant(tx, existing.id);
    await recordAudit(tx, request, {
      action: 'delete',
      entityType: 'grant',
      entityId: `${principal.type}:${principal.id}`,
      threatModelId,
      changes: { role: { before: existing.role, after: null } },
    });
  });
}

/**
 * "Shared with you": the user granted (or every member of the team granted), never the
 * granter themself; an everyone-grant notifies nobody (it would notify every account).
 */
async function notifyShared(
  tx: Executor,
  request: ServiceRequest,
  model: tmRepo.ThreatModelRow,
  principal: Principal,
  role: Role,
) {
  const recipients =
    principal.type === 'user'
      ? [principal.id]
      : principal.type === 'team'
        ? (await teamsRepo.listMembers(tx, principal.id)).map((m) => m.member.userId)
        : [];
  const via = principal.type === 'team' ? ' through a team' : '';
  await notify(
    tx,
    recipients
      .filter((id) => id !== request.user.id)
      .map((userId) => ({
        userId,
        threatModelId: model.id,
        type: 'shared' as const,
        title: `${request.user.name} shared “${model.name}” with you as ${role}${via}`,
        data: { role, by: request.user.id, principal_type: principal.type },
      })),
  );
}

/**
 * Called (under the model's row lock) before an owner user's grant is demoted or removed:
 * refuses when they are the last owner user, and otherwise hands the model's `owner_id` to
 * another owner user if it named them.
 */
async function assertNotLastOwner(
  tx: Executor,
  model: tmRepo.ThreatModelRow,
  grant: accessRepo.GrantRow,
) {
  if (grant.principalType !== 'user' || grant.role !== 'owner') return;
  const owners = await accessRepo.findOwnerUserIds(tx, model.id);
  const successor = owners.find((id) => id !== grant.userId);
  if (!successor) {
    throw conflict(
      'last_owner',
      'A threat model must keep at least one owner user; grant owner to someone else first.',
    );
  }
  if (model.ownerId === grant.userId) {
    await tmRepo.updateThreatModel(tx, model.id, model.version, { ownerId: successor });
  }
}

/** Display name (and e-mail) of a principal; 404 when the user or team does not exist. */
async function principalNames(db: Executor, p: Principal) {
  if (p.type === 'user') {
    const user = await usersRepo.findUserById(db, p.id);
    if (!user) throw notFound('user');
    return { displayName: user.name, email: user.email as string | null };
  }
  if (p.type === 'team') {
    const team = await teamsRepo.findTeam(db, p.id);
    if (!team) throw notFound('team');
    return { displayName: team.name, email: null };
  }
  return { displayName: 'Everyone', email: null };
}
