import { z } from '@hono/zod-openapi';
import type { AppDeps } from '../context';
import { etag, pageOf, parseIfMatch, serviceRequest } from '../http';
import {
  createRouter,
  jsonBody,
  jsonResponse,
  listOf,
  operation,
  Pagination,
  problems,
} from '../openapi';
import * as comments from '../services/comments.service';
import type { CommentView } from '../services/comments.service';
import { iso } from './serializers';

const CommentSchema = z
  .object({
    id: z.uuid(),
    threat_model_id: z.uuid(),
    diagram_id: z.uuid().nullable(),
    cell_id: z.uuid().nullable(),
    threat_id: z.uuid().nullable(),
    parent_id: z.uuid().nullable(),
    author: z.object({ id: z.uuid(), name: z.string(), email: z.string() }).nullable(),
    body: z.string(),
    resolved_at: z.string().nullable(),
    resolved_by: z.uuid().nullable(),
    detached: z.boolean().openapi({ description: 'The anchored cell no longer exists' }),
    version: z.number().int(),
    created_at: z.string(),
    modified_at: z.string(),
  })
  .openapi('Comment');

const toComment = ({ comment: c, author, detached }: CommentView) => ({
  id: c.id,
  threat_model_id: c.threatModelId,
  diagram_id: c.diagramId,
  cell_id: c.cellId,
  threat_id: c.threatId,
  parent_id: c.parentId,
  author,
  body: c.body,
  resolved_at: iso(c.resolvedAt),
  resolved_by: c.resolvedBy,
  detached,
  version: c.version,
  created_at: c.createdAt.toISOString(),
  modified_at: c.modifiedAt.toISOString(),
});

const Body = z.string().trim().min(1).max(10_000);
const ModelParams = z.object({ tm: z.uuid() });
const CommentParams = z.object({ tm: z.uuid(), id: z.uuid() });

const list = operation('comments', {
  operationId: 'listComments',
  method: 'get',
  path: '/',
  summary: 'List comments',
  description:
    "A threat model's comments, oldest first, filtered by `diagram_id`, `cell_id`, `threat_id` or `resolved`.",
  request: {
    params: ModelParams,
    query: Pagination.extend({
      diagram_id: z.uuid().optional(),
      cell_id: z.uuid().optional(),
      threat_id: z.uuid().optional(),
      resolved: z.enum(['true', 'false']).optional(),
    }),
  },
  responses: {
    200: jsonResponse(listOf(CommentSchema, 'CommentList'), 'Comments'),
    ...problems(400, 401, 404),
  },
});

const create = operation('comments', {
  operationId: 'createComment',
  method: 'post',
  path: '/',
  summary: 'Create a comment',
  description:
    'Comments on the model, a diagram cell or a threat (reviewer and above). ' +
    "A reply (`parent_id`) joins its thread and takes the thread's anchor. `@name` mentions notify users who can see the model.",
  request: {
    params: ModelParams,
    body: jsonBody(
      z.object({
        body: Body,
        diagram_id: z.uuid().optional(),
        cell_id: z.uuid().optional(),
        threat_id: z.uuid().optional(),
        parent_id: z.uuid().optional(),
      }),
    ),
  },
  responses: {
    201: jsonResponse(CommentSchema, 'Created'),
    ...problems(400, 401, 403, 404, 413, 415),
  },
});

const get = operation('comments', {
  operationId: 'getComment',
  method: 'get',
  path: '/{id}',
  summary: 'Get a comment',
  description: 'One comment.',
  request: { params: CommentParams },
  responses: { 200: jsonResponse(CommentSchema, 'The comment'), ...problems(400, 401, 404) },
});

const edit = operation('comments', {
  operationId: 'updateComment',
  method: 'patch',
  path: '/{id}',
  summary: 'Edit a comment',
  description: 'Replaces the body of a comment; only its author may. Honours `If-Match`.',
  request: {
    params: CommentParams,
    headers: z.object({ 'if-match': z.string().optional() }),
    body: jsonBody(z.object({ body: Body })),
  },
  responses: {
    200: jsonResponse(CommentSchema, 'Edited'),
    ...problems(400, 401, 403, 404, 412, 413, 415),
  },
});

const remove = operation('comments', {
  operationId: 'deleteComment',
  method: 'delete',
  path: '/{id}',
  summary: 'Delete a comment',
  description: 'Deletes a comment and its replies; its author or an owner may. Honours `If-Match`.',
  request: { params: CommentParams, headers: z.object({ 'if-match': z.string().optional() }) },
  responses: { 204: { description: 'Deleted' }, ...problems(400, 401, 403, 404, 412) },
});

const resolveRoute = (action: 'resolve' | 'reopen') =>
  operation('comments', {
    operationId: action === 'resolve' ? 'resolveComment' : 'reopenComment',
    method: 'post',
    path: `/{id}/${action}`,
    summary: action === 'resolve' ? 'Resolve a comment thread' : 'Reopen a comment thread',
    description:
      action === 'resolve'
        ? 'Marks a thread resolved; its author or a writer or owner may.'
        : 'Marks a resolved thread open again; its author or a writer or owner may.',
    request: { params: CommentParams },
    responses: { 200: jsonResponse(CommentSchema, 'The thread'), ...problems(400, 401, 403, 404) },
  });

/** `/api/threat_models/{tm}/comments` */
export function commentsRoutes(deps: AppDeps) {
  const d = { db: deps.db.db, live: deps.live, logger: deps.logger };
  const refOf = ({ tm, id }: { tm: string; id: string }) => ({ threatModelId: tm, commentId: id });
  return createRouter()
    .openapi(list, async (c) => {
      const { limit, offset, resolved, diagram_id, cell_id, threat_id } = c.req.valid('query');
      const page = await comments.listComments(d, serviceRequest(c), {
        threatModelId: c.req.valid('param').tm,
        filters: {
          diagramId: diagram_id,
          cellId: cell_id,
          threatId: threat_id,
          resolved: resolved === undefined ? undefined : resolved === 'true',
        },
        page: { limit, offset },
      });
      return c.json(pageOf(page, toComment, { limit, offset }), 200);
    })
    .openapi(create, async (c) => {
      const view = await comments.createComment(d, serviceRequest(c), {
        threatModelId: c.req.valid('param').tm,
        comment: c.req.valid('json'),
      });
      return c.json(toComment(view), 201, etag(view.comment.version));
    })
    .openapi(get, async (c) => {
      const view = await comments.getComment(d, serviceRequest(c), refOf(c.req.valid('param')));
      return c.json(toComment(view), 200, etag(view.comment.version));
    })
    .openapi(edit, async (c) => {
      const view = await comments.editComment(d, serviceRequest(c), {
        ...refOf(c.req.valid('param')),
        ifMatch: parseIfMatch(c),
        body: c.req.valid('json').body,
      });
      return c.json(toComment(view), 200, etag(view.comment.version));
    })
    .openapi(remove, async (c) => {
      await comments.deleteComment(d, serviceRequest(c), {
        ...refOf(c.req.valid('param')),
        ifMatch: parseIfMatch(c),
      });
      return c.body(null, 204);
    })
    .openapi(resolveRoute('resolve'), async (c) => {
      const view = await comments.setCommentResolved(d, serviceRequest(c), {
        ...refOf(c.req.valid('param')),
        resolved: true,
      });
      return c.json(toComment(view), 200);
    })
    .openapi(resolveRoute('reopen'), async (c) => {
      const view = await comments.setCommentResolved(d, serviceRequest(c), {
        ...refOf(c.req.valid('param')),
        resolved: false,
      });
      return c.json(toComment(view), 200);
    });
}
