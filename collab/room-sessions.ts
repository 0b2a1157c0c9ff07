import type { Logger } from 'pino';
import type { Executor } from '../db';
import * as collabRepo from '../db/repositories/collaboration.repository';
import type { Role } from '../model/roles';
import { backoffMs } from './db-errors';

export interface RoomSessionsOptions {
  db: Executor;
  logger: Logger;
  diagramId: string;
  threatModelId: string;
  /**
   * Standalone node: when this room empties, the session ends and every remaining
   * participant row (e.g. a REST-only join) is closed. With other nodes sharing rooms, the
   * session ends only once no participant row is active anywhere.
   */
  standalone: boolean;
  /** Runs inside the chain after the session ended (auto version on session end). */
  onSessionEnded: () => Promise<void>;
}

/** Attempts per database operation before it is logged and skipped (≈15 s of retries). */
const MAX_ATTEMPTS = 8;

/**
 * Keeps `collaboration_sessions` and `session_participants` in step with a room's
 * connections: the session opens with the first participant and closes with the last; a
 * user's participant row opens with their first connection and closes with their last.
 * Database writes run one after another in arrival order (a leave never overtakes its join)
 * and retry through short outages.
 */
export class RoomSessions {
  private chain: Promise<void> = Promise.resolve();
  private sessionId: string | null = null;
  private connectionsByUser = new Map<string, number>();
  private queued = 0;

  constructor(private readonly options: RoomSessionsOptions) {}

  /** A connection of `userId` joined the room. */
  join(userId: string, role: Role): void {
    const n = this.connectionsByUser.get(userId) ?? 0;
    this.connectionsByUser.set(userId, n + 1);
    if (n > 0) return;
    this.enqueue('join', async () => {
      const sessionId = await this.ensureSession();
      await collabRepo.joinSession(this.options.db, { sessionId, userId, role });
    });
  }

  /** A connection of `userId` left; the last one out ends the session. */
  leave(userId: string): void {
    const n = (this.connectionsByUser.get(userId) ?? 1) - 1;
    if (n > 0) {
      this.connectionsByUser.set(userId, n);
      return;
    }
    this.connectionsByUser.delete(userId);
    this.enqueue('leave', async () => {
      if (this.sessionId) await collabRepo.leaveSession(this.options.db, this.sessionId, userId);
    });
    if (this.connectionsByUser.size === 0) this.enqueue('end', () => this.endSession());
  }

  /** Resolves when every queued session write has been attempted. */
  settled(): Promise<void> {
    return this.chain;
  }

  /** True while session writes are queued or running. */
  get busy(): boolean {
    return this.queued > 0;
  }

  private async ensureSession(): Promise<string> {
    if (this.sessionId) return this.sessionId;
    const { session } = await collabRepo.openSession(this.options.db, {
      threatModelId: this.options.threatModelId,
      diagramId: this.options.diagramId,
    });
    this.sessionId = session.id;
    return session.id;
  }

  private async endSession(): Promise<void> {
    // Someone re-joined while the leave was queued: the session goes on.
    if (this.connectionsByUser.size > 0 || !this.sessionId) return;
    if (this.options.standalone) await collabRepo.leaveSessionAll(this.options.db, this.sessionId);
    const ended = await collabRepo.endSessionIfEmpty(this.options.db, this.sessionId);
    this.sessionId = null;
    if (ended) await this.options.onSessionEnded();
  }

  private enqueue(what: string, op: () => Promise<void>): void {
    this.queued++;
    this.chain = this.chain.then(async () => {
      try {
        for (let attempt = 0; ; attempt++) {
          try {
            await op();
            return;
          } catch (err) {
            if (attempt + 1 >= MAX_ATTEMPTS) {
              this.options.logger.error(
                { err, diagramId: this.options.diagramId, what },
                'could not record collaboration session change',
              );
              return;
            }
            await new Promise((r) => setTimeout(r, backoffMs(attempt, 200, 4_000)));
          }
        }
      } finally {
        this.queued--;
      }
    });
  }
}
