import type { Executor } from '../../db';
import * as notificationsRepo from '../../db/repositories/notifications.repository';
import type { NotificationRow } from '../../db/repositories/notifications.repository';
import type { NotificationType } from '../../db/schema/enums';
import type { ServiceRequest } from '../context';
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

/** The caller's own notifications (a page), with their total and unread counts. */
export async function listNotifications(
  db: Executor,
  request: ServiceRequest,
  { page }: { page: { limit: number; offset: number; unreadOnly: boolean } },
) {
  const [items, counts] = await Promise.all([
    notificationsRepo.listNotifications(db, request.user.id, page),
    notificationsRepo.countNotifications(db, request.user.id, page.unreadOnly),
  ]);
  return { items, ...counts };
}

export async function markNotificationRead(
  db: Executor,
  request: ServiceRequest,
  { notificationId }: { notificationId: string },
): Promise<NotificationRow> {
  const row = await notificationsRepo.markRead(db, request.user.id, notificationId);
  if (!row) throw notFound('notification');
  return row;
}

export function markAllNotificationsRead(db: Executor, request: ServiceRequest): Promise<number> {
  return notificationsRepo.markAllRead(db, request.user.id);
}
