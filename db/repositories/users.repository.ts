import { and, eq, ilike, or, sql } from 'drizzle-orm';
import type { Executor } from '../client';
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
  const pattern = `%${q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
  return db
    .select()
    .from(users)
    .where(and(or(ilike(users.email, pattern), ilike(users.name, pattern))))
    .orderBy(users.name)
    .limit(limit);
}
