import { z } from '@hono/zod-openapi';
import { MITIGATION_SORT_FIELDS } from '../../db/repositories/mitigations.repository';
import type { AppDeps } from '../context';
import { etag, pageOf, parseIfMatch, serviceRequest } from '../http';
import { sortParam } from '../list-query';
import { createRouter, jsonBody, listOf, Pagination, problems, operation } from '../openapi';
import {
  MitigationInputSchema,
  MitigationSchema,
  toMitigation,
} from '../schemas/mitigations.schemas';
import * as mitigations from '../services/mitigations.service';
import { IfMatchHeaders, ModelParams, taggedResponse } from './model-scoped';
import { jsonResponse } from '../openapi';

const MitigationParams = ModelParams.extend({ mitigation_id: z.uuid() });
const LinkParams = ModelParams.extend({ threat_id: z.uuid(), mitigation_id: z.uuid() });

const list = operation('mitigations', {
  method: 'get',
  path: '/{tm}/mitigations',
  operationId: 'listMitigations',
  summary: "A threat model's mitigations",
  description: 'Reader+. Each with the ids of the threats it answers.',
  request: {
    params: ModelParams,
    query: Pagination.extend({ sort: sortParam(MITIGATION_SORT_FIELDS, 'created_at:asc') }),
  },
  responses: {
    200: jsonResponse(listOf(MitigationSchema, 'MitigationList'), 'One page'),
    ...problems(400, 401, 404),
  },
});

const create = operation('mitigations', {
  method: 'post',
  path: '/{tm}/mitigations',
  operationId: 'createMitigation',
  summary: 'Create a mitigation',
  description:
    'Writer+. Audited as `mitigation.create`. Link it to threats with PUT …/threats/{id}/mitigations/{mitigation_id}.',
  request: { params: ModelParams, body: jsonBody(MitigationInputSchema) },
  responses: {
    201: taggedResponse(MitigationSchema, 'Created'),
    ...problems(400, 401, 403, 404, 413, 415),
  },
});

const get = operation('mitigations', {
  method: 'get',
  path: '/{tm}/mitigations/{mitigation_id}',
  operationId: 'getMitigation',
  summary: 'A mitigation',
  description: 'Reader+.',
  request: { params: MitigationParams },
  responses: {
    200: taggedResponse(MitigationSchema, 'The mitigation'),
    ...problems(400, 401, 404),
  },
});

const put = operation('mitigations', {
  method: 'put',
  path: '/{tm}/mitigations/{mitigation_id}',
  operationId: 'replaceMitigation',
  summary: 'Replace a mitigation (omitted optional fields are cleared)',
  description:
    'Writer+; honours If-Match. A new status or risk_reduction changes the current and ' +
    'projected risk of every threat it answers, and their live summaries (canvas marks). ' +
    'Audited as `mitigation.update`.',
  request: {
    params: MitigationParams,
    headers: IfMatchHeaders,
    body: jsonBody(MitigationInputSchema),
  },
  responses: {
    200: taggedResponse(MitigationSchema, 'Replaced'),
    ...problems(400, 401, 403, 404, 412, 413, 415),
  },
});

const remove = operation('mitigations', {
  method: 'delete',
  path: '/{tm}/mitigations/{mitigation_id}',
  operationId: 'deleteMitigation',
  summary: 'Delete a mitigation (and its links to threats)',
  description: 'Writer+; honours If-Match. Audited as `mitigation.delete`.',
  request: { params: MitigationParams, headers: IfMatchHeaders },
  responses: { 204: { description: 'Deleted' }, ...problems(400, 401, 403, 404, 412) },
});

const link = operation('mitigations', {
  method: 'put',
  path: '/{tm}/threats/{threat_id}/mitigations/{mitigation_id}',
  operationId: 'linkThreatMitigation',
  summary: 'Record that a mitigation answers a threat',
  description:
    'Writer+. Idempotent (linking twice is one link). Both must belong to the model. ' +
    'Audited as `threat.mitigation.link`.',
  request: { params: LinkParams },
  responses: { 204: { description: 'Linked' }, ...problems(400, 401, 403, 404) },
});

const unlink = operation('mitigations', {
  method: 'delete',
  path: '/{tm}/threats/{threat_id}/mitigations/{mitigation_id}',
  operationId: 'unlinkThreatMitigation',
  summary: 'Remove a mitigation from a threat',
  description:
    'Writer+. Idempotent (204 also when they were not linked). Audited as `threat.mitigation.unlink`.',
  request: { params: LinkParams },
  responses: { 204: { description: 'Unlinked' }, ...problems(400, 401, 403, 404) },
});

/** Mitigations of a threat model and their links to threats. Mounted at /api/threat_models. */
export function mitigationsRoutes(deps: AppDeps) {
  const td = { db: deps.db.db, live: deps.live, logger: deps.logger };
  const refOf = (p: { tm: string; mitigation_id: string }) => ({
    threatModelId: p.tm,
    mitigationId: p.mitigation_id,
  });
  const linkOf = (p: { tm: string; threat_id: string; mitigation_id: string }) => ({
    threatModelId: p.tm,
    threatId: p.threat_id,
    mitigationId: p.mitigation_id,
  });
  return createRouter()
    .openapi(list, async (c) => {
      const { limit, offset, sort } = c.req.valid('query');
      const page = await mitigations.listMitigations(td, serviceRequest(c), {
        threatModelId: c.req.valid('param').tm,
        page: { limit, offset, sort },
      });
      return c.json(pageOf(page, toMitigation, { limit, offset }), 200);
    })
    .openapi(create, async (c) => {
      const view = await mitigations.createMitigation(td, serviceRequest(c), {
        threatModelId: c.req.valid('param').tm,
        input: c.req.valid('json'),
      });
      return c.json(toMitigation(view), 201, etag(view.row.version));
    })
    .openapi(get, async (c) => {
      const view = await mitigations.getMitigation(
        td,
        serviceRequest(c),
        refOf(c.req.valid('param')),
      );
      return c.json(toMitigation(view), 200, etag(view.row.version));
    })
    .openapi(put, async (c) => {
      const view = await mitigations.replaceMitigation(td, serviceRequest(c), {
        ...refOf(c.req.valid('param')),
        ifMatch: parseIfMatch(c),
        input: c.req.valid('json'),
      });
      return c.json(toMitigation(view), 200, etag(view.row.version));
    })
    .openapi(remove, async (c) => {
      await mitigations.deleteMitigation(td, serviceRequest(c), {
        ...refOf(c.req.valid('param')),
        ifMatch: parseIfMatch(c),
      });
      return c.body(null, 204);
    })
    .openapi(link, async (c) => {
      await mitigations.setLink(td, serviceRequest(c), {
        ...linkOf(c.req.valid('param')),
        linked: true,
      });
      return c.body(null, 204);
    })
    .openapi(unlink, async (c) => {
      await mitigations.setLink(td, serviceRequest(c), {
        ...linkOf(c.req.valid('param')),
        linked: false,
      });
      return c.body(null, 204);
    });
}
