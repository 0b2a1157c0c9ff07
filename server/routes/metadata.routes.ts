import { z } from '@hono/zod-openapi';
import type { MetadataRow } from '../../db/repositories/metadata.repository';
import type { MetadataEntityType } from '../../db/schema/enums';
import type { AppDeps } from '../context';
import { pageOf, serviceRequest } from '../http';
import {
  createRouter,
  jsonBody,
  jsonResponse,
  listOf,
  operation,
  operationNoun,
  Pagination,
  problems,
} from '../openapi';
import * as metadata from '../services/metadata.service';
import type { MetadataTarget } from '../services/metadata.service';
import { ModelParams } from './model-scoped';

const Key = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{1,256}$/, 'letters, digits and _ . : - (1–256)')
  .openapi({ example: 'owner.team' });
const Value = z.string().max(4096);
const MetadataSchema = z.object({ key: Key, value: Value }).openapi('Metadata');
const MetadataList = listOf(MetadataSchema, 'MetadataList');
const ReplaceBody = z
  .array(MetadataSchema)
  .max(metadata.MAX_METADATA_KEYS)
  .refine((items) => new Set(items.map((i) => i.key)).size === items.length, 'keys must be unique');

type Params = Record<string, string>;

/** One kind of entity that carries metadata: where it lives and how its params name it. */
interface MetadataKind {
  entityType: MetadataEntityType;
  noun: string;
  path: string;
  params: z.ZodObject<Record<string, z.ZodType<string>>>;
  target(p: Params): Pick<MetadataTarget, 'entityId' | 'diagramId'>;
}

const diagram = ModelParams.extend({ diagram_id: z.uuid() });
const KINDS: MetadataKind[] = [
  {
    entityType: 'threat_model',
    noun: 'threat model',
    path: '/{tm}',
    params: ModelParams,
    target: (p) => ({ entityId: p.tm! }),
  },
  {
    entityType: 'threat',
    noun: 'threat',
    path: '/{tm}/threats/{threat_id}',
    params: ModelParams.extend({ threat_id: z.uuid() }),
    target: (p) => ({ entityId: p.threat_id! }),
  },
  {
    entityType: 'diagram',
    noun: 'diagram',
    path: '/{tm}/diagrams/{diagram_id}',
    params: diagram,
    target: (p) => ({ entityId: p.diagram_id! }),
  },
  {
    entityType: 'document',
    noun: 'document',
    path: '/{tm}/documents/{document_id}',
    params: ModelParams.extend({ document_id: z.uuid() }),
    target: (p) => ({ entityId: p.document_id! }),
  },
  {
    entityType: 'repository',
    noun: 'repository',
    path: '/{tm}/repositories/{repository_id}',
    params: ModelParams.extend({ repository_id: z.uuid() }),
    target: (p) => ({ entityId: p.repository_id! }),
  },
  {
    entityType: 'cell',
    noun: 'diagram cell',
    path: '/{tm}/diagrams/{diagram_id}/cells/{cell_id}',
    params: diagram.extend({ cell_id: z.uuid() }),
    target: (p) => ({ entityId: p.cell_id!, diagramId: p.diagram_id! }),
  },
];

const toMetadata = (row: MetadataRow) => ({ key: row.key, value: row.value });

