import type { Logger } from 'pino';
import type { DbHandle } from '../db';
import type { UserRow } from '../db/repositories/users.repository';
import type { TokenScope } from '../db/schema/enums';
import type { Config } from './config';

/** How the caller proved who they are; CSRF checks apply only to cookie sessions. */
export type AuthMethod = 'session' | 'token';

export interface Caller {
  user: UserRow;
  method: AuthMethod;
  /** For sessions: the session id (sha256 of the cookie token). */
  sessionId?: string;
  /** For API tokens: the token's scope. */
  scope?: TokenScope;
}

/**
 * The live-collaboration surface the REST layer may use. Implemented by collab/; absent when
 * the process runs with --role api (REST then writes through a temporary document).
 */
export interface CollabPort {
  [key: string]: unknown;
}

/** Everything `createApp` needs; tests build it with a test database. */
export interface AppDeps {
  config: Config;
  db: DbHandle;
  logger: Logger;
  collab?: CollabPort;
}

export interface AppEnv {
  Variables: {
    requestId: string;
    logger: Logger;
    caller: Caller | null;
    deps: AppDeps;
  };
}
