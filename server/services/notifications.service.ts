import type { Executor } from '../../db';
import * as notificationsRepo from '../../db/repositories/notifications.repository';
import type { NotificationRow } from '../../db/repositories/notifications.repository';
import type { NotificationType } from '../../db/schema/enums';
import { notFound } from '../errors';

export interface NotificationInput {
  userId: string;
  threatModelId: string | null;
  type: NotificationType;
  title: string;
  data: Record<string, unknown>;
}

/**
 * Queues notifications inside the caller's transaction: one per recipient per event (the first
 * input for a user wins, so callers list the most specific reason first).
 */
export async function notify(tx: Executor, inputs: NotificationInput[]): Promise<void> {
  const seen = new Set<string>();
  const rows = inputs.filter((n) => {
    const key = n.userId;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  await notificationsRepo.insertNotifications(
    tx,
    rows.map((n) => ({ ...n, title: n.title.slice(0, 256) })),
  );
}

export async function listNotifications(
  db: Executor,
  userId: string,
  page: { limit: number; offset: number; unreadOnly: boolean },
) {
  const [items, counts] = await Promise.all([
    notificationsRepo.listNotifications(db, userId, page),
    notificationsRepo.countNotifications(db, userId, page.unreadOnly),
  ]);
  return { items, ...counts };
}

export async function markNotificationRead(
  db: Executor,
  userId: string,
  id: string,
): Promise<NotificationRow> {
  const row = await notificationsRepo.markRead(db, userId, id);
  if (!row) throw notFound('notification');
  return row;
}

export function markAllNotificationsRead(db: Executor, userId: string): Promise<number> {
  return notificationsRepo.markAllRead(db, userId);
}
