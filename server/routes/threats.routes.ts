import { z } from '@hono/zod-openapi';
import { THREAT_SORT_FIELDS } from '../../db/repositories/threats.repository';
import { SEVERITIES, THREAT_STATUSES } from '../../db/schema/enums';
import type { AppDeps } from '../context';
import { etag, pageOf, parseIfMatch, serviceRequest } from '../http';
import { JsonPatchSchema } from '../json-patch';
import { sortParam } from '../list-query';
import {
  createRouter,
  jsonBody,
  jsonResponse,
  listOf,
  operation,
  Pagination,
  problems,
} from '../openapi';
import { ThreatInputSchema, ThreatSchema, toThreat } from '../schemas/threats.schemas';
import * as threats from '../services/threats.service';
import { IfMatchHeaders, ModelParams, patchBody, taggedResponse } from './model-scoped';

const ThreatParams = ModelParams.extend({ threat_id: z.uuid() });

const ListQuery = Pagination.extend({
  severity: z.enum(SEVERITIES).optional(),
  status: z.enum(THREAT_STATUSES).optional(),
  diagram_id: z.uuid().optional(),
  cell_id: z.uuid().optional(),
  q: z
    .string()
    .trim()
    .min(1)
    .max(256)
    .optional()
    .openapi({ description: 'In name or description' }),
  sort: sortParam(THREAT_SORT_FIELDS, 'created_at:asc'),
});

const list = operation('threats', {
  operationId: 'listThreats',
  method: 'get',
  path: '/{tm}/threats',
  summary: 'List threats',
  description:
    "A threat model's threats, filtered by `severity`, `status`, `diagram_id`, `cell_id` or text `q`, sorted by `sort`, in pages.",
  request: { params: ModelParams, query: ListQuery },
  responses: {
    200: jsonResponse(listOf(ThreatSchema, 'ThreatList'), 'One page'),
    ...problems(400, 401, 404),
  },
});

const create = operation('threats', {
  operationId: 'createThreat',
  method: 'post',
  path: '/{tm}/threats',
  summary: 'Create a threat',
  description:
    'Records a threat in the model (writer or owner), optionally tied to a diagram cell.',
  request: { params: ModelParams, body: jsonBody(ThreatInputSchema) },
  responses: {
    201: taggedResponse(ThreatSchema, 'Created'),
    ...problems(400, 401, 403, 404, 413, 415),
  },
});

const bulk = operation('threats', {
  operationId: 'createThreats',
  method: 'post',
  path: '/{tm}/threats/bulk',
  summary: 'Create threats in bulk',
  description:
    'Creates up to 100 threats in one transaction (writer or owner): all or nothing, answered in input order.',
  request: {
    params: ModelParams,
    body: jsonBody(z.array(ThreatInputSchema).min(1).max(threats.MAX_BULK_THREATS)),
  },
  responses: {
    201: jsonResponse(z.object({ items: z.array(ThreatSchema) }), 'Created, in input order'),
    ...problems(400, 401, 403, 404, 413, 415),
  },
});

const get = operation('threats', {
  operationId: 'getThreat',
  method: 'get',
  path: '/{tm}/threats/{threat_id}',
  summary: 'Get a threat',
  description: 'One threat, with its `version` as `ETag`.',
  request: { params: ThreatParams },
  responses: { 200: taggedResponse(ThreatSchema, 'The threat'), ...problems(400, 401, 404) },
});

const put = operation('threats', {
  operationId: 'replaceThreat',
  method: 'put',
  path: '/{tm}/threats/{threat_id}',
  summary: 'Replace a threat',
  description:
    'Replaces a threat (writer or owner); optional fields left out are cleared. Honours `If-Match`.',
  request: { params: ThreatParams, headers: IfMatchHeaders, body: jsonBody(ThreatInputSchema) },
  responses: {
    200: taggedResponse(ThreatSchema, 'Replaced'),
    ...problems(400, 401, 403, 404, 412, 413, 415),
  },
});

const patch = operation('threats', {
  operationId: 'patchThreat',
  method: 'patch',
  path: '/{tm}/threats/{threat_id}',
  summary: 'Patch a threat',
  description:
    'RFC 6902 JSON Patch over the writable fields of a threat (writer or owner). Honours `If-Match`.',
  request: {
    params: ThreatParams,
    headers: IfMatchHeaders,
    body: patchBody(
      JsonPatchSchema,
      'Paths: any field of ThreatInput (`/name`, `/threat_type/-`…)',
    ),
  },
  responses: {
    200: taggedResponse(ThreatSchema, 'Patched'),
    ...problems(400, 401, 403, 404, 409, 412, 413, 415, 422),
  },
});

const remove = operation('threats', {
  operationId: 'deleteThreat',
  method: 'delete',
  path: '/{tm}/threats/{threat_id}',
  summary: 'Delete a threat',
  description: 'Deletes a threat and its metadata (writer or owner). Honours `If-Match`.',
  request: { params: ThreatParams, headers: IfMatchHeaders },
  responses: { 204: { description: 'Deleted' }, ...problems(400, 401, 403, 404, 412) },
});

/** Threats of a threat model: CRUD, bulk create, JSON Patch. Mounted at /api/threat_models. */
export function threatsRoutes(deps: AppDeps) {
  const td = { db: deps.db.db, live: deps.live, logger: deps.logger };
  /** The model and threat the path names. */
  const refOf = (p: { tm: string; threat_id: string }) => ({
    threatModelId: p.tm,
    threatId: p.threat_id,
  });
  return createRouter()
    .openapi(list, async (c) => {
      const { tm } = c.req.valid('param');
      const { limit, offset, sort, diagram_id, cell_id, ...filters } = c.req.valid('query');
      const page = await threats.listThreats(td, serviceRequest(c), {
        threatModelId: tm,
        filters: { ...filters, diagramId: diagram_id, cellId: cell_id },
        page: { limit, offset, sort },
      });
      return c.json(pageOf(page, toThreat, { limit, offset }), 200);
    })
    .openapi(create, async (c) => {
      const [view] = await threats.createThreats(td, serviceRequest(c), {
        threatModelId: c.req.valid('param').tm,
        threats: [c.req.valid('json')],
      });
      return c.json(toThreat(view!), 201, etag(view!.row.version));
    })
    .openapi(bulk, async (c) => {
      const views = await threats.createThreats(td, serviceRequest(c), {
        threatModelId: c.req.valid('param').tm,
        threats: c.req.valid('json'),
        errorPath: (i) => `${i}.diagram_id`,
      });
      return c.json({ items: views.map(toThreat) }, 201);
    })
    .openapi(get, async (c) => {
      const view = await threats.getThreat(td, serviceRequest(c), refOf(c.req.valid('param')));
      return c.json(toThreat(view), 200, etag(view.row.version));
    })
    .openapi(put, async (c) => {
      const view = await threats.replaceThreat(td, serviceRequest(c), {
        ...refOf(c.req.valid('param')),
        ifMatch: parseIfMatch(c),
        threat: c.req.valid('json'),
      });
      return c.json(toThreat(view), 200, etag(view.row.version));
    })
    .openapi(patch, async (c) => {
      const view = await threats.patchThreat(td, serviceRequest(c), {
        ...refOf(c.req.valid('param')),
        ifMatch: parseIfMatch(c),
        patch: c.req.valid('json'),
      });
      return c.json(toThreat(view), 200, etag(view.row.version));
    })
    .openapi(remove, async (c) => {
      await threats.deleteThreat(td, serviceRequest(c), {
        ...refOf(c.req.valid('param')),
        ifMatch: parseIfMatch(c),
      });
      return c.body(null, 204);
    });
}
