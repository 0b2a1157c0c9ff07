import { z } from '@hono/zod-openapi';
import { PRINCIPAL_TYPES, ROLES } from '../../db/schema/enums';
import type { AppDeps } from '../context';
import { serviceRequest } from '../http';
import { createRouter, jsonBody, jsonResponse, operation, problems } from '../openapi';
import { GrantSchema, toGrant } from '../schemas/threat-models.schemas';
import * as service from '../services/access.service';

const ModelParams = z.object({ tm: z.uuid().openapi({ description: 'Threat model id' }) });

/** A principal in the path: a user or team id, or `*` for everyone (and only for everyone). */
const PrincipalParams = ModelParams.extend({
  principal_type: z.enum(PRINCIPAL_TYPES),
  principal_id: z
    .union([z.uuid(), z.literal('*')])
    .openapi({ description: 'User or team id; `*` for everyone' }),
}).refine((p) => (p.principal_type === 'everyone') === (p.principal_id === '*'), {
  path: ['principal_id'],
  message: 'use * with everyone and an id with user or team',
});

const list = operation('access', {
  operationId: 'listGrants',
  method: 'get',
  path: '/',
  summary: 'List grants',
  description: "The threat model's grants, owners first. Any role may read them.",
  request: { params: ModelParams },
  responses: {
    200: jsonResponse(z.object({ items: z.array(GrantSchema) }), 'Grants'),
    ...problems(400, 401, 404),
  },
});

const put = operation('access', {
  operationId: 'setGrant',
  method: 'put',
  path: '/{principal_type}/{principal_id}',
  summary: 'Grant a role',
  description:
    'Grants a role to a user, a team or everyone (owner only): 201 for a new grant, 200 when changed or unchanged. ' +
    'Demoting the last owner user is a 409. Hand-over: grant owner to the new owner, then the old owner steps down. Everyone cannot be owner (400).',
  request: {
    params: PrincipalParams,
    body: jsonBody(z.object({ role: z.enum(ROLES) })),
  },
  responses: {
    200: jsonResponse(GrantSchema, 'Changed (or already so)'),
    201: jsonResponse(GrantSchema, 'Granted'),
    ...problems(400, 401, 403, 404, 409, 413, 415),
  },
});

const remove = operation('access', {
  operationId: 'deleteGrant',
  method: 'delete',
  path: '/{principal_type}/{principal_id}',
  summary: 'Remove a grant',
  description:
    "Removes a principal's grant (owner only). The last owner user cannot be removed (409).",
  request: { params: PrincipalParams },
  responses: { 204: { description: 'Removed' }, ...problems(400, 401, 403, 404, 409) },
});

/** `/api/threat_models/{tm}/access…`. */
export function accessRoutes(deps: AppDeps) {
  const db = deps.db.db;
  return createRouter()
    .openapi(list, async (c) => {
      const grants = await service.listAccess(db, serviceRequest(c), {
        threatModelId: c.req.valid('param').tm,
      });
      return c.json({ items: grants.map(toGrant) }, 200);
    })
    .openapi(put, async (c) => {
      const { tm, principal_type, principal_id } = c.req.valid('param');
      const result = await service.putAccess(db, serviceRequest(c), {
        threatModelId: tm,
        principal: { type: principal_type, id: principal_id },
        role: c.req.valid('json').role,
      });
      // Live connections of the model follow at once (a demoted writer becomes read-only).
      deps.live.accessChanged({ threatModelId: tm });
      const body = toGrant({
        grant: result.grant,
        userName: principal_type === 'user' ? result.displayName : null,
        userEmail: result.email,
        teamName: principal_type === 'team' ? result.displayName : null,
      });
      return result.created ? c.json(body, 201) : c.json(body, 200);
    })
    .openapi(remove, async (c) => {
      const { tm, principal_type, principal_id } = c.req.valid('param');
      await service.deleteAccess(db, serviceRequest(c), {
        threatModelId: tm,
        principal: { type: principal_type, id: principal_id },
      });
      deps.live.accessChanged({ threatModelId: tm });
      return c.body(null, 204);
    });
}
