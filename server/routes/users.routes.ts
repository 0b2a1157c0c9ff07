import { z } from '@hono/zod-openapi';
import type { AppDeps } from '../context';
import { serviceRequest } from '../http';
import { createRouter, jsonResponse, operation, problems } from '../openapi';
import * as service from '../services/users.service';
import { toUserSummary, UserSummarySchema } from './serializers';

const lookUp = operation('users', {
  operationId: 'searchUsers',
  method: 'get',
  path: '/',
  summary: 'Look up users to share with',
  description:
    'Users whose name or e-mail contains `q` (at most 50, by name), among people the caller already shares a threat model or a team with, plus the one account whose e-mail is exactly `q`. Nobody else is revealed. ' +
    'Searches only the people the caller already shares a model or a team with (everyone-' +
    'grants do not count), plus the account whose e-mail is exactly `q`. A bounded look-up, ' +
    'not a paged list: at most `limit` (default 20, max 50) matches.',
  request: {
    query: z.object({
      q: z.string().trim().min(1).max(256),
      limit: z.coerce.number().int().min(1).max(50).default(20),
    }),
  },
  responses: {
    200: jsonResponse(
      z.object({ items: z.array(UserSummarySchema) }).openapi('UserLookUp'),
      'Matches',
    ),
    ...problems(400, 401),
  },
});

/** `/api/users?q=`. */
export function usersRoutes(deps: AppDeps) {
  const db = deps.db.db;
  return createRouter().openapi(lookUp, async (c) => {
    const rows = await service.lookUpUsers(db, serviceRequest(c), c.req.valid('query'));
    return c.json({ items: rows.map(toUserSummary) }, 200);
  });
}
