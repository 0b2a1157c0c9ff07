import { and, asc, count, desc, eq, isNull, sql } from 'drizzle-orm';
import type { Executor } from '../client';
import { notifications } from '../schema';

export type NotificationRow = typeof notifications.$inferSelect;
export type NewNotification = typeof notifications.$inferInsert;

export async function insertNotifications(db: Executor, rows: NewNotification[]): Promise<void> {
  if (rows.length) await db.insert(notifications).values(rows);
}

/** A page of the user's notifications: unread first, then newest first. */
export async function listNotifications(
  db: Executor,
  userId: string,
  page: { limit: number; offset: number; unreadOnly: boolean },
) {
  return db
    .select()
    .from(notifications)
    .where(
      and(
        eq(notifications.userId, userId),
        page.unreadOnly ? isNull(notifications.readAt) : undefined,
      ),
    )
    .orderBy(
      sql`${notifications.readAt} is not null`,
      desc(notifications.createdAt),
      asc(notifications.id),
    )
    .limit(page.limit)
    .offset(page.offset);
}

export async function countNotifications(db: Executor, userId: string, unreadOnly: boolean) {
  const [row] = await db
    .select({
      total: count(),
      unread: sql<number>`count(*) filter (where ${notifications.readAt} is null)`.mapWith(Number),
    })
    .from(notifications)
    .where(
      and(eq(notifications.userId, userId), unreadOnly ? isNull(notifications.readAt) : undefined),
    );
  return { total: row?.total ?? 0, unread: row?.unread ?? 0 };
}

/** Marks one of the user's notifications read; null when it is not theirs. */
export async function markRead(db: Executor, userId: string, id: string) {
  const [row] = await db
    .update(notifications)
    .set({ readAt: sql`coalesce(${notifications.readAt}, now())`, modifiedAt: new Date() })
    .where(and(eq(notifications.id, id), eq(notifications.userId, userId)))
    .returning();
  return row ?? null;
}

export async function markAllRead(db: Executor, userId: string): Promise<number> {
  const rows = await db
    .update(notifications)
    .set({ readAt: sql`now()`, modifiedAt: new Date() })
    .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)))
    .returning({ id: notifications.id });
  return rows.length;
}
