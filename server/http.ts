import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import type { Actor, AppEnv, Caller } from './context';
import { badRequest, preconditionFailed } from './errors';

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

/** The audit actor for this request. */
export function actorOf(c: Context<AppEnv>, caller: Caller): Actor {
  return { userId: caller.user.id, requestId: c.get('requestId'), ip: clientIp(c) };
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

/** Sets `ETag: "<version>"` on the response. */
export function setEtag(c: Context<AppEnv>, version: number): void {
  c.header('ETag', `"${version}"`);
}
