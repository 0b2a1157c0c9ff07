import { createRoute, z } from '@hono/zod-openapi';
import { THREAT_MODEL_SORT_FIELDS } from '../../db/repositories/threat-models.repository';
import { FRAMEWORKS, MODEL_STATUSES } from '../../db/schema/enums';
import type { AppDeps } from '../context';
import { actorOf, parseIfMatch, setEtag } from '../http';
import { JsonPatchSchema } from '../json-patch';
import { sortParam } from '../list-query';
import { requireCaller } from '../middleware/authentication';
import { createRouter, jsonBody, listOf, Pagination, problems, SECURITY } from '../openapi';
import { parseInput } from '../schemas/parse-input';
import {
  ThreatModelInputSchema,
  ThreatModelSchema,
  ThreatModelSummarySchema,
  toThreatModel,
  toThreatModelSummary,
} from '../schemas/threat-models.schemas';
import * as service from '../services/threat-models.service';
import { IfMatchHeaders, ModelParams, patchBody, taggedResponse } from './model-scoped';

const base = { tags: ['threat models'], security: SECURITY };

const list = createRoute({
  ...base,
  method: 'get',
  path: '/',
  summary: 'The threat models the caller can see (any grant: user, team or everyone)',
  request: {
    query: Pagination.extend({
      q: z
        .string()
        .trim()
        .min(1)
        .max(256)
        .optional()
        .openapi({ description: 'Name or description contains' }),
      status: z.enum(MODEL_STATUSES).optional(),
      framework: z.enum(FRAMEWORKS).optional(),
      owner: z
        .union([z.uuid(), z.email()])
        .optional()
        .openapi({ description: "The owner's user id or e-mail" }),
      sort: sortParam(THREAT_MODEL_SORT_FIELDS, 'modified_at:desc'),
    }),
  },
  responses: {
    200: {
      description: 'A page',
      content: {
        'application/json': { schema: listOf(ThreatModelSummarySchema, 'ThreatModelList') },
      },
    },
    ...problems(400, 401),
  },
});

const create = createRoute({
  ...base,
  method: 'post',
  path: '/',
  summary: 'Create a threat model; the caller becomes its owner',
  request: { body: jsonBody(ThreatModelInputSchema) },
  responses: {
    201: taggedResponse(ThreatModelSchema, 'Created'),
    ...problems(400, 401, 403, 413, 415),
  },
});

const get = createRoute({
  ...base,
  method: 'get',
  path: '/{tm}',
  summary: 'A threat model with its grants, the caller’s role, counts and version',
  request: { params: ModelParams },
  responses: { 200: taggedResponse(ThreatModelSchema, 'The model'), ...problems(400, 401, 404) },
});

const writeProblems = problems(400, 401, 403, 404, 409, 412, 413, 415);

const put = createRoute({
  ...base,
  method: 'put',
  path: '/{tm}',
  summary: 'Replace the writable fields (writer+; status rules and owner_id as for PATCH)',
  request: { params: ModelParams, headers: IfMatchHeaders, body: jsonBody(ThreatModelInputSchema) },
  responses: { 200: taggedResponse(ThreatModelSchema, 'Updated'), ...writeProblems },
});

const patch = createRoute({
  ...base,
  method: 'patch',
  path: '/{tm}',
  summary: 'JSON Patch over /name, /description, /framework, /issue_url, /status, /owner_id',
  description:
    'Writer+. Approving (or leaving approved) and /owner_id need owner (403). Status moves: draft → in_review | archived; in_review → draft | approved | archived; approved → draft | in_review | archived; archived → draft; others 409. A failing test op → 409.',
  request: {
    params: ModelParams,
    headers: IfMatchHeaders,
    body: patchBody(JsonPatchSchema, 'RFC 6902 operations'),
  },
  responses: { 200: taggedResponse(ThreatModelSchema, 'Updated'), ...writeProblems },
});

const remove = createRoute({
  ...base,
  method: 'delete',
  path: '/{tm}',
  summary: 'Delete the model and everything in it (owner)',
  request: { params: ModelParams, headers: IfMatchHeaders },
  responses: { 204: { description: 'Deleted' }, ...problems(400, 401, 403, 404, 412) },
});

/** `/api/threat_models` and `/api/threat_models/{tm}`. */
export function threatModelsRoutes(deps: AppDeps) {
  const db = deps.db.db;
  return createRouter()
    .openapi(list, async (c) => {
      const query = c.req.valid('query');
      const page = await service.listThreatModels(db, requireCaller(c), query);
      return c.json(
        {
          items: page.items.map(toThreatModelSummary),
          total: page.total,
          limit: query.limit,
          offset: query.offset,
        },
        200,
      );
    })
    .openapi(create, async (c) => {
      const caller = requireCaller(c);
      const detail = await service.createThreatModel(
        db,
        caller,
        actorOf(c, caller),
        c.req.valid('json'),
      );
      setEtag(c, detail.model.version);
      return c.json(toThreatModel(detail), 201);
    })
    .openapi(get, async (c) => {
      const detail = await service.getThreatModel(db, requireCaller(c), c.req.valid('param').tm);
      setEtag(c, detail.model.version);
      return c.json(toThreatModel(detail), 200);
    })
    .openapi(put, async (c) => {
      const caller = requireCaller(c);
      const detail = await service.replaceThreatModel(
        db,
        caller,
        actorOf(c, caller),
        c.req.valid('param').tm,
        parseIfMatch(c),
        c.req.valid('json'),
      );
      setEtag(c, detail.model.version);
      return c.json(toThreatModel(detail), 200);
    })
    .openapi(patch, async (c) => {
      const caller = requireCaller(c);
      const detail = await service.patchThreatModel(
        db,
        caller,
        actorOf(c, caller),
        c.req.valid('param').tm,
        parseIfMatch(c),
        c.req.valid('json'),
        (doc) => parseInput(PatchedSchema, doc),
      );
      setEtag(c, detail.model.version);
      return c.json(toThreatModel(detail), 200);
    })
    .openapi(remove, async (c) => {
      const caller = requireCaller(c);
      await service.deleteThreatModel(
        db,
        caller,
        actorOf(c, caller),
        c.req.valid('param').tm,
        parseIfMatch(c),
      );
      return c.body(null, 204);
    });
}

/** A patched document must be complete: nullable fields may be null, none may be missing. */
const PatchedSchema = ThreatModelInputSchema.required({
  framework: true,
  status: true,
  owner_id: true,
}).extend({
  description: z.string().max(4096).nullable(),
  issue_url: ThreatModelInputSchema.shape.issue_url.unwrap(),
});
