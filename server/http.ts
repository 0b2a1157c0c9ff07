import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import type { AppEnv, ServiceRequest } from './context';
import { badRequest, preconditionFailed } from './errors';
import { requireCaller } from './middleware/authentication';
import { clientAddress, peerIsTrustedProxy, proxyTrustOf } from './proxy-trust';

/** The socket peer's address; undefined for in-process requests (tests' `app.request`). */
export function socketAddress(c: Context<AppEnv>): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined;
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
 * The client's address for throttling and audit: the first hop from the right of
 * socket peer + X-Forwarded-For that is not one of our proxies (TRUST_PROXY).
 */
export function clientIp(c: Context<AppEnv>): string {
  const trust = proxyTrustOf(c.get('deps').config);
  return clientAddress(socketAddress(c), c.req.header('x-forwarded-for'), trust);
}

/** Whether X-Forwarded-Proto/Host on this request come from our own proxy. */
export function forwardedHeadersTrusted(c: Context<AppEnv>): boolean {
  return peerIsTrustedProxy(socketAddress(c), proxyTrustOf(c.get('deps').config));
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
