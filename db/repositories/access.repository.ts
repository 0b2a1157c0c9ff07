import { and, asc, desc, eq, ilike, inArray, isNotNull, isNull, or, sql } from 'drizzle-orm';
import type { Executor } from '../client';
import { likePattern } from './query-helpers';
import { diagrams, teamMembers, teams, threatModelAccess, users } from '../schema';
import type { PrincipalType, Role } from '../schema/enums';

export type GrantRow = typeof threatModelAccess.$inferSelect;

/** Ranks roles in SQL so the highest grant is picked in the same query. */
const rank = sql<number>`case ${threatModelAccess.role} when 'owner' then 4 when 'writer' then 3 when 'reviewer' then 2 else 1 end`;

/** The roles by the rank `rank` gives them (index 0 unused). */
export const ROLE_BY_RANK = [null, 'reader', 'reviewer', 'writer', 'owner'] as const;

/** Grants that apply to `userId`: their own, their teams', and everyone's. */
const appliesTo = (userId: string) =>
  or(
    eq(threatModelAccess.userId, userId),
    isNotNull(teamMembers.userId),
    eq(threatModelAccess.principalType, 'everyone'),
  );

/**
 * The highest role `userId` holds on the threat model through any grant, or null when the
 * model is invisible to them (or does not exist). One query.
 */
export async function findEffectiveRole(
  db: Executor,
  userId: string,
  threatModelId: string,
): Promise<Role | null> {
  const [row] = await db
    .select({ role: threatModelAccess.role })
    .from(threatModelAccess)
    .leftJoin(
      teamMembers,
      and(eq(teamMembers.teamId, threatModelAccess.teamId), eq(teamMembers.userId, userId)),
    )
    .where(and(eq(threatModelAccess.threatModelId, threatModelId), appliesTo(userId)))
    .orderBy(desc(rank))
    .limit(1);
  return row?.role ?? null;
}

/** Like findEffectiveRole, starting from a diagram id; also returns its threat model. */
export async function findEffectiveRoleOnDiagram(
  db: Executor,
  userId: string,
  diagramId: string,
): Promise<{ role: Role; threatModelId: string } | null> {
  const [row] = await db
    .select({ role: threatModelAccess.role, threatModelId: diagrams.threatModelId })
    .from(diagrams)
    .innerJoin(threatModelAccess, eq(threatModelAccess.threatModelId, diagrams.threatModelId))
    .leftJoin(
      teamMembers,
      and(eq(teamMembers.teamId, threatModelAccess.teamId), eq(teamMembers.userId, userId)),
    )
    .where(and(eq(diagrams.id, diagramId), appliesTo(userId)))
    .orderBy(desc(rank))
    .limit(1);
  return row ?? null;
}

/** Of `userIds`, those who can see the model through any grant (one query, any number). */
export async function filterUsersWithAccess(
  db: Executor,
  threatModelId: string,
  userIds: string[],
): Promise<string[]> {
  if (!userIds.length) return [];
  const rows = await db
    .selectDistinct({ id: users.id })
    .from(users)
    .innerJoin(threatModelAccess, eq(threatModelAccess.threatModelId, threatModelId))
    .leftJoin(
      teamMembers,
      and(eq(teamMembers.teamId, threatModelAccess.teamId), eq(teamMembers.userId, users.id)),
    )
    .where(
      and(
        inArray(users.id, userIds),
        or(
          eq(threatModelAccess.userId, users.id),
          isNotNull(teamMembers.userId),
          eq(threatModelAccess.principalType, 'everyone'),
        ),
      ),
    );
  return rows.map((r) => r.id);
}

/**
 * A subquery of `(threat_model_id, rank)`: the highest grant `userId` holds on each model
 * they can see. Joined by list queries so visibility and `my_role` cost no extra query.
 */
export function visibleModels(db: Executor, userId: string) {
  return db
    .select({
      threatModelId: threatModelAccess.threatModelId,
      rank: sql<number>`max(${rank})`.as('rank'),
    })
    .from(threatModelAccess)
    .leftJoin(
      teamMembers,
      and(eq(teamMembers.teamId, threatModelAccess.teamId), eq(teamMembers.userId, userId)),
    )
    .where(appliesTo(userId))
    .groupBy(threatModelAccess.threatModelId)
    .as('visible_models');
}

/** A principal as the grant table stores it: one column per kind (`*` for everyone). */
export interface Principal {
  type: PrincipalType;
  id: string;
}

