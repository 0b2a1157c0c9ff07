import type { Executor } from '../../db';
import * as sessionsRepo from '../../db/repositories/sessions.repository';
import type { UserRow } from '../../db/repositories/users.repository';
import { hashSecret, randomSecret } from './tokens';

/**
 * Sessions after Lucia's documented session functions: the cookie carries a random token,
 * the database stores sha256(token) as the session id, expiry slides by 30 days.
 */
export const SESSION_COOKIE = 'threatroom_session';
const DAY_MS = 24 * 60 * 60 * 1000;
export const SESSION_TTL_MS = 30 * DAY_MS;
/** A session is extended once less than this remains, so not every request writes. */
const RENEW_WHEN_LEFT_MS = 15 * DAY_MS;

export function generateSessionToken(): string {
  return randomSecret(20);
}

export async function createSession(db: Executor, token: string, userId: string) {
  return sessionsRepo.insertSession(db, {
    id: hashSecret(token),
    userId,
    expiresAt: new Date(Date.now() + SESSION_TTL_MS),
  });
}

export interface ValidatedSession {
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
  const found = await sessionsRepo.findLiveSessionWithUser(db, hashSecret(token));
  if (!found) return null;
  const { session, user } = found;
  if (session.expiresAt.getTime() - Date.now() < RENEW_WHEN_LEFT_MS) {
    const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
    await sessionsRepo.extendSession(db, session.id, expiresAt);
    return { sessionId: session.id, user, expiresAt, renewed: true };
  }
  return { sessionId: session.id, user, expiresAt: session.expiresAt, renewed: false };
}

export async function invalidateSession(db: Executor, sessionId: string): Promise<void> {
  await sessionsRepo.deleteSession(db, sessionId);
}
