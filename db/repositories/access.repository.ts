import { and, desc, eq, isNotNull, or, sql } from 'drizzle-orm';
import type { Executor } from '../client';
import { diagrams, teamMembers, threatModelAccess } from '../schema';
import type { Role } from '../schema/enums';

/** Ranks roles in SQL so the highest grant is picked in the same query. */
const rank = sql<number>`case ${threatModelAccess.role} when 'owner' then 4 when 'writer' then 3 when 'reviewer' then 2 else 1 end`;

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
