import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Config } from '../config';
import type { AppEnv } from '../context';
import { bodyTooLarge, forbidden, ProblemError } from '../errors';
import { forwardedHeadersTrusted } from '../http';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The origin this request was addressed to, honouring X-Forwarded-* only when
 * `forwardedTrusted` (the socket peer is one of our proxies, see server/proxy-trust.ts).
 */
export function requestOrigin(url: string, headers: Headers, forwardedTrusted: boolean): string {
  const u = new URL(url);
  if (forwardedTrusted) {
    const proto = headers.get('x-forwarded-proto')?.split(',')[0]?.trim();
    const host = headers.get('x-forwarded-host')?.split(',')[0]?.trim();
    if (proto || host) return `${proto ?? u.protocol.replace(':', '')}://${host ?? u.host}`;
  }
  return `${u.protocol}//${headers.get('host') ?? u.host}`;
}

/** Origins accepted for cookie-authenticated requests besides the request's own. */
export function allowedOrigins(config: Config): Set<string> {
  const list = config.ALLOWED_ORIGINS.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (config.PUBLIC_URL) list.push(new URL(config.PUBLIC_URL).origin);
  return new Set(list);
}

/**
 * CSRF guard: a state-changing request that carries the session cookie must come from our
 * own origin. Bearer requests are exempt (a browser never attaches them by itself). A request
 * without Origin is not a cross-site browser request (browsers send Origin on every
 * cross-origin non-GET), so it passes.
 */
export function originCheck(config: Config): MiddlewareHandler<AppEnv> {
  const extra = allowedOrigins(config);
  return async (c, next) => {
    if (!SAFE_METHODS.has(c.req.method) && !c.req.header('authorization')) {
      const origin = c.req.header('origin');
      if (origin !== undefined) {
        const own = requestOrigin(c.req.url, c.req.raw.headers, forwardedHeadersTrusted(c));
        if (origin !== own && !extra.has(origin)) {
          throw forbidden('Cross-origin request refused (Origin does not match this site).');
        }
      }
    }
    await next();
  };
}

/** Bodies must be JSON (or JSON Patch); anything else is 415 before a validator sees it. */
export function requireJsonBodies(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const hasBody =
      !SAFE_METHODS.has(c.req.method) &&
      (Number(c.req.header('content-length') ?? 0) > 0 || c.req.header('transfer-encoding'));
    if (hasBody) {
      const type = c.req.header('content-type')?.split(';')[0]?.trim().toLowerCase();
      if (type !== 'application/json' && type !== 'application/json-patch+json') {
        throw new ProblemError(
          415,
          'unsupported_media_type',
          'Send the body as application/json (PATCH: application/json-patch+json).',
        );
      }
    }
    await next();
  };
}

const DIAGRAM_PUT = /^\/api\/threat_models\/[^/]+\/diagrams\/[^/]+$/;

/** 1 MiB per body, 16 MiB for a diagram PUT (a whole diagram's cells) and for an import. */
export function bodyLimits(config: Config): MiddlewareHandler<AppEnv> {
  const onError = () => {
    throw bodyTooLarge();
  };
  const normal = bodyLimit({ maxSize: config.BODY_LIMIT_BYTES, onError });
  const diagram = bodyLimit({ maxSize: config.DIAGRAM_BODY_LIMIT_BYTES, onError });
  const importFile = bodyLimit({ maxSize: config.IMPORT_BODY_LIMIT_BYTES, onError });
  return (c, next) =>
    (c.req.method === 'PUT' && DIAGRAM_PUT.test(c.req.path)
      ? diagram
      : c.req.method === 'POST' && c.req.path === '/api/threat_models/import'
        ? importFile
        : normal)(c, next);
}
