import { createRoute, z } from '@hono/zod-openapi';
import { THREAT_SORT_FIELDS } from '../../db/repositories/threats.repository';
import { SEVERITIES, THREAT_STATUSES } from '../../db/schema/enums';
import type { AppDeps } from '../context';
import { actorOf, parseIfMatch, setEtag } from '../http';
import { JsonPatchSchema } from '../json-patch';
import { sortParam } from '../list-query';
import { requireCaller } from '../middleware/authentication';
import {
  createRouter,
  jsonBody,
  jsonResponse,
  listOf,
  Pagination,
  problems,
  SECURITY,
} from '../openapi';
import { ThreatInputSchema, ThreatSchema, toThreat } from '../schemas/threats.schemas';
import * as threats from '../services/threats.service';
import { IfMatchHeaders, ModelParams, patchBody, taggedResponse } from './model-scoped';

const ThreatParams = ModelParams.extend({ threat_id: z.uuid() });
const tags = ['threats'];

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

const list = createRoute({
  method: 'get',
  path: '/{tm}/threats',
  tags,
  summary: "A threat model's threats (filters, sort, pages)",
  security: SECURITY,
  request: { params: ModelParams, query: ListQuery },
  responses: {
    200: jsonResponse(listOf(ThreatSchema, 'ThreatList'), 'One page'),
    ...problems(400, 401, 404),
  },
});

const create = createRoute({
  method: 'post',
  path: '/{tm}/threats',
  tags,
  summary: 'Create a threat',
  security: SECURITY,
  request: { params: ModelParams, body: jsonBody(ThreatInputSchema) },
  responses: {
    201: taggedResponse(ThreatSchema, 'Created'),
    ...problems(400, 401, 403, 404, 413, 415),
  },
});

const bulk = createRoute({
  method: 'post',
  path: '/{tm}/threats/bulk',
  tags,
  summary: `Create up to ${threats.MAX_BULK_THREATS} threats at once (all or nothing)`,
  security: SECURITY,
  request: {
    params: ModelParams,
    body: jsonBody(z.array(ThreatInputSchema).min(1).max(threats.MAX_BULK_THREATS)),
  },
  responses: {
    201: jsonResponse(z.object({ items: z.array(ThreatSchema) }), 'Created, in input order'),
    ...problems(400, 401, 403, 404, 413, 415),
  },
});

const get = createRoute({
  method: 'get',
  path: '/{tm}/threats/{threat_id}',
  tags,
  summary: 'A threat',
  security: SECURITY,
  request: { params: ThreatParams },
  responses: { 200: taggedResponse(ThreatSchema, 'The threat'), ...problems(400, 401, 404) },
});

const put = createRoute({
  method: 'put',
  path: '/{tm}/threats/{threat_id}',
  tags,
  summary: 'Replace a threat (omitted optional fields are cleared)',
  security: SECURITY,
  request: { params: ThreatParams, headers: IfMatchHeaders, body: jsonBody(ThreatInputSchema) },
  responses: {
    200: taggedResponse(ThreatSchema, 'Replaced'),
    ...problems(400, 401, 403, 404, 412, 413, 415),
  },
});

const patch = createRoute({
  method: 'patch',
  path: '/{tm}/threats/{threat_id}',
  tags,
  summary: 'Change a threat with RFC 6902 JSON Patch over its writable fields',
  security: SECURITY,
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
    ...problems(400, 401, 403, 404, 409, 412, 413, 415),
  },
});

const remove = createRoute({
  method: 'delete',
  path: '/{tm}/threats/{threat_id}',
  tags,
  summary: 'Delete a threat (and its metadata)',
  security: SECURITY,
  request: { params: ThreatParams, headers: IfMatchHeaders },
  responses: { 204: { description: 'Deleted' }, ...problems(400, 401, 403, 404, 412) },
});

/** Threats of a threat model: CRUD, bulk create, JSON Patch. Mounted at /api/threat_models. */
export function threatsRoutes(deps: AppDeps) {
  const db = deps.db.db;
  return createRouter()
    .openapi(list, async (c) => {
      const { tm } = c.req.valid('param');
      const { limit, offset, sort, diagram_id, cell_id, ...filters } = c.req.valid('query');
      const page = await threats.listThreats(
        db,
        requireCaller(c),
        tm,
        { ...filters, diagramId: diagram_id, cellId: cell_id },
        { limit, offset, sort },
      );
      return c.json({ items: page.items.map(toThreat), total: page.total, limit, offset }, 200);
    })
    .openapi(create, async (c) => {
      const caller = requireCaller(c);
      const [row] = await threats.createThreats(
        db,
        caller,
        actorOf(c, caller),
        c.req.valid('param').tm,
        [c.req.valid('json')],
      );
      setEtag(c, row!.version);
      return c.json(toThreat(row!), 201);
    })
    .openapi(bulk, async (c) => {
      const caller = requireCaller(c);
      const rows = await threats.createThreats(
        db,
        caller,
        actorOf(c, caller),
        c.req.valid('param').tm,
        c.req.valid('json'),
        (i) => `${i}.diagram_id`,
      );
      return c.json({ items: rows.map(toThreat) }, 201);
    })
    .openapi(get, async (c) => {
      const { tm, threat_id } = c.req.valid('param');
      const row = await threats.getThreat(db, requireCaller(c), tm, threat_id);
      setEtag(c, row.version);
      return c.json(toThreat(row), 200);
    })
    .openapi(put, async (c) => {
      const caller = requireCaller(c);
      const { tm, threat_id } = c.req.valid('param');
      const row = await threats.replaceThreat(
        db,
        caller,
        actorOf(c, caller),
        tm,
        threat_id,
        c.req.valid('json'),
        parseIfMatch(c),
      );
      setEtag(c, row.version);
      return c.json(toThreat(row), 200);
    })
    .openapi(patch, async (c) => {
      const caller = requireCaller(c);
      const { tm, threat_id } = c.req.valid('param');
      const row = await threats.patchThreat(
        db,
        caller,
        actorOf(c, caller),
        tm,
        threat_id,
        c.req.valid('json'),
        parseIfMatch(c),
      );
      setEtag(c, row.version);
      return c.json(toThreat(row), 200);
    })
    .openapi(remove, async (c) => {
      const caller = requireCaller(c);
      const { tm, threat_id } = c.req.valid('param');
      await threats.deleteThreat(db, caller, actorOf(c, caller), tm, threat_id, parseIfMatch(c));
      return c.body(null, 204);
    });
}
