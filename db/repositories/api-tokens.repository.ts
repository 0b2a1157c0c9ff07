import { and, count, desc, eq, gt, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import type { Executor } from '../client';
import { apiTokens, users } from '../schema';
import type { TokenScope } from '../schema/enums';

export type ApiTokenRow = typeof apiTokens.$inferSelect;

export async function insertApiToken(
  db: Executor,
  values: {
    userId: string;
    name: string;
    tokenHash: string;
    prefix: string;
    scope: TokenScope;
    expiresAt: Date;
  },
): Promise<ApiTokenRow> {
  const [row] = await db.insert(apiTokens).values(values).returning();
  return row!;
}

export async function listApiTokens(db: Executor, userId: string): Promise<ApiTokenRow[]> {
  return db
    .select()
    .from(apiTokens)
    .where(eq(apiTokens.userId, userId))
    .orderBy(desc(apiTokens.createdAt));
}

/**
 * Locks the user's row until the transaction ends, so two concurrent token creations for
 * one user count live tokens one after the other (the cap cannot be raced past).
 */
export async function lockTokenOwner(db: Executor, userId: string): Promise<void> {
  await db.select({ id: users.id }).from(users).where(eq(users.id, userId)).for('update');
}

/** How many of the user's tokens have not expired. */
export async function countLiveApiTokens(db: Executor, userId: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(apiTokens)
    .where(and(eq(apiTokens.userId, userId), gt(apiTokens.expiresAt, new Date())));
  return Number(row?.n ?? 0);
}

/** Deletes one of the user's tokens; false when it is not theirs or does not exist. */
export async function deleteApiToken(db: Executor, userId: string, id: string): Promise<boolean> {
  const rows = await db
    .delete(apiTokens)
    .where(and(eq(apiTokens.id, id), eq(apiTokens.userId, userId)))
    .returning({ id: apiTokens.id });
  return rows.length > 0;
}

/** A live (unexpired) token and its user by hash, in one query. */
export async function findLiveApiTokenWithUser(db: Executor, tokenHash: string) {
  const [row] = await db
    .select({ token: apiTokens, user: users })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(and(eq(apiTokens.tokenHash, tokenHash), gt(apiTokens.expiresAt, new Date())));
  return row ?? null;
}

/** Which of these token ids still exist and have not expired (one query). */
export async function findLiveApiTokenIds(db: Executor, ids: string[]): Promise<Set<string>> {
  if (!ids.length) return new Set();
  const rows = await db
    .select({ id: apiTokens.id })
    .from(apiTokens)
    .where(and(inArray(apiTokens.id, ids), gt(apiTokens.expiresAt, new Date())));
  return new Set(rows.map((r) => r.id));
}

/** Records use at most once a minute per token, so a busy client does not write per request. */
export async function touchApiToken(db: Executor, id: string): Promise<void> {
  await db
    .update(apiTokens)
    .set({ lastUsedAt: sql`now()` })
    .where(
      and(
        eq(apiTokens.id, id),
        or(
          isNull(apiTokens.lastUsedAt),
          lt(apiTokens.lastUsedAt, sql`now() - interval '1 minute'`),
        ),
      ),
    );
}
