import type { Logger } from 'pino';
import type * as Y from 'yjs';
import type { Cell } from '../model/cells';
import type { DbHandle } from '../db';
import type { UserRow } from '../db/repositories/users.repository';
import type { TokenScope } from '../db/schema/enums';
import type { Config } from './config';

/** How the caller proved who they are; CSRF checks apply only to cookie sessions. */
export type AuthMethod = 'session' | 'token';

/** Who did something, for the audit log: the user plus the request it came in on. */
export interface Actor {
  userId: string | null;
  requestId: string | null;
  ip: string | null;
}

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

/**
 * The live diagram documents as the REST layer sees them. Implemented by collab/ (the room
 * registry when the room is loaded on this node, else a document loaded for the write), so
 * every cell change, whoever makes it, is one Yjs transaction through the same update log.
 */
export interface LiveDiagrams {
  /** Current cells: the loaded room's, else compacted state + pending log. */
  readCells(diagramId: string): Promise<Cell[]>;
  /**
   * Runs `change` on the diagram's document as one server-origin transaction (loading the
   * document if needed), appends the update to the log and reaches every participant.
   * Returns the resulting cells.
   */
  transact(
    diagramId: string,
    change: (doc: Y.Doc) => void,
    actorId: string | null,
  ): Promise<Cell[]>;
  /**
   * The document's state and cells at one instant (live room's when loaded): what a diagram
   * version stores.
   */
  snapshot(diagramId: string): Promise<{ state: Uint8Array; cells: Cell[] }>;
}

/** Everything `createApp` needs; tests build it with a test database. */
export interface AppDeps {
  config: Config;
  db: DbHandle;
  logger: Logger;
  live: LiveDiagrams;
}

export interface AppEnv {
  Variables: {
    requestId: string;
    logger: Logger;
    caller: Caller | null;
    deps: AppDeps;
  };
}
