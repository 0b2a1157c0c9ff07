import type { Context, MiddlewareHandler } from 'hono';
import { setCookie } from 'hono/cookie';
import type { Config } from '../config';
import type { AppEnv, Caller } from '../context';
import { authenticate } from '../auth/authenticate';
import { SESSION_COOKIE } from '../auth/sessions';
import { forbidden, unauthorized } from '../errors';
import { forwardedHeadersTrusted } from '../http';

/** Resolves the caller (if any) for every API request; never rejects by itself. */
export function resolveCaller(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const { db } = c.get('deps');
    const result = await authenticate(db.db, {
      authorization: c.req.header('authorization'),
      cookie: c.req.header('cookie'),
    });
    if (c.req.header('authorization') && !result)
      throw unauthorized('The API token is invalid or expired.');
    if (result) {
      c.set('caller', result.caller);
      if (result.renewedSession) {
        setSessionCookie(c, result.renewedSession.token, result.renewedSession.expiresAt);
      }
    }
    await next();
  };
}

/** The signed-in caller, or a 401. Read-scoped tokens may only read. */
export function requireCaller(c: Context<AppEnv>): Caller {
  const caller = c.get('caller');
  if (!caller) throw unauthorized();
  if (caller.scope === 'read' && !['GET', 'HEAD', 'OPTIONS'].includes(c.req.method)) {
    throw forbidden('This API token is read-only.');
  }
  return caller;
}

/** Whether the session cookie goes out with `Secure` (and so whether HSTS is sent). */
export function isSecure(c: Context<AppEnv>, config: Config): boolean {
  if (config.COOKIE_SECURE !== 'auto') return config.COOKIE_SECURE === 'true';
  const proto = c.req.header('x-forwarded-proto')?.split(',')[0]?.trim();
  if (proto === 'https' && forwardedHeadersTrusted(c)) return true;
  return new URL(c.req.url).protocol === 'https:';
}

export function setSessionCookie(c: Context<AppEnv>, token: string, expiresAt: Date): void {
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'Lax',
    secure: isSecure(c, c.get('deps').config),
    path: '/',
    expires: expiresAt,
  });
}

export function clearSessionCookie(c: Context<AppEnv>): void {
  setCookie(c, SESSION_COOKIE, '', {
    httpOnly: true,
    sameSite: 'Lax',
    secure: isSecure(c, c.get('deps').config),
    path: '/',
    maxAge: 0,
  });
}