/** The five metadata operations for one kind of entity (API.md: `<entity>/metadata…`). */
function routesFor(deps: AppDeps, kind: MetadataKind) {
  const d = { db: deps.db.db, live: deps.live };
  // `listThreatModelMetadata`, `setDiagramCellMetadataKey`, …: unique across the six kinds.
  const entity = operationNoun(kind.noun);
  const collection = `${kind.path}/metadata`;
  const item = `${collection}/{key}`;
  const KeyParams = kind.params.extend({ key: Key });
  const targetOf = (p: Params): MetadataTarget => ({
    threatModelId: p.tm!,
    entityType: kind.entityType,
    ...kind.target(p),
  });

  const list = operation('metadata', {
    operationId: `list${entity}Metadata`,
    method: 'get',
    path: collection,
    summary: `List ${kind.noun} metadata`,
    description: `The metadata of a ${kind.noun}, by key, in pages.`,
    request: { params: kind.params, query: Pagination },
    responses: { 200: jsonResponse(MetadataList, 'One page, by key'), ...problems(400, 401, 404) },
  });
  const replace = operation('metadata', {
    operationId: `replace${entity}Metadata`,
    method: 'put',
    path: collection,
    summary: `Replace ${kind.noun} metadata`,
    description: `Replaces every metadata entry of a ${kind.noun} at once (writer or owner); keys must be unique, at most ${metadata.MAX_METADATA_KEYS}.`,
    request: { params: kind.params, body: jsonBody(ReplaceBody) },
    responses: {
      200: jsonResponse(MetadataList, 'The new set, by key'),
      ...problems(400, 401, 403, 404, 409, 413, 415),
    },
  });
  const get = operation('metadata', {
    operationId: `get${entity}MetadataKey`,
    method: 'get',
    path: item,
    summary: `Get a ${kind.noun} metadata key`,
    description: `One metadata entry of a ${kind.noun}; 404 when the key is not set.`,
    request: { params: KeyParams },
    responses: { 200: jsonResponse(MetadataSchema, 'The entry'), ...problems(400, 401, 404) },
  });
  const put = operation('metadata', {
    operationId: `set${entity}MetadataKey`,
    method: 'put',
    path: item,
    summary: `Set a ${kind.noun} metadata key`,
    description: `Sets one metadata entry of a ${kind.noun} (writer or owner): 201 when the key is new, 200 when changed.`,
    request: { params: KeyParams, body: jsonBody(z.object({ value: Value })) },
    responses: {
      200: jsonResponse(MetadataSchema, 'Changed'),
      201: jsonResponse(MetadataSchema, 'Created'),
      ...problems(400, 401, 403, 404, 409, 413, 415),
    },
  });
  const remove = operation('metadata', {
    operationId: `delete${entity}MetadataKey`,
    method: 'delete',
    path: item,
    summary: `Delete a ${kind.noun} metadata key`,
    description: `Deletes one metadata entry of a ${kind.noun} (writer or owner).`,
    request: { params: KeyParams },
    responses: { 204: { description: 'Deleted' }, ...problems(400, 401, 403, 404) },
  });

  return createRouter()
    .openapi(list, async (c) => {
      const { limit, offset } = c.req.valid('query');
      const page = await metadata.listMetadata(d, serviceRequest(c), {
        target: targetOf(c.req.valid('param')),
        page: { limit, offset },
      });
      return c.json(pageOf(page, toMetadata, { limit, offset }), 200);
    })
    .openapi(replace, async (c) => {
      const rows = await metadata.replaceMetadata(d, serviceRequest(c), {
        target: targetOf(c.req.valid('param')),
        items: c.req.valid('json'),
      });
      const all = { items: rows, total: rows.length };
      return c.json(pageOf(all, toMetadata, { limit: metadata.MAX_METADATA_KEYS, offset: 0 }), 200);
    })
    .openapi(get, async (c) => {
      const { key, ...params } = c.req.valid('param') as Params;
      const row = await metadata.getMetadataKey(d, serviceRequest(c), {
        target: targetOf(params),
        key: key!,
      });
      return c.json(toMetadata(row), 200);
    })
    .openapi(put, async (c) => {
      const { key, ...params } = c.req.valid('param') as Params;
      const { row, created } = await metadata.putMetadataKey(d, serviceRequest(c), {
        target: targetOf(params),
        key: key!,
        value: c.req.valid('json').value,
      });
      return created ? c.json(toMetadata(row), 201) : c.json(toMetadata(row), 200);
    })
    .openapi(remove, async (c) => {
      const { key, ...params } = c.req.valid('param') as Params;
      await metadata.deleteMetadataKey(d, serviceRequest(c), {
        target: targetOf(params),
        key: key!,
      });
      return c.body(null, 204);
    });
}

/**
 * Metadata on threat models, threats, diagrams, documents, repositories and diagram cells:
 * one set of operations, generated per entity kind. Mounted at /api/threat_models.
 */
export function metadataRoutes(deps: AppDeps) {
  const router = createRouter();
  for (const kind of KINDS) router.route('/', routesFor(deps, kind));
  return router;
}
