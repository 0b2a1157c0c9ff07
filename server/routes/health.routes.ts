import { createRoute, z } from '@hono/zod-openapi';
import type { AppDeps } from '../context';
import { ProblemError } from '../errors';
import { createRouter, jsonResponse, problems } from '../openapi';

const health = createRoute({
  method: 'get',
  path: '/health',
  tags: ['system'],
  summary: 'Liveness: the process answers',
  responses: { 200: jsonResponse(z.object({ status: z.literal('ok') }), 'Alive') },
});

const ready = createRoute({
  method: 'get',
  path: '/ready',
  tags: ['system'],
  summary: 'Readiness: the database answers',
  responses: {
    200: jsonResponse(z.object({ status: z.literal('ready'), database: z.string() }), 'Ready'),
    ...problems(503),
  },
});

export function healthRoutes(deps: AppDeps) {
  return createRouter()
    .openapi(health, (c) => c.json({ status: 'ok' as const }, 200))
    .openapi(ready, async (c) => {
      try {
        await deps.db.ping();
      } catch {
        throw new ProblemError(503, 'not_ready', 'The database is not reachable.', undefined, {
          'Retry-After': String(deps.config.DATABASE_RETRY_AFTER_SECONDS),
        });
      }
      return c.json({ status: 'ready' as const, database: deps.db.driver }, 200);
    });
}
