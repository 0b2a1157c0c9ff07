import { Lucia, TimeSpan } from 'lucia';
import type { Executor } from '../../db';
import * as sessionsRepo from '../../db/repositories/sessions.repository';
import type { UserRow } from '../../db/repositories/users.repository';
import { HashedSessionAdapter } from './hashed-session-adapter';
import { hashSecret, randomSecret } from './tokens';

/**
 * Cookie sessions through Lucia (v3): the cookie carries a random token, which is Lucia's
 * session id; the adapter stores sha256(token) as the row id. Lucia slides the expiry: a
 * session lasts 30 days and is extended by another 30 once less than 15 remain.
 */
export const SESSION_COOKIE = 'threatroom_session';
const SESSION_DAYS = 30;
export const SESSION_TTL_MS = SESSION_DAYS * 24 * 60 * 60 * 1000;

/** Lucia is a thin object over its adapter; one per executor keeps transactions honest. */
function lucia(db: Executor) {
  return new Lucia(new HashedSessionAdapter(db), {
    sessionExpiresIn: new TimeSpan(SESSION_DAYS, 'd'),
    sessionCookie: { name: SESSION_COOKIE },
    getUserAttributes: (user) => user,
  });
}

declare module 'lucia' {
  interface Register {
    Lucia: ReturnType<typeof lucia>;
    /** Lucia hands the whole user row through (getUserAttributes). */
    DatabaseUserAttributes: UserRow;
  }
}

/** 160 random bits, base32: the cookie value and Lucia's session id. */
export function generateSessionToken(): string {
  return randomSecret(20);
}

export async function createSession(db: Executor, token: string, userId: string) {
  const session = await lucia(db).createSession(userId, {}, { sessionId: token });
  return { id: hashSecret(token), userId, expiresAt: session.expiresAt };
}

export interface ValidatedSession {
  /** The stored id: sha256 of the cookie token (what logout and live re-checks use). */
  sessionId: string;
  user: UserRow;
  expiresAt: Date;
  /** True when the expiry moved and the cookie should be sent again. */
  renewed: boolean;
}

export async function validateSessionToken(
  db: Executor,
  token: string,
): Promise<ValidatedSession | null> {
  const { session, user } = await lucia(db).validateSession(token);
  if (!session) return null;
  return {
    sessionId: hashSecret(token),
    user,
    expiresAt: session.expiresAt,
    renewed: session.fresh,
  };
}

/**
 * Ends a session by its stored id (callers hold the hash, never the token after sign-in),
 * so this deletes the row directly rather than through Lucia, which would hash again.
 */
export async function invalidateSession(db: Executor, sessionId: string): Promise<void> {
  await sessionsRepo.deleteSession(db, sessionId);
}
