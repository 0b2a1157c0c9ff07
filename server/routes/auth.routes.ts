import { createRoute, z } from '@hono/zod-openapi';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../auth/passwords';
import { invalidateSession } from '../auth/sessions';
import type { AppDeps } from '../context';
import { clientIp } from '../http';
import { clearSessionCookie, setSessionCookie } from '../middleware/authentication';
import { createRouter, jsonBody, jsonResponse, problems } from '../openapi';
import { createAuthService } from '../services/auth.service';
import { toUser, UserSchema } from './serializers';

const Email = z.email().max(320).openapi({ example: 'ada@example.com' });
const Password = z.string().max(MAX_PASSWORD_LENGTH);

const signup = createRoute({
  method: 'post',
  path: '/signup',
  tags: ['auth'],
  summary: 'Create an account and sign in',
  request: {
    body: jsonBody(
      z.object({
        email: Email,
        name: z.string().trim().min(1).max(256),
        password: Password.min(MIN_PASSWORD_LENGTH, `at least ${MIN_PASSWORD_LENGTH} characters`),
      }),
    ),
  },
  responses: {
    201: jsonResponse(UserSchema, 'Signed up; the session cookie is set'),
    ...problems(400, 403, 409, 413, 415, 429),
  },
});

const login = createRoute({
  method: 'post',
  path: '/login',
  tags: ['auth'],
  summary: 'Sign in with e-mail and password',
  request: { body: jsonBody(z.object({ email: Email, password: Password.min(1) })) },
  responses: {
    200: jsonResponse(UserSchema, 'Signed in; the session cookie is set'),
    ...problems(400, 401, 403, 413, 415, 429),
  },
});

const logout = createRoute({
  method: 'post',
  path: '/logout',
  tags: ['auth'],
  summary: 'End the current session',
  responses: {
    204: { description: 'Signed out (also when no session was open)' },
    ...problems(403),
  },
});

export function authRoutes(deps: AppDeps) {
  const auth = createAuthService(deps.db, deps.limits);
  return createRouter()
    .openapi(signup, async (c) => {
      const signedIn = await auth.signUp({ ...c.req.valid('json'), ip: clientIp(c) });
      setSessionCookie(c, signedIn.token, signedIn.expiresAt);
      return c.json(toUser(signedIn.user), 201);
    })
    .openapi(login, async (c) => {
      const signedIn = await auth.logIn({ ...c.req.valid('json'), ip: clientIp(c) });
      setSessionCookie(c, signedIn.token, signedIn.expiresAt);
      return c.json(toUser(signedIn.user), 200);
    })
    .openapi(logout, async (c) => {
      const caller = c.get('caller');
      if (caller?.sessionId) {
        await invalidateSession(deps.db.db, caller.sessionId);
        deps.live.accessChanged({ userId: caller.user.id });
      }
      clearSessionCookie(c);
      return c.body(null, 204);
    });
}
