import { z } from '@hono/zod-openapi';
import { THREAT_MODEL_SORT_FIELDS } from '../../db/repositories/threat-models.repository';
import { FRAMEWORKS, MODEL_STATUSES } from '../../db/schema/enums';
import type { AppDeps } from '../context';
import { etag, pageOf, parseIfMatch, serviceRequest } from '../http';
import { JsonPatchSchema } from '../json-patch';
import { sortParam } from '../list-query';
import { createRouter, jsonBody, listOf, operation, Pagination, problems } from '../openapi';
import {
  ThreatModelInputSchema,
  ThreatModelSchema,
  ThreatModelSummarySchema,
  toThreatModel,
  toThreatModelSummary,
} from '../schemas/threat-models.schemas';
import * as service from '../services/threat-models.service';
import { IfMatchHeaders, ModelParams, patchBody, taggedResponse } from './model-scoped';

const list = operation('threat models', {
  operationId: 'listThreatModels',
  method: 'get',
  path: '/',
  summary: 'List threat models',
  description:
    'The threat models the caller can see through any grant (user, team or everyone), with filters `q`, `status`, `framework`, `owner` and `sort`.',
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

const create = operation('threat models', {
  operationId: 'createThreatModel',
  method: 'post',
  path: '/',
  summary: 'Create a threat model',
  description:
    'Creates a `draft` threat model (framework STRIDE unless given); the caller becomes its owner.',
  request: { body: jsonBody(ThreatModelInputSchema) },
  responses: {
    201: taggedResponse(ThreatModelSchema, 'Created'),
    ...problems(400, 401, 403, 413, 415),
  },
});

const get = operation('threat models', {
  operationId: 'getThreatModel',
  method: 'get',
  path: '/{tm}',
  summary: 'Get a threat model',
  description:
    "A threat model with its grants (`authorization`), the caller's role (`my_role`), counts of its children and its `version` (also as `ETag`).",
  request: { params: ModelParams },
  responses: { 200: taggedResponse(ThreatModelSchema, 'The model'), ...problems(400, 401, 404) },
});

const writeProblems = problems(400, 401, 403, 404, 409, 412, 413, 415);

const put = operation('threat models', {
  operationId: 'replaceThreatModel',
  method: 'put',
  path: '/{tm}',
  summary: 'Replace a threat model',
  description:
    'Replaces the writable fields (writer or owner). Status moves and `owner_id` follow the same rules as PATCH; honours `If-Match`.',
  request: { params: ModelParams, headers: IfMatchHeaders, body: jsonBody(ThreatModelInputSchema) },
  responses: { 200: taggedResponse(ThreatModelSchema, 'Updated'), ...writeProblems },
});

const patch = operation('threat models', {
  operationId: 'patchThreatModel',
  method: 'patch',
  path: '/{tm}',
  summary: 'Patch a threat model',
  description:
    'RFC 6902 JSON Patch over `/name`, `/description`, `/framework`, `/issue_url`, `/status` and `/owner_id`. Changing `/owner_id`, or moving the status into or out of `approved`, needs the owner role; status moves outside the allowed graph are 409. ' +
    'Writer+. Approving (or leaving approved) and /owner_id need owner (403). Status moves: draft → in_review | archived; in_review → draft | approved | archived; approved → draft | in_review | archived; archived → draft; others 409. A failing test op → 409.',
  request: {
    params: ModelParams,
    headers: IfMatchHeaders,
    body: patchBody(JsonPatchSchema, 'RFC 6902 operations'),
  },
  responses: {
    200: taggedResponse(ThreatModelSchema, 'Updated'),
    ...writeProblems,
    ...problems(422),
  },
});

const remove = operation('threat models', {
  operationId: 'deleteThreatModel',
  method: 'delete',
  path: '/{tm}',
  summary: 'Delete a threat model',
  description: 'Deletes the threat model and everything in it. Owner only.',
  request: { params: ModelParams, headers: IfMatchHeaders },
  responses: { 204: { description: 'Deleted' }, ...problems(400, 401, 403, 404, 412) },
});

/** `/api/threat_models` and `/api/threat_models/{tm}`. */
export function threatModelsRoutes(deps: AppDeps) {
  const db = deps.db.db;
  return createRouter()
    .openapi(list, async (c) => {
      const query = c.req.valid('query');
      const page = await service.listThreatModels(db, serviceRequest(c), { filter: query });
      return c.json(pageOf(page, toThreatModelSummary, query), 200);
    })
    .openapi(create, async (c) => {
      const detail = await service.createThreatModel(db, serviceRequest(c), {
        threatModel: c.req.valid('json'),
      });
      return c.json(toThreatModel(detail), 201, etag(detail.model.version));
    })
    .openapi(get, async (c) => {
      const detail = await service.getThreatModelWithDrift(
        { db, live: deps.live },
        serviceRequest(c),
        {
          threatModelId: c.req.valid('param').tm,
        },
      );
      return c.json(toThreatModel(detail), 200, etag(detail.model.version));
    })
    .openapi(put, async (c) => {
      const detail = await service.replaceThreatModel(db, serviceRequest(c), {
        threatModelId: c.req.valid('param').tm,
        ifMatch: parseIfMatch(c),
        threatModel: c.req.valid('json'),
      });
      return c.json(toThreatModel(detail), 200, etag(detail.model.version));
    })
    .openapi(patch, async (c) => {
      const detail = await service.patchThreatModel(db, serviceRequest(c), {
        threatModelId: c.req.valid('param').tm,
        ifMatch: parseIfMatch(c),
        patch: c.req.valid('json'),
      });
      return c.json(toThreatModel(detail), 200, etag(detail.model.version));
    })
    .openapi(remove, async (c) => {
      await service.deleteThreatModel(db, serviceRequest(c), {
        threatModelId: c.req.valid('param').tm,
        ifMatch: parseIfMatch(c),
      });
      return c.body(null, 204);
    });
}
