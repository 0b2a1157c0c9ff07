import { z } from '@hono/zod-openapi';
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
  operationNoun,
  Pagination,
  problems,
  type ApiTag,
} from '../openapi';
import type { childService } from '../services/model-children.service';
import { IfMatchHeaders, ModelParams, patchBody, taggedResponse } from './model-scoped';

export interface ChildRoutesSpec<Row, Out> {
  /** Path segment under the model and the name of the id parameter. */
  segment: string;
  idParam: string;
  /**
   * Singular noun for summaries and operation ids ("document" → `getDocument`; the plural is
   * `segment`), OpenAPI tag, list component name.
   */
  noun: string;
  tag: ApiTag;
  listName: string;
  sortFields: readonly [string, ...string[]];
  input: z.ZodType;
  output: z.ZodType<Out>;
  toJson(row: Row): Out;
  service: ReturnType<
    typeof childService<Row & { id: string; threatModelId: string; version: number }, any, any>
  >;
}

/**
 * CRUD + JSON Patch routes of a plain child of a threat model (documents, repositories),
 * mounted at /api/threat_models. Both resources get identical contracts from one place.
 */
export function childRoutes<Row extends { version: number }, Out>(
  deps: AppDeps,
  spec: ChildRoutesSpec<Row, Out>,
) {
  const db = deps.db.db;
  const { segment, noun, service } = spec;
  const collection = `/{tm}/${segment}`;
  const item = `${collection}/{${spec.idParam}}`;
  const ItemParams = ModelParams.extend({ [spec.idParam]: z.uuid() });
  const one = operationNoun(noun);
  const many = operationNoun(segment);

  const list = operation(spec.tag, {
    operationId: `list${many}`,
    method: 'get',
    path: collection,
    summary: `List ${segment}`,
    description: `A threat model's ${segment}, sorted by \`sort\`, in pages.`,
    request: {
      params: ModelParams,
      query: Pagination.extend({ sort: sortParam(spec.sortFields, 'created_at:asc') }),
    },
    responses: {
      200: jsonResponse(listOf(spec.output, spec.listName), 'One page'),
      ...problems(400, 401, 404),
    },
  });
  const create = operation(spec.tag, {
    operationId: `create${one}`,
    method: 'post',
    path: collection,
    summary: `Create a ${noun}`,
    description: `Adds a ${noun} to the threat model (writer or owner).`,
    request: { params: ModelParams, body: jsonBody(spec.input) },
    responses: {
      201: taggedResponse(spec.output, 'Created'),
      ...problems(400, 401, 403, 404, 413, 415),
    },
  });
  const get = operation(spec.tag, {
    operationId: `get${one}`,
    method: 'get',
    path: item,
    summary: `Get a ${noun}`,
    description: `One ${noun}, with its \`version\` as \`ETag\`.`,
    request: { params: ItemParams },
    responses: { 200: taggedResponse(spec.output, `The ${noun}`), ...problems(400, 401, 404) },
  });
  const put = operation(spec.tag, {
    operationId: `replace${one}`,
    method: 'put',
    path: item,
    summary: `Replace a ${noun}`,
    description: `Replaces a ${noun} (writer or owner); optional fields left out are cleared. Honours \`If-Match\`.`,
    request: { params: ItemParams, headers: IfMatchHeaders, body: jsonBody(spec.input) },
    responses: {
      200: taggedResponse(spec.output, 'Replaced'),
      ...problems(400, 401, 403, 404, 412, 413, 415),
    },
  });
  const patch = operation(spec.tag, {
    operationId: `patch${one}`,
    method: 'patch',
    path: item,
    summary: `Patch a ${noun}`,
    description: `RFC 6902 JSON Patch over the writable fields of a ${noun} (writer or owner). Honours \`If-Match\`.`,
    request: {
      params: ItemParams,
      headers: IfMatchHeaders,
      body: patchBody(JsonPatchSchema, `Paths: the fields of the ${noun} input`),
    },
    responses: {
      200: taggedResponse(spec.output, 'Patched'),
      ...problems(400, 401, 403, 404, 409, 412, 413, 415, 422),
    },
  });
  const remove = operation(spec.tag, {
    operationId: `delete${one}`,
    method: 'delete',
    path: item,
    summary: `Delete a ${noun}`,
    description: `Deletes a ${noun} and its metadata (writer or owner). Honours \`If-Match\`.`,
    request: { params: ItemParams, headers: IfMatchHeaders },
    responses: { 204: { description: 'Deleted' }, ...problems(400, 401, 403, 404, 412) },
  });

  /** The model and child the path names. */
  const refOf = (params: Record<string, string>) => ({
    threatModelId: params.tm!,
    id: params[spec.idParam]!,
  });

  return createRouter()
    .openapi(list, async (c) => {
      const { limit, offset, sort } = c.req.valid('query');
      const page = await service.list(db, serviceRequest(c), {
        threatModelId: c.req.valid('param').tm,
        page: { limit, offset, sort },
      });
      return c.json(pageOf(page, spec.toJson, { limit, offset }), 200);
    })
    .openapi(create, async (c) => {
      const row = await service.create(db, serviceRequest(c), {
        threatModelId: c.req.valid('param').tm,
        input: c.req.valid('json'),
      });
      return c.json(spec.toJson(row) as never, 201, etag(row.version));
    })
    .openapi(get, async (c) => {
      const ref = refOf(c.req.valid('param') as Record<string, string>);
      const row = await service.get(db, serviceRequest(c), ref);
      return c.json(spec.toJson(row) as never, 200, etag(row.version));
    })
    .openapi(put, async (c) => {
      const row = await service.replace(db, serviceRequest(c), {
        ...refOf(c.req.valid('param') as Record<string, string>),
        ifMatch: parseIfMatch(c),
        input: c.req.valid('json'),
      });
      return c.json(spec.toJson(row) as never, 200, etag(row.version));
    })
    .openapi(patch, async (c) => {
      const row = await service.patch(db, serviceRequest(c), {
        ...refOf(c.req.valid('param') as Record<string, string>),
        ifMatch: parseIfMatch(c),
        patch: c.req.valid('json'),
      });
      return c.json(spec.toJson(row) as never, 200, etag(row.version));
    })
    .openapi(remove, async (c) => {
      await service.remove(db, serviceRequest(c), {
        ...refOf(c.req.valid('param') as Record<string, string>),
        ifMatch: parseIfMatch(c),
      });
      return c.body(null, 204);
    });
}
