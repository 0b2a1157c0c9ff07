import type { DbHandle } from '../../db';
import * as usersRepo from '../../db/repositories/users.repository';
import type { UserRow } from '../../db/repositories/users.repository';
import type { Config } from '../config';
import { hashPassword, verifyPassword } from '../auth/passwords';
import { createSession, generateSessionToken } from '../auth/sessions';
import { FailureThrottle } from '../auth/throttle';
import { conflict, ProblemError, tooManyRequests } from '../errors';

export interface SignedIn {
  user: UserRow;
  token: string;
  expiresAt: Date;
}

/**
 * Sign-up and sign-in with per-IP and per-account throttling of failed sign-ins. The one
 * service built as a factory: the throttles are state kept per process. Its calls come before
 * anyone is signed in, so they take their input only (the client address included).
 */
export function createAuthService(db: DbHandle, config: Config) {
  const windowMs = config.LOGIN_WINDOW_SECONDS * 1000;
  const byAccount = new FailureThrottle(config.LOGIN_MAX_FAILURES_PER_ACCOUNT, windowMs);
  const byIp = new FailureThrottle(config.LOGIN_MAX_FAILURES_PER_IP, windowMs);

  async function startSession(user: UserRow): Promise<SignedIn> {
    const token = generateSessionToken();
    const session = await createSession(db.db, token, user.id);
    return { user, token, expiresAt: session.expiresAt };
  }

  return {
    async signUp(input: { email: string; name: string; password: string }): Promise<SignedIn> {
      const user = await usersRepo.insertUser(db.db, {
        email: input.email.toLowerCase(),
        name: input.name,
        passwordHash: await hashPassword(input.password),
      });
      if (!user) throw conflict('email_taken', 'An account with this e-mail already exists.');
      return startSession(user);
    },

    /** 401 for any mismatch, the same whether or not the e-mail exists; 429 once throttled. */
    async logIn(input: { email: string; password: string; ip: string }): Promise<SignedIn> {
      const { ip } = input;
      const email = input.email.toLowerCase();
      const wait = Math.max(byAccount.retryAfterSeconds(email), byIp.retryAfterSeconds(ip));
      if (wait > 0) throw tooManyRequests(wait);
      const user = await usersRepo.findUserByEmail(db.db, email);
      const ok = await verifyPassword(user?.passwordHash ?? null, input.password);
      if (!user || !ok) {
        byAccount.recordFailure(email);
        byIp.recordFailure(ip);
        throw new ProblemError(401, 'invalid_credentials', 'The e-mail or password is wrong.');
      }
      byAccount.reset(email);
      await usersRepo.recordLogin(db.db, user.id);
      return startSession(user);
    },
  };
}
