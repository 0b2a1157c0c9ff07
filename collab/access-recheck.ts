import type { Logger } from 'pino';
import type { Database } from '../db';
import * as updatesRepo from '../db/repositories/diagram-updates.repository';
import type { Role } from '../model/roles';
import type { CollabAccess } from './access';
import { CloseCode } from './close-codes';
import type { CollabConnection } from './collab-connection';
import type { AccessChange } from './live-diagrams';
import type { RoomRegistry } from './room-registry';

export interface AccessRecheckOptions {
  access: CollabAccess;
  db: Database;
  registry: RoomRegistry;
  /** Every open connection, in a room yet or not. */
  connections(): Iterable<CollabConnection>;
  logger: Logger;
  intervalMs: number;
}

export interface AccessRecheck {
  /** Re-checks the connections an access change concerns, now (the host's trigger). */
  now(change: AccessChange): Promise<void>;
  stop(): void;
}

/** Which connections a re-check covers: all (the periodic one) or those of a change. */
type Scope = AccessChange | null;

/**
 * Re-checks live connections: credential logged out, revoked or expired → 4401; role revoked
 * → 4403; diagram gone → 4404; role changed → applied (a demoted writer is read-only from
 * its next frame). Every `intervalMs` all of them (a check still running when the next is
 * due is not doubled up), and at once those of a model or user whose access changed.
 */
export function startAccessRecheck(options: AccessRecheckOptions): AccessRecheck {
  const { access, db, registry, logger } = options;
  let running = false;
  const covers = (scope: Scope, conn: CollabConnection, threatModelId: string | null) =>
    scope === null ||
    ('userId' in scope ? conn.userId === scope.userId : threatModelId === scope.threatModelId);

  async function recheck(scope: Scope): Promise<void> {
    await recheckCredentials(scope);
    for (const room of registry.all()) {
      if (!room.connections.size) continue;
      const users = new Set(
        [...room.connections]
          .filter((c) => covers(scope, c, room.threatModelId))
          .map((c) => c.userId),
      );
      if (!users.size) continue;
      const roles = new Map<string, Role | null>();
      for (const userId of users) {
        roles.set(userId, await access.roleOnDiagram(userId, room.diagramId));
      }
      const revoked = [...roles.values()].some((r) => r === null);
      const exists = revoked ? await updatesRepo.findDiagramState(db, room.diagramId) : true;
      for (const conn of room.connections) {
        const role = roles.get(conn.userId);
        if (role === undefined) continue;
        if (role === null) {
          if (exists) conn.close(CloseCode.Forbidden, 'access revoked');
          else conn.close(CloseCode.NotFound, 'diagram deleted');
        } else if (role !== conn.role) {
          conn.setRole(role);
        }
      }
    }
  }

  /** One question per interval for all connections: which sessions and tokens still exist. */
  async function recheckCredentials(scope: Scope): Promise<void> {
    if (scope !== null && !('userId' in scope)) return;
    const sessionIds = new Set<string>();
    const tokenIds = new Set<string>();
    for (const conn of options.connections()) {
      const { credentialKind, credentialId } = conn.identity;
      if (conn.isClosed || credentialId === null || !covers(scope, conn, null)) continue;
      (credentialKind === 'token' ? tokenIds : sessionIds).add(credentialId);
    }
    if (!sessionIds.size && !tokenIds.size) return;
    const live = await access.liveCredentials({
      sessionIds: [...sessionIds],
      tokenIds: [...tokenIds],
    });
    for (const conn of options.connections()) {
      const { credentialKind, credentialId } = conn.identity;
      if (credentialId === null) continue;
      const stillLive = credentialKind === 'token' ? live.tokenIds : live.sessionIds;
      // Only credentials that were asked about: a connection opened since stays untouched.
      const asked = credentialKind === 'token' ? tokenIds : sessionIds;
      if (asked.has(credentialId) && !stillLive.has(credentialId)) {
        conn.close(CloseCode.Unauthenticated, 'credentials no longer valid');
      }
    }
  }

  const timer = setInterval(() => {
    if (running) return;
    running = true;
    void recheck(null)
      .catch((err) => logger.warn({ err }, 'access re-check failed; will retry'))
      .finally(() => {
        running = false;
      });
  }, options.intervalMs);
  timer.unref();
  return {
    now: (change) =>
      recheck(change).catch((err) =>
        logger.warn({ err, change }, 'access re-check failed; the periodic one will retry'),
      ),
    stop: () => clearInterval(timer),
  };
}
