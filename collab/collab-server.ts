import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { DbHandle } from '../db';
import * as accessRepo from '../db/repositories/access.repository';
import * as tokensRepo from '../db/repositories/api-tokens.repository';
import * as collabRepo from '../db/repositories/collaboration.repository';
import * as updatesRepo from '../db/repositories/diagram-updates.repository';
import * as sessionsRepo from '../db/repositories/sessions.repository';
import * as usersRepo from '../db/repositories/users.repository';
import type { Role } from '../model/roles';
import { authenticate } from '../server/auth/authenticate';
import { hashSecret } from '../server/auth/tokens';
import type { Config } from '../server/config';
import { allowedOrigins, requestOrigin } from '../server/middleware/request-guards';
import { CloseCode } from './close-codes';
import { CollabConnection, type ConnectionIdentity } from './collab-connection';
import { Compactor } from './compactor';
import { createLiveDiagrams, type CollabLiveDiagrams } from './live-diagrams';
import type { RoomBus } from './room';
import { RoomRegistry } from './room-registry';
import { UpdateLog } from './update-log';
import { colorForUser } from './user-color';

export interface CollabServerDeps {
  config: Config;
  db: DbHandle;
  logger: Logger;
  /** This process's name in `diagram_updates.origin`. */
  nodeId: string;
  /** Cross-node fan-out; null for a standalone node. */
  bus?: CollabBusAttachment | null;
}

/** What the registry needs from a cross-node bus (see bus.ts). */
export interface CollabBusAttachment extends RoomBus {
  attach(registry: RoomRegistry): void;
  close(): Promise<void>;
}

