import type { Executor } from '../../db';
import * as teamsRepo from '../../db/repositories/teams.repository';
import * as usersRepo from '../../db/repositories/users.repository';
import type { TeamRole } from '../../db/schema/enums';
import type { ServiceRequest } from '../context';
import { conflict, forbidden, notFound } from '../errors';
import { diffChanges, recordAudit } from './audit';

export interface TeamInput {
  name: string;
  description?: string | null;
}

const AUDITED = ['name', 'description'] as const;

/**
 * Teams are visible to every signed-in user (they are principals in sharing dialogs, like
 * users); only the team's creator and its leads may change it or its members.
 */
async function authorizeTeam(
  db: Executor,
  request: ServiceRequest,
  teamId: string,
  need: 'read' | 'leave' | 'manage',
) {
  // Writers lock the row so the last-lead rule cannot race another change to the team.
  const team =
    need === 'read' ? await teamsRepo.findTeam(db, teamId) : await teamsRepo.lockTeam(db, teamId);
  if (!team) throw notFound('team');
  if (need === 'manage' && team.createdBy !== request.user.id) {
    const me = await teamsRepo.findMember(db, teamId, request.user.id);
    if (me?.role !== 'lead') throw forbidden('Only the team creator and its leads can do this.');
  }
  return team;
}

/** Creates a team; its creator becomes its first lead. */
export async function createTeam(
  db: Executor,
  request: ServiceRequest,
  { team: input }: { team: TeamInput },
) {
  const teamId = await db.transaction(async (tx) => {
    const team = await teamsRepo.insertTeam(tx, {
      name: input.name,
      description: input.description ?? null,
      createdBy: request.user.id,
    });
    await teamsRepo.upsertMember(tx, { teamId: team.id, userId: request.user.id, role: 'lead' });
    await recordAudit(tx, request, {
      action: 'create',
      entityType: 'team',
      entityId: team.id,
      threatModelId: null,
      changes: diffChanges(null, team, AUDITED),
    });
    return team.id;
  });
  return getTeam(db, request, { teamId });
}

/** A team with its members. */
export async function getTeam(
  db: Executor,
  request: ServiceRequest,
  { teamId }: { teamId: string },
) {
  const team = await authorizeTeam(db, request, teamId, 'read');
  return { team, members: await teamsRepo.listMembers(db, teamId) };
}

/** One page of all teams (optionally matching `q`). */
export async function listTeams(
  db: Executor,
  _request: ServiceRequest,
  opts: { q?: string; limit: number; offset: number },
) {
  const rows = await teamsRepo.listTeams(db, opts);
  const total = rows[0]?.total ?? (opts.offset > 0 ? await teamsRepo.countTeams(db, opts.q) : 0);
  return { items: rows.map((r) => r.team), total };
}

/** PUT: replaces name and description. */
export async function replaceTeam(
  db: Executor,
  request: ServiceRequest,
  { teamId, team: input }: { teamId: string; team: TeamInput },
) {
  await db.transaction(async (tx) => {
    const before = await authorizeTeam(tx, request, teamId, 'manage');
    const after = await teamsRepo.updateTeam(tx, teamId, {
      name: input.name,
      description: input.description ?? null,
    });
    await recordAudit(tx, request, {
      action: 'update',
      entityType: 'team',
      entityId: teamId,
      threatModelId: null,
      changes: diffChanges(before, after, AUDITED),
    });
  });
  return getTeam(db, request, { teamId });
}

/** Deletes the team; its grants on threat models go with it. */
export async function deleteTeam(
  db: Executor,
  request: ServiceRequest,
  { teamId }: { teamId: string },
) {
  await db.transaction(async (tx) => {
    const before = await authorizeTeam(tx, request, teamId, 'manage');
    await teamsRepo.deleteTeam(tx, teamId);
    await recordAudit(tx, request, {
      action: 'delete',
      entityType: 'team',
      entityId: teamId,
      threatModelId: null,
      changes: diffChanges(before, null, AUDITED),
    });
  });
}

/** Adds a member or changes their role (created tells 201 from 200). */
export async function putMember(
  db: Executor,
  request: ServiceRequest,
  { teamId, userId, role }: { teamId: string; userId: string; role: TeamRole },
) {
  return db.transaction(async (tx) => {
    await authorizeTeam(tx, request, teamId, 'manage');
    const user = await usersRepo.findUserById(tx, userId);
    if (!user) throw notFound('user');
    const existing = await teamsRepo.findMember(tx, teamId, userId);
    if (existing?.role === 'lead' && role !== 'lead') await assertNotLastLead(tx, teamId);
    const member = await teamsRepo.upsertMember(tx, { teamId, userId, role });
    await recordAudit(tx, request, {
      action: existing ? 'update' : 'create',
      entityType: 'team_member',
      entityId: `${teamId}:${userId}`,
      threatModelId: null,
      changes: { role: { before: existing?.role ?? null, after: role } },
    });
    return { member, user, created: !existing };
  });
}

/** Removes a member; managers may remove anyone, members may leave. */
export async function deleteMember(
  db: Executor,
  request: ServiceRequest,
  { teamId, userId }: { teamId: string; userId: string },
) {
  await db.transaction(async (tx) => {
    await authorizeTeam(tx, request, teamId, userId === request.user.id ? 'leave' : 'manage');
    const existing = await teamsRepo.findMember(tx, teamId, userId);
    if (!existing) throw notFound('team member');
    if (existing.role === 'lead') await assertNotLastLead(tx, teamId);
    await teamsRepo.deleteMember(tx, teamId, userId);
    await recordAudit(tx, request, {
      action: 'delete',
      entityType: 'team_member',
      entityId: `${teamId}:${userId}`,
      threatModelId: null,
      changes: { role: { before: existing.role, after: null } },
    });
  });
}

/** A team keeps at least one lead, so someone can always manage it. */
async function assertNotLastLead(tx: Executor, teamId: string) {
  if ((await teamsRepo.countLeads(tx, teamId)) < 2) {
    throw conflict(
      'last_lead',
      'A team must keep at least one lead; make someone else lead first.',
    );
  }
}
