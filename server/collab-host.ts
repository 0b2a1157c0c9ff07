import type { Logger } from 'pino';
import {
  createCollabServer,
  type CollabBusAttachment,
  type CollabLimits,
  type CollabServer,
} from '../collab';
import type { DbHandle } from '../db';
import { createCollabAccess } from './collab-access';
import type { Config } from './config';
import type { Metrics } from './metrics';
import type { Limit } from './rate-limits';
import { limitUpgradesPerAddress } from './upgrade-limit';

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
    syncBurst: config.COLLAB_SYNC_BURST,
    syncIntervalMs: config.COLLAB_SYNC_INTERVAL_MS,
    maxAwarenessStateBytes: config.COLLAB_MAX_AWARENESS_STATE_BYTES,
    awarenessIntervalMs: config.COLLAB_AWARENESS_INTERVAL_MS,
    preWipeCells: config.COLLAB_PRE_WIPE_CELLS,
    preWipeShare: config.COLLAB_PRE_WIPE_SHARE,
    auditWindowMs: config.COLLAB_AUDIT_WINDOW_MS,
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
  /** Upgrades per client address (RateLimits.collabUpgradeIp); none counted when absent. */
  upgradeLimit?: Limit;
  /** The process's Prometheus metrics; collab reports into them when given. */
  metrics?: Metrics;
}

/**
 * The collab server as this server runs it: our access rules, our limits, our metrics, and
 * upgrades counted per client address before collab authenticates them.
 */
export function createCollab(deps: CollabHostDeps): CollabServer {
  const server = createCollabServer({
    db: deps.db,
    logger: deps.logger,
    nodeId: deps.nodeId,
    bus: deps.bus,
    access: createCollabAccess(deps.db.db, deps.config),
    limits: collabLimits(deps.config),
    metrics: deps.metrics?.collab,
  });
  deps.metrics?.observeCollab(server);
  if (!deps.upgradeLimit) return server;
  const handleUpgrade = limitUpgradesPerAddress(server.handleUpgrade, {
    limit: deps.upgradeLimit,
    config: deps.config,
    logger: deps.logger,
  });
  return { ...server, handleUpgrade };
}
