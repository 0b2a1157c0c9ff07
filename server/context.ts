import type { Logger } from 'pino';
import type { LiveDiagrams } from '../collab';
import type { DbHandle } from '../db';
import type { UserRow } from '../db/repositories/users.repository';
import type { TokenScope } from '../db/schema/enums';
import type { Config } from './config';
import type { Metrics } from './metrics';
import type { RateLimits } from './rate-limits';

/** How the caller proved who they are; CSRF checks apply only to cookie sessions. */
export type AuthMethod = 'session' | 'token';

/** Who is calling: the user and the credential they proved it with. */
export interface Caller {
  user: UserRow;
  method: AuthMethod;
  /** For sessions: the session id (sha256 of the cookie token). */
  sessionId?: string;
  /** For API tokens: the token's scope. */
  scope?: TokenScope;
  /** For API tokens: the token's id (live collab connections re-check it still exists). */
  tokenId?: string;
}

/** Declared by collab (its public face); re-exported for the services that take it. */
export type { LiveDiagrams };

/**
 * One API call as a service sees it: the caller plus the request it came in on (request id
 * and client address, which every audit entry records). Every service function takes it as
 * its second argument, `(deps, request, input)`; handlers build it with `serviceRequest(c)`.
 */
export interface ServiceRequest extends Caller {
  requestId: string | null;
  ip: string | null;
}

/** Everything `createApp` needs; tests build it with a test database. */
export interface AppDeps {
  config: Config;
  db: DbHandle;
  logger: Logger;
  live: LiveDiagrams;
  /** Sign-in, sign-up, token, ticket and upgrade limits (Redis-backed when REDIS_URL is set). */
  limits: RateLimits;
  /** This process's Prometheus registry (shared with the collab server it hosts). */
  metrics: Metrics;
}

/**
 * What `createApp` takes: without `limits` it counts in this process's memory; without
 * `metrics` it keeps a registry of its own.
 */
export type AppInput = Omit<AppDeps, 'limits' | 'metrics'> &
  Partial<Pick<AppDeps, 'limits' | 'metrics'>>;

export interface AppEnv {
  Variables: {
    requestId: string;
    logger: Logger;
    caller: Caller | null;
    deps: AppDeps;
  };
}
