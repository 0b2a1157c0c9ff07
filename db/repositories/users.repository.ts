import { eq, ilike, inArray, or, sql } from 'drizzle-orm';
import type { Executor } from '../client';
import { likePattern } from './query-helpers';
import { users } from '../schema';

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

/** Look-up for sharing dialogs: prefix/substring match on name or e-mail, bounded. */
export async function searchUsers(db: Executor, q: string, limit: number): Promise<UserRow[]> {
  const pattern = likePattern(q);
  return db
    .select()
    .from(users)
    .where(or(ilike(users.email, pattern), ilike(users.name, pattern)))
    .orderBy(users.name)
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