export interface CollabServer {
  /** Node's http 'upgrade' listener for `/collab/<diagramId>`. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** REST meets live (AppDeps.live). */
  live: CollabLiveDiagrams;
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

const COLLAB_PATH =
  /^\/collab\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/?$/i;
const TICKET_MAX_LENGTH = 128;

/**
 * Builds the collaboration server: upgrade handler, room registry, durable log and compactor.
 * It does not listen; `server/main.ts` attaches `handleUpgrade` to the HTTP server.
 */
export function createCollabServer(deps: CollabServerDeps): CollabServer {
  const { config, logger } = deps;
  const db = deps.db.db;
  const bus = deps.bus ?? null;
  const extraOrigins = allowedOrigins(config);

  const compactor = new Compactor({
    db,
    logger,
    quietMs: config.COLLAB_COMPACT_QUIET_MS,
    maxMs: config.COLLAB_COMPACT_MAX_MS,
  });
  const updateLog = new UpdateLog({
    db,
    nodeId: deps.nodeId,
    flushIntervalMs: config.COLLAB_FLUSH_INTERVAL_MS,
    logger,
    onCommitted: (ids) => ids.forEach((id) => compactor.schedule(id)),
    onDiagramGone: (id) => registry.get(id)?.closeAll(CloseCode.NotFound, 'diagram deleted'),
  });
  const registry = new RoomRegistry({
    db,
    logger,
    updateLog,
    bus,
    maxConnectionsPerRoom: config.COLLAB_MAX_CONNECTIONS_PER_ROOM,
    autoVersionIntervalMs: config.COLLAB_AUTO_VERSION_INTERVAL_MS,
    loadTimeoutMs: 10_000,
  });
  bus?.attach(registry);
  const live = createLiveDiagrams(db, registry);

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: config.COLLAB_MAX_MESSAGE_BYTES,
    perMessageDeflate: false,
    clientTracking: false,
  });
  const connections = new Set<CollabConnection>();
  const connectionsPerUser = new Map<string, number>();
  let closing = false;

  function refuse(socket: Duplex, status: 401 | 403 | 404 | 503, text: string): void {
    if (socket.destroyed) return;
    socket.end(
      `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${text.length}\r\n\r\n${text}`,
    );
  }

  /** Cookie sessions must come from our own origin (or an allowed one): no cross-site hijack. */
  function originAllowed(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    if (origin === undefined) return true;
    const scheme = (req.socket as TLSSocket).encrypted ? 'https' : 'http';
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) {
      if (typeof v === 'string') headers.set(k, v);
    }
    const own = requestOrigin(
      `${scheme}://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`,
      headers,
      config.TRUST_PROXY,
    );
    return origin === own || extraOrigins.has(origin);
  }

  type UpgradeAuth =
    | { ok: true; identity: Omit<ConnectionIdentity, 'diagramId'> }
    | { ok: false; status: 401 | 403; text: string };

  async function authenticateUpgrade(
    req: IncomingMessage,
    url: URL,
    diagramId: string,
  ): Promise<UpgradeAuth> {
    const ticket = url.searchParams.get('ticket');
    if (ticket !== null) {
      if (!ticket || ticket.length > TICKET_MAX_LENGTH) {
        return { ok: false, status: 401, text: 'Unauthorized' };
      }
      const redeemed = await collabRepo.consumeCollabTicket(db, hashSecret(ticket));
      if (!redeemed || redeemed.diagramId !== diagramId) {
        return { ok: false, status: 401, text: 'Unauthorized' };
      }
      const user = await usersRepo.findUserById(db, redeemed.userId);
      if (!user) return { ok: false, status: 401, text: 'Unauthorized' };
      return {
        ok: true,
        identity: {
          user: { id: user.id, name: user.name, color: colorForUser(user.id) },
          method: 'ticket',
          readScopedToken: false,
          credentialKind: redeemed.credentialKind,
          credentialId: redeemed.credentialId,
        },
      };
    }
    const result = await authenticate(db, {
      authorization: req.headers.authorization,
      cookie: req.headers.cookie,
    });
    if (!result) return { ok: false, status: 401, text: 'Unauthorized' };
    const { caller } = result;
    if (caller.method === 'session' && !originAllowed(req)) {
      return { ok: false, status: 403, text: 'Forbidden' };
    }
    return {
      ok: true,
      identity: {
        user: { id: caller.user.id, name: caller.user.name, color: colorForUser(caller.user.id) },
        method: caller.method,
        readScopedToken: caller.method === 'token' && caller.scope === 'read',
        credentialKind: caller.method,
        credentialId: (caller.method === 'token' ? caller.tokenId : caller.sessionId) ?? null,
      },
    };
  }

  async function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const match = COLLAB_PATH.exec(url.pathname);
    if (!match || closing) {
      refuse(socket, closing ? 503 : 404, closing ? 'Service Unavailable' : 'Not Found');
      return;
    }
    const diagramId = match[1]!.toLowerCase();
    const auth = await authenticateUpgrade(req, url, diagramId);
    if (!auth.ok) {
      refuse(socket, auth.status, auth.text);
      return;
    }
    const access = await accessRepo.findEffectiveRoleOnDiagram(
      db,
      auth.identity.user.id,
      diagramId,
    );
    if (!access) {
      // Unknown and invisible look the same: existence is never revealed.
      refuse(socket, 404, 'Not Found');
      return;
    }
    if (socket.destroyed) return;
    wss.handleUpgrade(req, socket, head, (ws) =>
      onConnection(ws, { ...auth.identity, diagramId }, access.role),
    );
  }

  function onConnection(ws: WebSocket, identity: ConnectionIdentity, role: Role): void {
    const conn = new CollabConnection(ws, identity, role, {
      maxPreloadBytes: config.COLLAB_MAX_PRELOAD_BUFFER_BYTES,
      maxBufferedBytes: Math.max(4 * 1024 * 1024, config.COLLAB_MAX_MESSAGE_BYTES * 2),
    });
    // Without an 'error' listener a socket error (e.g. an oversized frame) would crash the
    // process; ws closes the socket itself (1009 for oversized frames).
    ws.on('error', (err) => logger.debug({ err, diagramId: identity.diagramId }, 'socket error'));
    const userId = identity.user.id;
    const perUser = connectionsPerUser.get(userId) ?? 0;
    if (perUser >= config.COLLAB_MAX_CONNECTIONS_PER_USER) {
      conn.close(CloseCode.TooManyConnections, 'too many connections for this user');
      return;
    }
    connectionsPerUser.set(userId, perUser + 1);
    connections.add(conn);
    let room: ReturnType<RoomRegistry['get']> = undefined;

    ws.on('message', (data: RawData, isBinary: boolean) => {
      try {
        if (!isBinary) {
          conn.close(CloseCode.UnsupportedData, 'binary frames only');
          return;
        }
        const frame = toUint8Array(data);
        if (room) room.receive(conn, frame);
        else if (!conn.bufferBeforeLoad(frame)) {
          conn.close(CloseCode.MessageTooBig, 'too much data before the document loaded');
        }
      } catch (err) {
        logger.warn({ err }, 'collab message handler failed');
        conn.close(CloseCode.InternalError, 'internal error');
      }
    });
    ws.on('pong', () => {
      conn.missedPongs = 0;
    });
    ws.on('close', () => {
      connections.delete(conn);
      const n = (connectionsPerUser.get(userId) ?? 1) - 1;
      if (n > 0) connectionsPerUser.set(userId, n);
      else connectionsPerUser.delete(userId);
      if (room) {
        room.removeConnection(conn);
        registry.releaseIfIdle(room);
      }
    });

    registry.acquire(identity.diagramId).then(
      (loaded) => {
        if (!loaded) {
          conn.close(CloseCode.NotFound, 'diagram not found');
          return;
        }
        if (conn.isClosed) {
          registry.releaseIfIdle(loaded);
          return;
        }
        room = loaded;
        if (!loaded.addConnection(conn)) {
          room = undefined;
          registry.releaseIfIdle(loaded);
        }
      },
      (err) => {
        logger.warn({ err, diagramId: identity.diagramId }, 'room load failed');
        conn.close(CloseCode.TryAgainLater, 'document unavailable, try again');
      },
    );
  }

  /** Pings every peer; one that missed two pings in a row is cut. */
  const pingTimer = setInterval(() => {
    for (const conn of connections) {
      if (conn.missedPongs >= 2) {
        conn.terminate();
        continue;
      }
      conn.missedPongs++;
      try {
        conn.ws.ping();
      } catch {
        conn.terminate();
      }
    }
  }, config.COLLAB_PING_INTERVAL_MS);
  pingTimer.unref();

  /**
   * Re-checks every connection: credential logged out, revoked or expired → 4401; role
   * revoked → 4403; diagram gone → 4404; role changed → applied.
   */
  let rechecking = false;
  const recheckTimer = setInterval(() => {
    if (rechecking) return;
    rechecking = true;
    void recheckAccess()
      .catch((err) => logger.warn({ err }, 'access re-check failed; will retry'))
      .finally(() => {
        rechecking = false;
      });
  }, config.COLLAB_ACCESS_RECHECK_MS);
  recheckTimer.unref();

  async function recheckAccess(): Promise<void> {
    await recheckCredentials();
    for (const room of registry.all()) {
      if (!room.connections.size) continue;
      const users = new Set([...room.connections].map((c) => c.userId));
      const roles = new Map<string, Role | null>();
      for (const userId of users) {
        const access = await accessRepo.findEffectiveRoleOnDiagram(db, userId, room.diagramId);
        roles.set(userId, access?.role ?? null);
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

  /** Two queries per interval for all connections: which sessions and tokens still exist. */
  async function recheckCredentials(): Promise<void> {
    const sessionIds = new Set<string>();
    const tokenIds = new Set<string>();
    for (const conn of connections) {
      const { credentialKind, credentialId } = conn.identity;
      if (conn.isClosed || credentialId === null) continue;
      (credentialKind === 'token' ? tokenIds : sessionIds).add(credentialId);
    }
    if (!sessionIds.size && !tokenIds.size) return;
    const [liveSessions, liveTokens] = await Promise.all([
      sessionsRepo.findLiveSessionIds(db, [...sessionIds]),
      tokensRepo.findLiveApiTokenIds(db, [...tokenIds]),
    ]);
    for (const conn of connections) {
      const { credentialKind, credentialId } = conn.identity;
      if (credentialId === null) continue;
      const live = credentialKind === 'token' ? liveTokens : liveSessions;
      // Only credentials that were asked about: a connection opened since stays untouched.
      const asked = credentialKind === 'token' ? tokenIds : sessionIds;
      if (asked.has(credentialId) && !live.has(credentialId)) {
        conn.close(CloseCode.Unauthenticated, 'credentials no longer valid');
      }
    }
  }

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
    handleUpgrade(req, socket, head) {
      // A client resetting the connection during authentication must not crash the process.
      socket.on('error', () => socket.destroy());
      upgrade(req, socket, head).catch((err) => {
        logger.warn({ err }, 'collab upgrade failed');
        refuse(socket, 503, 'Service Unavailable');
      });
    },
    live,
    registry,
    updateLog,
    connectionCount: () => connections.size,
    async close(timeoutMs = 10_000) {
      if (closing) return;
      closing = true;
      const deadline = Date.now() + timeoutMs;
      clearInterval(pingTimer);
      clearInterval(recheckTimer);
      clearInterval(ticketSweep);
      for (const conn of connections) conn.close(CloseCode.GoingAway, 'server shutting down');
      // Close events drive session ends and unloads; give them a moment, then store.
      const waitUntil = Math.min(deadline, Date.now() + 2_000);
      while (connections.size && Date.now() < waitUntil) await sleep(20);
      for (const conn of connections) conn.terminate();
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
      wss.close();
    },
  };
}

function toUint8Array(data: RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
