import type { Executor } from '../../db';
import * as tokensRepo from '../../db/repositories/api-tokens.repository';
import type { Caller } from '../context';
import { SESSION_COOKIE, validateSessionToken, type ValidatedSession } from './sessions';
import { hashSecret } from './tokens';

export const API_TOKEN_PREFIX = 'trt_';

/** Reads one cookie from a Cookie header without pulling in a parser for the whole header. */
export function readCookie(header: string | null | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export interface AuthResult {
  caller: Caller;
  /** Set when a cookie session slid forward and the cookie should be re-sent. */
  renewedSession?: ValidatedSession & { token: string };
}

/**
 * Turns request credentials into a caller: a Bearer API token wins over the session cookie.
 * Returns null for no or invalid credentials. Used by the REST middleware and the collab
 * upgrade, so both runtimes authenticate the same way.
 */
export async function authenticate(
  db: Executor,
  headers: { authorization?: string | null; cookie?: string | null },
): Promise<AuthResult | null> {
  const authz = headers.authorization;
  if (authz) {
    const match = /^Bearer\s+(\S+)$/i.exec(authz);
    if (!match?.[1]?.startsWith(API_TOKEN_PREFIX)) return null;
    const found = await tokensRepo.findLiveApiTokenWithUser(db, hashSecret(match[1]));
    if (!found) return null;
    await tokensRepo.touchApiToken(db, found.token.id);
    return {
      caller: {
        user: found.user,
        method: 'token',
        scope: found.token.scope,
        tokenId: found.token.id,
      },
    };
  }
  const token = readCookie(headers.cookie, SESSION_COOKIE);
  if (!token || token.length > 128) return null;
  const session = await validateSessionToken(db, token);
  if (!session) return null;
  return {
    caller: { user: session.user, method: 'session', sessionId: session.sessionId },
    renewedSession: session.renewed ? { ...session, token } : undefined,
  };
}
