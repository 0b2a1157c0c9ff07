import { z } from '@hono/zod-openapi';
import type { ApiTokenRow } from '../../db/repositories/api-tokens.repository';
import { TOKEN_SCOPES } from '../../db/schema/enums';
import type { AppDeps } from '../context';
import { serviceRequest } from '../http';
import {
  createRouter,
  jsonBody,
  jsonResponse,
  operation,
  problems,
  SESSION_ONLY,
} from '../openapi';
import * as tokens from '../services/api-tokens.service';
import { iso, toUser, UserSchema } from './serializers';

const ApiTokenSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    prefix: z.string().openapi({ description: 'First characters of the token, for recognition' }),
    scope: z.enum(TOKEN_SCOPES),
    created_at: z.string(),
    expires_at: z.string(),
    last_used_at: z.string().nullable(),
  })
  .openapi('ApiToken');

const CreatedApiTokenSchema = ApiTokenSchema.extend({
  token: z.string().openapi({ description: 'The secret; shown only in this response' }),
}).openapi('CreatedApiToken');

const toApiToken = (row: ApiTokenRow) => ({
  id: row.id,
  name: row.name,
  prefix: row.prefix,
  scope: row.scope,
  created_at: row.createdAt.toISOString(),
  expires_at: row.expiresAt.toISOString(),
  last_used_at: iso(row.lastUsedAt),
});

const getMe = operation('me', {
  operationId: 'getCurrentUser',
  method: 'get',
  path: '/',
  summary: 'Get the signed-in user',
  description: 'The user behind the session cookie or API token of this request.',
  responses: { 200: jsonResponse(UserSchema, 'The caller'), ...problems(401) },
});

const listTokens = operation('me', {
  operationId: 'listApiTokens',
  method: 'get',
  path: '/tokens',
  summary: 'List API tokens',
  description:
    "The caller's API tokens, newest first, without their secrets (a secret is shown only once, at creation).",
  responses: {
    200: jsonResponse(z.object({ items: z.array(ApiTokenSchema) }), 'Tokens, newest first'),
    ...problems(401),
  },
});

const createToken = operation('me', {
  operationId: 'createApiToken',
  method: 'post',
  path: '/tokens',
  summary: 'Create an API token',
  description:
    'Creates a token for `Authorization: Bearer`; the response is the only time its secret is shown. `scope: "read"` tokens may only GET. ' +
    'Needs a signed-in session (an API token cannot create tokens: 403). Every token expires: ' +
    '`expires_in_days` defaults to, and may not exceed, the configured maximum ' +
    '(API_TOKEN_MAX_LIFETIME_DAYS, 365 by default). At most API_TOKEN_MAX_LIVE_PER_USER (50) ' +
    'live tokens per user (409 beyond); creation is rate limited per user (429).',
  security: SESSION_ONLY,
  request: {
    body: jsonBody(
      z.object({
        name: z.string().trim().min(1).max(256),
        expires_in_days: z.number().int().min(1).max(3650).optional(),
        scope: z.enum(TOKEN_SCOPES).optional(),
      }),
    ),
  },
  responses: {
    201: jsonResponse(CreatedApiTokenSchema, 'Created'),
    ...problems(400, 401, 403, 409, 413, 415, 429),
  },
});

const deleteToken = operation('me', {
  operationId: 'deleteApiToken',
  method: 'delete',
  path: '/tokens/{id}',
  summary: 'Revoke an API token',
  description:
    "Revokes one of the caller's tokens at once; someone else's token is 404. " +
    'Needs a signed-in session: an API token cannot revoke tokens (403).',
  security: SESSION_ONLY,
  request: { params: z.object({ id: z.uuid() }) },
  responses: { 204: { description: 'Revoked' }, ...problems(400, 401, 403, 404) },
});

export function meRoutes(deps: AppDeps) {
  const db = deps.db.db;
  const policy = {
    maxLifetimeDays: deps.config.API_TOKEN_MAX_LIFETIME_DAYS,
    maxLivePerUser: deps.config.API_TOKEN_MAX_LIVE_PER_USER,
  };
  return createRouter()
    .openapi(getMe, (c) => c.json(toUser(serviceRequest(c).user), 200))
    .openapi(listTokens, async (c) => {
      const rows = await tokens.listApiTokens(db, serviceRequest(c));
      return c.json({ items: rows.map(toApiToken) }, 200);
    })
    .openapi(createToken, async (c) => {
      const request = serviceRequest(c);
      if (request.method === 'session') await deps.limits.tokenCreateUser.consume(request.user.id);
      const { row, token } = await tokens.createApiToken(db, request, {
        apiToken: c.req.valid('json'),
        policy,
      });
      return c.json({ ...toApiToken(row), token }, 201);
    })
    .openapi(deleteToken, async (c) => {
      const request = serviceRequest(c);
      await tokens.revokeApiToken(db, request, { tokenId: c.req.valid('param').id });
      // Live connections opened with the token close now, not at the next periodic re-check.
      deps.live.accessChanged({ userId: request.user.id });
      return c.body(null, 204);
    });
}
