import { z } from '@hono/zod-openapi';
import type { AppDeps } from '../context';
import { serviceRequest } from '../http';
import { createRouter, jsonResponse, operation, problems } from '../openapi';
import * as service from '../services/access.service';

const PersonSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    email: z.string(),
    handle: z.string().openapi({
      description: 'What to write after `@` to mention this person and nobody else',
    }),
  })
  .openapi('MentionablePerson');

const list = operation('access', {
  method: 'get',
  path: '/',
  operationId: 'listMentionablePeople',
  summary: 'List mentionable people',
  description:
    'For @-mention autocomplete; any role may ask. Users with their own grant or a team grant on the model whose name or e-mail contains `q`, by name, the caller left out. An everyone-grant lists nobody (that would be the whole directory).',
  request: {
    params: z.object({ tm: z.uuid() }),
    query: z.object({
      q: z.string().max(100).default(''),
      limit: z.coerce.number().int().min(1).max(20).default(8),
    }),
  },
  responses: {
    200: jsonResponse(z.object({ items: z.array(PersonSchema) }), 'People'),
    ...problems(400, 401, 404),
  },
});

/** `/api/threat_models/{tm}/people`: who a comment on this model can mention. */
export function peopleRoutes(deps: AppDeps) {
  return createRouter().openapi(list, async (c) => {
    const { q, limit } = c.req.valid('query');
    const items = await service.listMentionablePeople(deps.db.db, serviceRequest(c), {
      threatModelId: c.req.valid('param').tm,
      q: q.trim(),
      limit,
    });
    return c.json({ items }, 200);
  });
}
