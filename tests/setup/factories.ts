import type { Executor } from '../../db';
import * as usersRepo from '../../db/repositories/users.repository';
import { hashPassword } from '../../server/auth/passwords';
import { createSession, generateSessionToken, SESSION_COOKIE } from '../../server/auth/sessions';

let counter = 0;

/** Factories that create data through the real repositories and auth modules. */
export function createFactories(db: Executor) {
  return {
    /** A user; pass `password` to be able to sign in with it (hashing costs ~50 ms). */
    async newUser(input: { name?: string; email?: string; password?: string } = {}) {
      const n = ++counter;
      const user = await usersRepo.insertUser(db, {
        email: (
          input.email ?? `user${n}-${Math.random().toString(36).slice(2, 8)}@example.com`
        ).toLowerCase(),
        name: input.name ?? `User ${n}`,
        passwordHash: input.password ? await hashPassword(input.password) : null,
      });
      if (!user) throw new Error('newUser: duplicate e-mail');
      const token = generateSessionToken();
      await createSession(db, token, user.id);
      return { ...user, cookie: `${SESSION_COOKIE}=${token}` };
    },
  };
}

export type TestUser = Awaited<ReturnType<ReturnType<typeof createFactories>['newUser']>>;
