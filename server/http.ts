import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import type { AppEnv, ServiceRequest } from './context';
import { badRequest, preconditionFailed } from './errors';
import { requireCaller } from './middleware/authentication';

/** The client's address: the socket peer, or X-Forwarded-For's first hop behind a trusted proxy. */
export function clientIp(c: Context<AppEnv>): string {
  if (c.get('deps').config.TRUST_PROXY) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
    if (forwarded) return forwarded;
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * The signed-in caller and the request they came in on, as every service takes it: 401 when
 * nobody is signed in, 403 when a read-only token tries to write.
 */
export function serviceRequest(c: Context<AppEnv>): ServiceRequest {
  return { ...requireCaller(c), requestId: c.get('requestId'), ip: clientIp(c) };
}

/**
 * The version an `If-Match` header asks for (`"3"`, `W/"3"` or `*`), or undefined when the
 * header is absent or `*`. A malformed header is a 400, not silently ignored.
 */
export function parseIfMatch(c: Context<AppEnv>): number | undefined {
  const header = c.req.header('if-match')?.trim();
  if (!header || header === '*') return undefined;
  const match = /^(?:W\/)?"(\d{1,9})"$/.exec(header);
  if (!match) throw badRequest('If-Match must be an entity tag like "3".');
  return Number(match[1]);
}

/** Throws 412 when the caller asked for a version other than `current`. */
export function assertVersion(expected: number | undefined, current: number): void {
  if (expected !== undefined && expected !== current) throw preconditionFailed(current);
}

/** `ETag: "<version>"`, as the headers argument of `c.json(body, status, etag(version))`. */
export function etag(version: number): { ETag: string } {
  return { ETag: `"${version}"` };
}

/** A list response: one page of `items` mapped to JSON, with the paging the caller asked for. */
export function pageOf<Row, Out>(
  page: { items: readonly Row[]; total: number },
  toJson: (row: Row) => Out,
  window: { limit: number; offset: number },
) {
  return {
    items: page.items.map(toJson),
    total: page.total,
    limit: window.limit,
    offset: window.offset,
  };
}
