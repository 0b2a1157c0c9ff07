import { and, asc, eq, ilike, or, sql } from 'drizzle-orm';
import type { Executor } from '../client';
import { likePattern } from './query-helpers';
import { teamMembers, teams, users } from '../schema';
import type { TeamRole } from '../schema/enums';

export type TeamRow = typeof teams.$inferSelect;
export type TeamMemberRow = typeof teamMembers.$inferSelect;

export async function insertTeam(
  db: Executor,
  values: { name: string; description: string | null; createdBy: string },
): Promise<TeamRow> {
  const [row] = await db.insert(teams).values(values).returning();
  return row!;
}

export async function findTeam(db: Executor, id: string): Promise<TeamRow | null> {
  const [row] = await db.select().from(teams).where(eq(teams.id, id));
  return row ?? null;
}

/** Locks the team row so last-lead checks cannot race each other. */
export async function lockTeam(db: Executor, id: string): Promise<TeamRow | null> {
  const [row] = await db.select().from(teams).where(eq(teams.id, id)).for('update');
  return row ?? null;
}

/** One page of teams by name, with the total as a window count (one query). */
export async function listTeams(db: Executor, opts: { q?: string; limit: number; offset: number }) {
  const pattern = opts.q && likePattern(opts.q);
  return db
    .select({ team: teams, total: sql<number>`cast(count(*) over() as integer)` })
    .from(teams)
    .where(pattern ? or(ilike(teams.name, pattern), ilike(teams.description, pattern)) : undefined)
    .orderBy(asc(teams.name), asc(teams.id))
    .limit(opts.limit)
    .offset(opts.offset);
}

export async function countTeams(db: Executor, q?: string): Promise<number> {
  const pattern = q && likePattern(q);
  const [row] = await db
    .select({ total: sql<number>`cast(count(*) as integer)` })
    .from(teams)
    .where(pattern ? or(ilike(teams.name, pattern), ilike(teams.description, pattern)) : undefined);
  return row?.total ?? 0;
}

export async function updateTeam(
  db: Executor,
  id: string,
  values: { name: string; description: string | null },
): Promise<TeamRow | null> {
  const [row] = await db
    .update(teams)
    .set({ ...values, modifiedAt: sql`now()` })
    .where(eq(teams.id, id))
    .returning();
  return row ?? null;
}

export async function deleteTeam(db: Executor, id: string): Promise<void> {
  await db.delete(teams).where(eq(teams.id, id));
}

/** A team's members with their user summaries, leads first. */
export async function listMembers(db: Executor, teamId: string) {
  return db
    .select({
      member: teamMembers,
      user: { id: users.id, name: users.name, email: users.email },
    })
    .from(teamMembers)
    .innerJoin(users, eq(users.id, teamMembers.userId))
    .where(eq(teamMembers.teamId, teamId))
    .orderBy(asc(teamMembers.role), asc(users.name), asc(users.id));
}

export async function findMember(
  db: Executor,
  teamId: string,
  userId: string,
): Promise<TeamMemberRow | null> {
  const [row] = await db
    .select()
    .from(teamMembers)
    .where(and(eq(teamMembers.teamId, teamId), eq(teamMembers.userId, userId)));
  return row ?? null;
}

/** Inserts or changes a membership; one statement, so concurrent PUTs cannot collide. */
export async function upsertMember(
  db: Executor,
  values: { teamId: string; userId: string; role: TeamRole },
): Promise<TeamMemberRow> {
  const [row] = await db
    .insert(teamMembers)
    .values(values)
    .onConflictDoUpdate({
      target: [teamMembers.teamId, teamMembers.userId],
      set: { role: values.role, modifiedAt: sql`now()` },
    })
    .returning();
  return row!;
}

export async function deleteMember(db: Executor, teamId: string, userId: string): Promise<void> {
  await db
    .delete(teamMembers)
    .where(and(eq(teamMembers.teamId, teamId), eq(teamMembers.userId, userId)));
}

/** How many leads the team has, counting at most two (enough for the last-lead rule). */
export async function countLeads(db: Executor, teamId: string): Promise<number> {
  const rows = await db
    .select({ userId: teamMembers.userId })
    .from(teamMembers)
    .where(and(eq(teamMembers.teamId, teamId), eq(teamMembers.role, 'lead')))
    .limit(2);
  return rows.length;
}
