import type { Adapter, DatabaseSession, DatabaseUser } from 'lucia';
import type { Executor } from '../../db';
import * as sessionsRepo from '../../db/repositories/sessions.repository';
import { hashSecret } from './tokens';

/**
 * Lucia's database adapter over our sessions repository. Lucia's session id is the secret
 * the cookie carries; this adapter stores and looks up only sha256(id), so a copy of the
 * database holds no usable session. Every id Lucia hands in is hashed here, at the boundary.
 */
export class HashedSessionAdapter implements Adapter {
  constructor(private readonly db: Executor) {}

  async getSessionAndUser(
    sessionId: string,
  ): Promise<[session: DatabaseSession | null, user: DatabaseUser | null]> {
    const found = await sessionsRepo.findLiveSessionWithUser(this.db, hashSecret(sessionId));
    if (!found) return [null, null];
    const { session, user } = found;
    // Lucia keeps speaking of the session by the id it knows (the secret), never the hash.
    return [
      { id: sessionId, userId: session.userId, expiresAt: session.expiresAt, attributes: {} },
      { id: user.id, attributes: user },
    ];
  }

  /**
   * Not offered: the database holds only hashes, so it cannot give back the ids Lucia would
   * expect to pass to the other methods. List a user's sessions through the repository.
   */
  async getUserSessions(): Promise<DatabaseSession[]> {
    throw new Error('HashedSessionAdapter cannot list sessions: only their hashes are stored');
  }

  async setSession(session: DatabaseSession): Promise<void> {
    await sessionsRepo.insertSession(this.db, {
      id: hashSecret(session.id),
      userId: session.userId,
      expiresAt: session.expiresAt,
    });
  }

  async updateSessionExpiration(sessionId: string, expiresAt: Date): Promise<void> {
    await sessionsRepo.extendSession(this.db, hashSecret(sessionId), expiresAt);
  }

  async deleteSession(sessionId: string): Promise<void> {
    await sessionsRepo.deleteSession(this.db, hashSecret(sessionId));
  }

  async deleteUserSessions(userId: string): Promise<void> {
    await sessionsRepo.deleteUserSessions(this.db, userId);
  }

  async deleteExpiredSessions(): Promise<void> {
    await sessionsRepo.deleteExpiredSessions(this.db);
  }
}
