import type { DbHandle } from '../../db';
import * as usersRepo from '../../db/repositories/users.repository';
import type { UserRow } from '../../db/repositories/users.repository';
import { hashPassword, verifyPassword } from '../auth/passwords';
import { createSession, generateSessionToken } from '../auth/sessions';
import { conflict, ProblemError, tooManyRequests } from '../errors';
import type { RateLimits } from '../rate-limits';
import { acceptInvitations } from './invitations.service';

export interface SignedIn {
  user: UserRow;
  token: string;
  expiresAt: Date;
}

/**
 * Sign-up (limited per address) and sign-in, whose failures are limited per (account,
 * address) and per address. There is deliberately no per-account limit across addresses:
 * anyone could then lock the owner out by failing on purpose from elsewhere. Its calls come
 * before anyone is signed in, so they take their input only (the client address included).
 */
export function createAuthService(db: DbHandle, limits: RateLimits) {
  async function startSession(user: UserRow): Promise<SignedIn> {
    const token = generateSessionToken();
    const session = await createSession(db.db, token, user.id);
    return { user, token, expiresAt: session.expiresAt };
  }

  return {
    async signUp(input: {
      email: string;
      name: string;
      password: string;
      ip: string;
      requestId: string | null;
    }): Promise<SignedIn> {
      await limits.signupIp.consume(input.ip);
      const passwordHash = await hashPassword(input.password);
      // The account and the grants its pending invitations become commit together.
      const user = await db.db.transaction(async (tx) => {
        const created = await usersRepo.insertUser(tx, {
          email: input.email.toLowerCase(),
          name: input.name,
          passwordHash,
        });
        if (!created) throw conflict('email_taken', 'An account with this e-mail already exists.');
        const request = {
          user: created,
          method: 'session' as const,
          requestId: input.requestId,
          ip: input.ip,
        };
        await acceptInvitations(tx, request, created);
        return created;
      });
      return startSession(user);
    },

    /** 401 for any mismatch, the same whether or not the e-mail exists; 429 once throttled. */
    async logIn(input: { email: string; password: string; ip: string }): Promise<SignedIn> {
      const { ip } = input;
      const email = input.email.toLowerCase();
      const accountIp = `${email}\n${ip}`;
      const [forAccount, forIp] = await Promise.all([
        limits.loginAccountIp.retryAfterSeconds(accountIp),
        limits.loginIp.retryAfterSeconds(ip),
      ]);
      const wait = Math.max(forAccount, forIp);
      if (wait > 0) throw tooManyRequests(wait);
      const user = await usersRepo.findUserByEmail(db.db, email);
      const ok = await verifyPassword(user?.passwordHash ?? null, input.password);
      if (!user || !ok) {
        await Promise.all([limits.loginAccountIp.record(accountIp), limits.loginIp.record(ip)]);
        throw new ProblemError(401, 'invalid_credentials', 'The e-mail or password is wrong.');
      }
      await limits.loginAccountIp.reset(accountIp);
      await usersRepo.recordLogin(db.db, user.id);
      return startSession(user);
    },
  };
}
