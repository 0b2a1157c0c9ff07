import { z } from '@hono/zod-openapi';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../auth/passwords';
import { invalidateSession } from '../auth/sessions';
import type { AppDeps } from '../context';
import { clientIp } from '../http';
import { clearSessionCookie, setSessionCookie } from '../middleware/authentication';
import {
  createRouter,
  jsonBody,
  jsonResponse,
  operation,
  problem,
  problems,
  PUBLIC,
  BAD_TOKEN,
} from '../openapi';
import { createAuthService } from '../services/auth.service';
import { toUser, UserSchema } from './serializers';

const Email = z.email().max(320).openapi({ example: 'ada@example.com' });
const Password = z.string().max(MAX_PASSWORD_LENGTH);

const signup = operation('auth', {
  operationId: 'signUp',
  method: 'post',
  path: '/signup',
  summary: 'Sign up',
  description:
    'Creates an account and signs it in (sets the session cookie). The e-mail is unique regardless of case (409 when taken); the password needs at least 10 characters. Sign-ups are rate-limited per client address (429 with `Retry-After`).',
  security: PUBLIC,
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
    401: BAD_TOKEN,
    ...problems(400, 403, 409, 413, 415, 429),
  },
});

const login = operation('auth', {
  operationId: 'signIn',
  method: 'post',
  path: '/login',
  summary: 'Sign in',
  description:
    'Signs in with e-mail and password and sets the session cookie (sliding 30-day expiry). A wrong password and an unknown e-mail both answer the same 401. Failures are rate-limited per account and client address (429 with `Retry-After`).',
  security: PUBLIC,
  request: { body: jsonBody(z.object({ email: Email, password: Password.min(1) })) },
  responses: {
    200: jsonResponse(UserSchema, 'Signed in; the session cookie is set'),
    ...problems(400, 403, 413, 415, 429),
    401: problem('Wrong e-mail or password (or an invalid token in Authorization)'),
  },
});

const logout = operation('auth', {
  operationId: 'signOut',
  method: 'post',
  path: '/logout',
  summary: 'Sign out',
  description:
    'Ends the current session and clears the cookie. Answers 204 also when no session was open, so the cookie is optional.',
  // `{}`: the cookie is optional (OpenAPI's "no credentials" alternative).
  security: [{ cookieAuth: [] }, {}],
  responses: {
    204: { description: 'Signed out (also when no session was open)' },
    401: BAD_TOKEN,
    ...problems(403),
  },
});

export function authRoutes(deps: AppDeps) {
  const auth = createAuthService(deps.db, deps.limits);
  return createRouter()
    .openapi(signup, async (c) => {
      const signedIn = await auth.signUp({
        ...c.req.valid('json'),
        ip: clientIp(c),
        requestId: c.get('requestId'),
      });
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
