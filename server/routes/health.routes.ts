import { z } from '@hono/zod-openapi';
import type { AppDeps } from '../context';
import { ProblemError } from '../errors';
import { BAD_TOKEN, createRouter, jsonResponse, operation, problems, PUBLIC } from '../openapi';

const health = operation('system', {
  operationId: 'getHealth',
  method: 'get',
  path: '/health',
  summary: 'Liveness probe',
  description:
    'Answers 200 as long as the process serves HTTP; it does not touch the database. Use it as a liveness probe (restart when it fails).',
  security: PUBLIC,
  responses: {
    200: jsonResponse(z.object({ status: z.literal('ok') }), 'Alive'),
    401: BAD_TOKEN,
  },
});

const ready = operation('system', {
  operationId: 'getReadiness',
  method: 'get',
  path: '/ready',
  summary: 'Readiness probe',
  description:
    'Answers 200 with the database driver when the database answers a ping, else 503 problem+json with `Retry-After`. Use it as a readiness probe (send no traffic while it fails).',
  security: PUBLIC,
  responses: {
    200: jsonResponse(z.object({ status: z.literal('ready'), database: z.string() }), 'Ready'),
    401: BAD_TOKEN,
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
