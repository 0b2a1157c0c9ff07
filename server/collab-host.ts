import type { Logger } from 'pino';
import { createCollabServer, type CollabBusAttachment, type CollabLimits } from '../collab';
import type { DbHandle } from '../db';
import { createCollabAccess } from './collab-access';
import type { Config } from './config';

/** The COLLAB_* settings as collab's limits. */
export function collabLimits(config: Config): CollabLimits {
  return {
    maxMessageBytes: config.COLLAB_MAX_MESSAGE_BYTES,
    maxConnectionsPerUser: config.COLLAB_MAX_CONNECTIONS_PER_USER,
    maxConnectionsPerRoom: config.COLLAB_MAX_CONNECTIONS_PER_ROOM,
    maxPreloadBufferBytes: config.COLLAB_MAX_PRELOAD_BUFFER_BYTES,
    pingIntervalMs: config.COLLAB_PING_INTERVAL_MS,
    accessRecheckMs: config.COLLAB_ACCESS_RECHECK_MS,
    flushIntervalMs: config.COLLAB_FLUSH_INTERVAL_MS,
    compactQuietMs: config.COLLAB_COMPACT_QUIET_MS,
    compactMaxMs: config.COLLAB_COMPACT_MAX_MS,
    autoVersionIntervalMs: config.COLLAB_AUTO_VERSION_INTERVAL_MS,
  };
}

export interface CollabHostDeps {
  config: Config;
  db: DbHandle;
  logger: Logger;
  /** This process's name in `diagram_updates.origin`. */
  nodeId: string;
  /** Cross-node fan-out; null for a standalone node. */
  bus?: CollabBusAttachment | null;
}

/** The collab server as this server runs it: our access rules, our limits. */
export function createCollab(deps: CollabHostDeps) {
  return createCollabServer({
    db: deps.db,
    logger: deps.logger,
    nodeId: deps.nodeId,
    bus: deps.bus,
    access: createCollabAccess(deps.db.db, deps.config),
    limits: collabLimits(deps.config),
  });
}
