import { and, eq, ilike, inArray, isNotNull, ne, or, sql } from 'drizzle-orm';
import type { Executor } from '../client';
import { likePattern } from './query-helpers';
import { teamMembers, threatModelAccess, users } from '../schema';

export type UserRow = typeof users.$inferSelect;

/** Inserts a user; the caller has lower-cased the e-mail. Returns null on a duplicate e-mail. */
export async function insertUser(
  db: Executor,
  values: { email: string; name: string; passwordHash: string | null },
): Promise<UserRow | null> {
  const [row] = await db.insert(users).values(values).onConflictDoNothing().returning();
  return row ?? null;
}

export async function findUserById(db: Executor, id: string): Promise<UserRow | null> {
  const [row] = await db.select().from(users).where(eq(users.id, id));
  return row ?? null;
}

export async function findUserByEmail(db: Executor, email: string): Promise<UserRow | null> {
  const [row] = await db.select().from(users).where(eq(users.email, email));
  return row ?? null;
}

export async function recordLogin(db: Executor, id: string): Promise<void> {
  await db
    .update(users)
    .set({ lastLogin: sql`now()` })
    .where(eq(users.id, id));
}

/**
 * Look-up for sharing dialogs, in one query: a substring match on name or e-mail among the
 * people `callerId` already works with — members of the caller's teams, and users (directly
 * or through a team) granted on a model the caller is granted on directly or through a team —
 * plus whoever has exactly the e-mail `q`. Everyone-grants do not count: through them
 * everybody would share a model with everybody, and the directory would leak again.
 */
export async function searchUsersKnownTo(
  db: Executor,
  callerId: string,
  q: string,
  limit: number,
): Promise<UserRow[]> {
  const pattern = likePattern(q);
  const myTeams = db
    .select({ id: teamMembers.teamId })
    .from(teamMembers)
    .where(eq(teamMembers.userId, callerId));
  const myModels = db
    .select({ id: threatModelAccess.threatModelId })
    .from(threatModelAccess)
    .where(or(eq(threatModelAccess.userId, callerId), inArray(threatModelAccess.teamId, myTeams)));
  const teamsOnMyModels = db
    .select({ id: threatModelAccess.teamId })
    .from(threatModelAccess)
    .where(
      and(inArray(threatModelAccess.threatModelId, myModels), isNotNull(threatModelAccess.teamId)),
    );
  const known = or(
    inArray(
      users.id,
      db
        .select({ id: teamMembers.userId })
        .from(teamMembers)
        .where(
          or(inArray(teamMembers.teamId, myTeams), inArray(teamMembers.teamId, teamsOnMyModels)),
        ),
    ),
    inArray(
      users.id,
      db
        .select({ id: threatModelAccess.userId })
        .from(threatModelAccess)
        .where(
          and(
            inArray(threatModelAccess.threatModelId, myModels),
            isNotNull(threatModelAccess.userId),
          ),
        ),
    ),
  );
  return db
    .select()
    .from(users)
    .where(
      or(
        eq(users.email, q.toLowerCase()),
        and(
          ne(users.id, callerId),
          known,
          or(ilike(users.email, pattern), ilike(users.name, pattern)),
        ),
      ),
    )
    .orderBy(users.name, users.id)
    .limit(limit);
}

/**
 * Users a mention handle may mean: the whole e-mail, the e-mail's local part, or the name
 * with spaces removed, all case-insensitive. One query for all handles.
 */
export async function findUsersByHandles(db: Executor, handles: string[]): Promise<UserRow[]> {
  if (!handles.length) return [];
  const lowered = handles.map((h) => h.toLowerCase());
  return db
    .select()
    .from(users)
    .where(
      or(
        inArray(users.email, lowered),
        inArray(sql`split_part(${users.email}, '@', 1)`, lowered),
        inArray(sql`lower(replace(${users.name}, ' ', ''))`, lowered),
      ),
    )
    .limit(100);
}

/** Display names of `ids`, in the order given (unknown ids left out). */
export async function findUserNames(db: Executor, ids: readonly string[]): Promise<string[]> {
  if (!ids.length) return [];
  const rows = await db
    .select({ id: users.id, name: users.name })
    .from(users)
    .where(inArray(users.id, [...ids]));
  const byId = new Map(rows.map((r) => [r.id, r.name]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}
