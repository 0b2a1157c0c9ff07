import { z } from '@hono/zod-openapi';
import { DIAGRAM_SORT_FIELDS } from '../../db/repositories/diagrams.repository';
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
import {
  DiagramCreateSchema,
  DiagramDuplicateSchema,
  DiagramReplaceSchema,
  DiagramSchema,
  DiagramSummarySchema,
  toDiagram,
  toDiagramSummary,
} from '../schemas/diagrams.schemas';
import * as diagrams from '../services/diagrams.service';
import { IfMatchHeaders, ModelParams, patchBody, taggedResponse } from './model-scoped';

const DiagramParams = ModelParams.extend({ diagram_id: z.uuid() });

const list = operation('diagrams', {
  operationId: 'listDiagrams',
  method: 'get',
  path: '/{tm}/diagrams',
  summary: 'List diagrams',
  description: "A threat model's diagrams as summaries, without their cells.",
  request: {
    params: ModelParams,
    query: Pagination.extend({ sort: sortParam(DIAGRAM_SORT_FIELDS, 'created_at:asc') }),
  },
  responses: {
    200: jsonResponse(listOf(DiagramSummarySchema, 'DiagramList'), 'One page'),
    ...problems(400, 401, 404),
  },
});

const create = operation('diagrams', {
  operationId: 'createDiagram',
  method: 'post',
  path: '/{tm}/diagrams',
  summary: 'Create a diagram',
  description: 'Creates a diagram (writer or owner), optionally with cells.',
  request: { params: ModelParams, body: jsonBody(DiagramCreateSchema) },
  responses: {
    201: taggedResponse(DiagramSchema, 'Created'),
    ...problems(400, 401, 403, 404, 413, 415),
  },
});

const get = operation('diagrams', {
  operationId: 'getDiagram',
  method: 'get',
  path: '/{tm}/diagrams/{diagram_id}',
  summary: 'Get a diagram',
  description:
    'A diagram with its cells: the live document when a collaboration session is open, else the stored snapshot.',
  request: { params: DiagramParams },
  responses: { 200: taggedResponse(DiagramSchema, 'The diagram'), ...problems(400, 401, 404) },
});

const put = operation('diagrams', {
  operationId: 'replaceDiagram',
  method: 'put',
  path: '/{tm}/diagrams/{diagram_id}',
  summary: 'Replace a diagram',
  description:
    'Replaces a diagram (writer or owner). Its cells are applied to the live document, so participants see them. Honours `If-Match`. ' +
    'Body up to 16 MiB. Bumps `version`.',
  request: {
    params: DiagramParams,
    headers: IfMatchHeaders,
    body: jsonBody(DiagramReplaceSchema),
  },
  responses: {
    200: taggedResponse(DiagramSchema, 'Replaced'),
    ...problems(400, 401, 403, 404, 412, 413, 415),
  },
});

const patch = operation('diagrams', {
  operationId: 'patchDiagram',
  method: 'patch',
  path: '/{tm}/diagrams/{diagram_id}',
  summary: 'Patch a diagram',
  description:
    'RFC 6902 JSON Patch over `/name`, `/description` and `/cells` (writer or owner). Honours `If-Match`. ' +
    'Cell paths index the cells as GET returns them (`/cells/0/label`). Only the cells and ' +
    'fields the patch changes are written to the live document. Bumps `version`.',
  request: {
    params: DiagramParams,
    headers: IfMatchHeaders,
    body: patchBody(JsonPatchSchema, 'Paths under /name, /description, /cells'),
  },
  responses: {
    200: taggedResponse(DiagramSchema, 'Patched'),
    ...problems(400, 401, 403, 404, 409, 412, 413, 415, 422),
  },
});

const duplicate = operation('diagrams', {
  operationId: 'duplicateDiagram',
  method: 'post',
  path: '/{tm}/diagrams/{diagram_id}/duplicate',
  summary: 'Duplicate a diagram',
  description:
    'Writer+. Copies the cells (the live document when a session is open) under new ids into ' +
    'a new diagram of the same model; with `with_threats`, also the threats recorded against ' +
    'the diagram, linked to the copied cells. Audited as `diagram.duplicate`.',
  request: { params: DiagramParams, body: jsonBody(DiagramDuplicateSchema) },
  responses: {
    201: taggedResponse(DiagramSchema, 'The copy'),
    ...problems(400, 401, 403, 404, 415),
  },
});

const remove = operation('diagrams', {
  operationId: 'deleteDiagram',
  method: 'delete',
  path: '/{tm}/diagrams/{diagram_id}',
  summary: 'Delete a diagram',
  description:
    "Deletes a diagram with its and its cells' metadata (writer or owner); its threats stay, detached. Honours `If-Match`.",
  request: { params: DiagramParams, headers: IfMatchHeaders },
  responses: { 204: { description: 'Deleted' }, ...problems(400, 401, 403, 404, 412) },
});

/** Diagrams of a threat model. Mounted at /api/threat_models. */
export function diagramsRoutes(deps: AppDeps) {
  const d = { db: deps.db.db, live: deps.live };
  /** The model and diagram the path names. */
  const refOf = (p: { tm: string; diagram_id: string }) => ({
    threatModelId: p.tm,
    diagramId: p.diagram_id,
  });
  return createRouter()
    .openapi(list, async (c) => {
      const { limit, offset, sort } = c.req.valid('query');
      const page = await diagrams.listDiagrams(d, serviceRequest(c), {
        threatModelId: c.req.valid('param').tm,
        page: { limit, offset, sort },
      });
      return c.json(pageOf(page, toDiagramSummary, { limit, offset }), 200);
    })
    .openapi(create, async (c) => {
      const { row, cells } = await diagrams.createDiagram(d, serviceRequest(c), {
        threatModelId: c.req.valid('param').tm,
        diagram: c.req.valid('json'),
      });
      return c.json(toDiagram(row, cells), 201, etag(row.version));
    })
    .openapi(get, async (c) => {
      const { row, cells } = await diagrams.getDiagram(
        d,
        serviceRequest(c),
        refOf(c.req.valid('param')),
      );
      return c.json(toDiagram(row, cells), 200, etag(row.version));
    })
    .openapi(put, async (c) => {
      const { row, cells } = await diagrams.replaceDiagram(d, serviceRequest(c), {
        ...refOf(c.req.valid('param')),
        ifMatch: parseIfMatch(c),
        diagram: c.req.valid('json'),
      });
      return c.json(toDiagram(row, cells), 200, etag(row.version));
    })
    .openapi(patch, async (c) => {
      const { row, cells } = await diagrams.patchDiagram(d, serviceRequest(c), {
        ...refOf(c.req.valid('param')),
        ifMatch: parseIfMatch(c),
        patch: c.req.valid('json'),
      });
      return c.json(toDiagram(row, cells), 200, etag(row.version));
    })
    .openapi(duplicate, async (c) => {
      const { tm, diagram_id } = c.req.valid('param');
      const { row, cells } = await diagrams.duplicateDiagram(d, serviceRequest(c), {
        threatModelId: tm,
        diagramId: diagram_id,
        copy: c.req.valid('json'),
      });
      return c.json(toDiagram(row, cells), 201, etag(row.version));
    })
    .openapi(remove, async (c) => {
      await diagrams.deleteDiagram(d, serviceRequest(c), {
        ...refOf(c.req.valid('param')),
        ifMatch: parseIfMatch(c),
      });
      return c.body(null, 204);
    });
}
