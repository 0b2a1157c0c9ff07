import type { IncomingMessage } from 'node:http';
import type { Role } from '../model/roles';
import type { ConnectionIdentity } from './collab-connection';

/**
 * Who opens a live connection, as the host application's authentication established it.
 * Collab adds the diagram and the presence colour itself.
 */
export type CollabPeer = Omit<ConnectionIdentity, 'diagramId' | 'user' | 'notices'> & {
  user: { id: string; name: string };
};

/** The verdict on an upgrade's own credentials (cookie session or bearer token). */
export type UpgradeAuthentication =
  { ok: true; peer: CollabPeer } | { ok: false; status: 401 | 403 };

/** Which of the asked-about credentials still exist (not logged out, revoked or expired). */
export interface LiveCredentialIds {
  sessionIds: Set<string>;
  tokenIds: Set<string>;
}

/**
 * What collab needs to know about people, and no more. Collab declares it; the host (server/)
 * implements it over its own sessions, tokens, tickets and grants and injects it, so collab
 * never depends on how sign-in works (the same shape as Hocuspocus's `onAuthenticate`).
 */
export interface CollabAccess {
  /**
   * Authenticates an upgrade by its headers. 401: no or invalid credentials; 403: a cookie
   * session from an origin that may not use it (cross-site WebSocket hijacking).
   */
  authenticate(req: IncomingMessage): Promise<UpgradeAuthentication>;
  /** Redeems a single-use ticket issued for `diagramId`; null when unknown, used or foreign. */
  redeemTicket(ticket: string, diagramId: string): Promise<CollabPeer | null>;
  /** The user's effective role on the diagram; null when it is invisible to them or gone. */
  roleOnDiagram(userId: string, diagramId: string): Promise<Role | null>;
  /** One round trip for every connection: which of these credentials are still live. */
  liveCredentials(asked: { sessionIds: string[]; tokenIds: string[] }): Promise<LiveCredentialIds>;
}
