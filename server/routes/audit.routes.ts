import { z } from '@hono/zod-openapi';
import type { AppDeps } from '../context';
import { serviceRequest } from '../http';
import { createRouter, jsonResponse, operation, problems } from '../openapi';
import { NullableUserSummarySchema } from './serializers';
import * as service from '../services/audit-log.service';

const AuditEntrySchema = z
  .object({
    id: z.number().int(),
    action: z.string().openapi({ example: 'update' }),
    entity_type: z.string().openapi({ example: 'threat_model' }),
    entity_id: z.string(),
    actor: NullableUserSummarySchema.openapi({ description: 'Null when the user is gone' }),
    changes: z
      .record(z.string(), z.object({ before: z.unknown(), after: z.unknown() }))
      .nullable()
      .openapi({ description: 'Changed fields, before and after' }),
    request_id: z.string().nullable(),
    created_at: z.string(),
  })
  .openapi('AuditEntry');

const list = operation('audit', {
  operationId: 'listAuditEvents',
  method: 'get',
  path: '/',
  summary: 'List audit events',
  description:
    'Every change to the threat model, made over REST or live, newest first, with its actor; pages by `cursor`. Any role may read it.',
  request: {
    params: z.object({ tm: z.uuid() }),
    query: z.object({
      cursor: z
        .string()
        .regex(/^\d{1,15}$/, 'must be a next_cursor from a previous page')
        .optional()
        .openapi({ description: 'next_cursor of the previous page' }),
      limit: z.coerce.number().int().min(1).max(500).default(50),
    }),
  },
  responses: {
    200: jsonResponse(
      z
        .object({
          items: z.array(AuditEntrySchema),
          next_cursor: z.string().nullable().openapi({ description: 'Null on the last page' }),
        })
        .openapi('AuditPage'),
      'A page, newest first',
    ),
    ...problems(400, 401, 404),
  },
});

/** `/api/threat_models/{tm}/audit`: cursor pagination (ids are monotonic, so pages never shift). */
export function auditRoutes(deps: AppDeps) {
  const db = deps.db.db;
  return createRouter().openapi(list, async (c) => {
    const { cursor, limit } = c.req.valid('query');
    const page = await service.listAuditLog(db, serviceRequest(c), {
      threatModelId: c.req.valid('param').tm,
      page: { before: cursor === undefined ? undefined : Number(cursor), limit },
    });
    return c.json(
      {
        items: page.items.map(({ entry, actor }) => ({
          id: entry.id,
          action: entry.action,
          entity_type: entry.entityType,
          entity_id: entry.entityId,
          actor: actor?.id ? { id: actor.id, name: actor.name!, email: actor.email! } : null,
          changes: entry.changes,
          request_id: entry.requestId,
          created_at: entry.createdAt.toISOString(),
        })),
        next_cursor: page.nextCursor,
      },
      200,
    );
  });
}
