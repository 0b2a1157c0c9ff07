import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { DbHandle } from '../db';
import * as collabRepo from '../db/repositories/collaboration.repository';
import type { CollabAccess } from './access';
import { startAccessRecheck } from './access-recheck';
import { CloseCode } from './close-codes';
import { Compactor } from './compactor';
import type { CollabLimits } from './limits';
import { NO_COLLAB_METRICS, type CollabMetrics } from './metrics';
import { createLiveDiagrams, type AccessChange, type LiveDiagrams } from './live-diagrams';
import { Peers } from './peers';
import type { RoomBus } from './room';
import { RoomRegistry } from './room-registry';
import { UpdateLog } from './update-log';
import { createUpgradeHandler } from './upgrade';

export interface CollabServerDeps {
  db: DbHandle;
  logger: Logger;
  /** Who people are and what they may see: implemented by the host (server/). */
  access: CollabAccess;
  limits: CollabLimits;
  /** This process's name in `diagram_updates.origin`. */
  nodeId: string;
  /** Cross-node fan-out; null for a standalone node. */
  bus?: CollabBusAttachment | null;
  /** Where collab reports its counts and durations; records nothing when absent. */
  metrics?: CollabMetrics;
}

/** What the registry needs from a cross-node bus (see bus.ts). */
export interface CollabBusAttachment extends RoomBus {
  attach(registry: RoomRegistry): void;
  /** Tells the other nodes that access changed… */
  publishAccessChange(change: AccessChange): void;
  /** …and hands on what they tell. */
  onAccessChange(handler: (change: AccessChange) => void): void;
  close(): Promise<void>;
}

export interface CollabServer {
  /** Node's http 'upgrade' listener for `/collab/<diagramId>`. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** REST meets live (AppDeps.live). */
  live: LiveDiagrams;
  registry: RoomRegistry;
  updateLog: UpdateLog;
  /** Open connections on this node. */
  connectionCount(): number;
  /**
   * Closes every connection (1001), stores every queued update and compacts, within
   * `timeoutMs`. SIGTERM calls this before the process exits.
   */
  close(timeoutMs?: number): Promise<void>;
}

/**
 * Wires the collaboration server together: durable log → compactor, room registry (+ bus),
 * peers, the upgrade handler and the access re-check. It does not listen; the host attaches
 * `handleUpgrade` to its HTTP server.
 */
export function createCollabServer(deps: CollabServerDeps): CollabServer {
  const { limits, logger, access } = deps;
  const db = deps.db.db;
  const bus = deps.bus ?? null;
  const metrics = deps.metrics ?? NO_COLLAB_METRICS;

  const compactor = new Compactor({
    db,
    logger,
    quietMs: limits.compactQuietMs,
    maxMs: limits.compactMaxMs,
    metrics,
  });
  const updateLog = new UpdateLog({
    db,
    nodeId: deps.nodeId,
    flushIntervalMs: limits.flushIntervalMs,
    logger,
    onCommitted: (ids) => ids.forEach((id) => compactor.schedule(id)),
    onDiagramGone: (id) => registry.get(id)?.closeAll(CloseCode.NotFound, 'diagram deleted'),
    metrics,
  });
  const registry = new RoomRegistry({
    db,
    logger,
    updateLog,
    bus,
    maxConnectionsPerRoom: limits.maxConnectionsPerRoom,
    autoVersionIntervalMs: limits.autoVersionIntervalMs,
    roomLimits: {
      syncBurst: limits.syncBurst,
      syncIntervalMs: limits.syncIntervalMs,
      maxAwarenessStateBytes: limits.maxAwarenessStateBytes,
      awarenessIntervalMs: limits.awarenessIntervalMs,
      preWipeCells: limits.preWipeCells,
      preWipeShare: limits.preWipeShare,
      auditWindowMs: limits.auditWindowMs,
    },
    loadTimeoutMs: 10_000,
    metrics,
  });
  bus?.attach(registry);
  // An access change re-checks this node's connections now and every other node's via the bus.
  const live = createLiveDiagrams(db, registry, (change) => {
    void recheck.now(change);
    bus?.publishAccessChange(change);
  });
  bus?.onAccessChange((change) => void recheck.now(change));

  let closing = false;
  const peers = new Peers({ registry, logger, limits, metrics });
  const handleUpgrade = createUpgradeHandler({
    access,
    logger,
    isClosing: () => closing,
    admit: (req, socket, head, identity, role) => peers.admit(req, socket, head, identity, role),
  });
  const recheck = startAccessRecheck({
    access,
    db,
    registry,
    connections: () => peers.all(),
    logger,
    intervalMs: limits.accessRecheckMs,
  });

  /** Expired tickets are useless; drop them now and then. */
  const ticketSweep = setInterval(
    () =>
      void collabRepo
        .deleteExpiredCollabTickets(db)
        .catch((err) => logger.debug({ err }, 'ticket sweep failed')),
    60_000,
  );
  ticketSweep.unref();

  return {
    handleUpgrade,
    live,
    registry,
    updateLog,
    connectionCount: () => peers.size,
    async close(timeoutMs = 10_000) {
      if (closing) return;
      closing = true;
      const deadline = Date.now() + timeoutMs;
      recheck.stop();
      clearInterval(ticketSweep);
      // Close events drive session ends and unloads; give them a moment, then store.
      await peers.closeAll(Math.min(deadline, Date.now() + 2_000));
      await Promise.all(registry.all().map((room) => room.flushAudit()));
      const drained = await updateLog.drainAll(deadline);
      if (!drained) logger.error({ queued: updateLog.queuedCount }, 'shutdown: updates not stored');
      await Promise.race([
        Promise.all(registry.all().map((room) => room.sessionsSettled())),
        sleep(Math.max(0, deadline - Date.now())),
      ]);
      await compactor.flushAll(deadline);
      updateLog.stop();
      compactor.stop();
      await bus?.close();
      peers.stop();
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