const matchesPrincipal = (threatModelId: string, p: Principal) =>
  and(
    eq(threatModelAccess.threatModelId, threatModelId),
    eq(threatModelAccess.principalType, p.type),
    p.type === 'user'
      ? eq(threatModelAccess.userId, p.id)
      : p.type === 'team'
        ? eq(threatModelAccess.teamId, p.id)
        : and(isNull(threatModelAccess.userId), isNull(threatModelAccess.teamId)),
  );

/** A model's grants with the principal's display name (and e-mail for users), owners first. */
export async function listGrants(db: Executor, threatModelId: string) {
  return db
    .select({
      grant: threatModelAccess,
      userName: users.name,
      userEmail: users.email,
      teamName: teams.name,
    })
    .from(threatModelAccess)
    .leftJoin(users, eq(users.id, threatModelAccess.userId))
    .leftJoin(teams, eq(teams.id, threatModelAccess.teamId))
    .where(eq(threatModelAccess.threatModelId, threatModelId))
    .orderBy(desc(rank), asc(threatModelAccess.grantedAt), asc(threatModelAccess.id));
}

export type GrantListRow = Awaited<ReturnType<typeof listGrants>>[number];

export async function findGrant(
  db: Executor,
  threatModelId: string,
  principal: Principal,
): Promise<GrantRow | null> {
  const [row] = await db
    .select()
    .from(threatModelAccess)
    .where(matchesPrincipal(threatModelId, principal));
  return row ?? null;
}

export async function insertGrant(
  db: Executor,
  values: { threatModelId: string; principal: Principal; role: Role; grantedBy: string | null },
): Promise<GrantRow> {
  const { principal: p } = values;
  const [row] = await db
    .insert(threatModelAccess)
    .values({
      threatModelId: values.threatModelId,
      principalType: p.type,
      userId: p.type === 'user' ? p.id : null,
      teamId: p.type === 'team' ? p.id : null,
      role: values.role,
      grantedBy: values.grantedBy,
    })
    .returning();
  return row!;
}

export async function updateGrantRole(
  db: Executor,
  id: string,
  role: Role,
  grantedBy: string | null,
): Promise<GrantRow> {
  const [row] = await db
    .update(threatModelAccess)
    .set({ role, grantedBy, grantedAt: sql`now()`, modifiedAt: sql`now()` })
    .where(eq(threatModelAccess.id, id))
    .returning();
  return row!;
}

export async function deleteGrant(db: Executor, id: string): Promise<void> {
  await db.delete(threatModelAccess).where(eq(threatModelAccess.id, id));
}

/** Ids of the users holding an owner grant of their own (team owners do not count), ≤ 2. */
export async function findOwnerUserIds(db: Executor, threatModelId: string): Promise<string[]> {
  const rows = await db
    .select({ userId: threatModelAccess.userId })
    .from(threatModelAccess)
    .where(
      and(
        eq(threatModelAccess.threatModelId, threatModelId),
        eq(threatModelAccess.principalType, 'user'),
        eq(threatModelAccess.role, 'owner'),
      ),
    )
    .orderBy(asc(threatModelAccess.grantedAt))
    .limit(2);
  return rows.map((r) => r.userId!);
}

/**
 * People who can see the model through their own grant or a team's, whose name or e-mail
 * contains `q` (all of them for an empty `q`), by name. Everyone-grants do not list anybody:
 * through them this would be the whole directory.
 */
export async function searchPeopleWithAccess(
  db: Executor,
  threatModelId: string,
  q: string,
  limit: number,
) {
  const teamsOnModel = db
    .select({ id: threatModelAccess.teamId })
    .from(threatModelAccess)
    .where(
      and(eq(threatModelAccess.threatModelId, threatModelId), isNotNull(threatModelAccess.teamId)),
    );
  const granted = db
    .select({ id: threatModelAccess.userId })
    .from(threatModelAccess)
    .where(
      and(eq(threatModelAccess.threatModelId, threatModelId), isNotNull(threatModelAccess.userId)),
    );
  const members = db
    .select({ id: teamMembers.userId })
    .from(teamMembers)
    .where(inArray(teamMembers.teamId, teamsOnModel));
  const pattern = likePattern(q);
  return db
    .select({ id: users.id, name: users.name, email: users.email })
    .from(users)
    .where(
      and(
        or(inArray(users.id, granted), inArray(users.id, members)),
        q ? or(ilike(users.email, pattern), ilike(users.name, pattern)) : undefined,
      ),
    )
    .orderBy(asc(users.name), asc(users.id))
    .limit(limit);
}
