import type { MiddlewareHandler } from 'hono';
import type { AppDeps, AppEnv } from '../context';

const INCOMING_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Gives every request an id (the caller's X-Request-Id when well-formed), a child logger
 * bound to it, and one JSON access-log line. Only the path is logged: query strings may
 * carry tickets, and headers may carry credentials.
 */
export function requestContext(deps: AppDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const incoming = c.req.header('x-request-id');
    const requestId = incoming && INCOMING_ID.test(incoming) ? incoming : crypto.randomUUID();
    const logger = deps.logger.child({ request_id: requestId });
    c.set('requestId', requestId);
    c.set('logger', logger);
    c.set('deps', deps);
    c.set('caller', null);
    const started = performance.now();
    await next();
    c.header('X-Request-Id', requestId);
    logger.info(
      {
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        duration_ms: Math.round((performance.now() - started) * 10) / 10,
        user_id: c.get('caller')?.user.id,
      },
      'request',
    );
  };
}
