import { z } from '@hono/zod-openapi';
import type { NotificationRow } from '../../db/repositories/notifications.repository';
import { NOTIFICATION_TYPES } from '../../db/schema/enums';
import type { AppDeps } from '../context';
import { pageOf, serviceRequest } from '../http';
import { createRouter, jsonResponse, operation, Pagination, problems } from '../openapi';
import * as notifications from '../services/notifications.service';
import { iso } from './serializers';

const NotificationSchema = z
  .object({
    id: z.uuid(),
    type: z.enum(NOTIFICATION_TYPES),
    title: z.string(),
    threat_model_id: z.uuid().nullable(),
    data: z.record(z.string(), z.unknown()),
    read_at: z.string().nullable(),
    created_at: z.string(),
  })
  .openapi('Notification');

const toNotification = (n: NotificationRow) => ({
  id: n.id,
  type: n.type,
  title: n.title,
  threat_model_id: n.threatModelId,
  data: n.data,
  read_at: iso(n.readAt),
  created_at: n.createdAt.toISOString(),
});

const list = operation('notifications', {
  operationId: 'listNotifications',
  method: 'get',
  path: '/',
  summary: 'List notifications',
  description:
    "The caller's notifications, unread first, with the unread count; `unread=true` shows only unread ones.",
  request: { query: Pagination.extend({ unread: z.enum(['true', 'false']).optional() }) },
  responses: {
    200: jsonResponse(
      z
        .object({
          items: z.array(NotificationSchema),
          total: z.number().int(),
          unread: z.number().int(),
          limit: z.number().int(),
          offset: z.number().int(),
        })
        .openapi('NotificationList'),
      'Notifications',
    ),
    ...problems(400, 401),
  },
});

const read = operation('notifications', {
  operationId: 'markNotificationRead',
  method: 'post',
  path: '/{id}/read',
  summary: 'Mark a notification read',
  description: "Marks one of the caller's notifications read; someone else's is 404.",
  request: { params: z.object({ id: z.uuid() }) },
  responses: { 200: jsonResponse(NotificationSchema, 'Marked read'), ...problems(400, 401, 404) },
});

const readAll = operation('notifications', {
  operationId: 'markAllNotificationsRead',
  method: 'post',
  path: '/read_all',
  summary: 'Mark all notifications read',
  description: 'Marks every notification of the caller read and says how many changed.',
  responses: {
    200: jsonResponse(z.object({ updated: z.number().int() }), 'Marked read'),
    ...problems(401),
  },
});

/** `/api/me/notifications` */
export function notificationsRoutes(deps: AppDeps) {
  const db = deps.db.db;
  return createRouter()
    .openapi(list, async (c) => {
      const { limit, offset, unread } = c.req.valid('query');
      const page = await notifications.listNotifications(db, serviceRequest(c), {
        page: { limit, offset, unreadOnly: unread === 'true' },
      });
      return c.json(
        { ...pageOf(page, toNotification, { limit, offset }), unread: page.unread },
        200,
      );
    })
    .openapi(readAll, async (c) => {
      const updated = await notifications.markAllNotificationsRead(db, serviceRequest(c));
      return c.json({ updated }, 200);
    })
    .openapi(read, async (c) => {
      const row = await notifications.markNotificationRead(db, serviceRequest(c), {
        notificationId: c.req.valid('param').id,
      });
      return c.json(toNotification(row), 200);
    });
}
