import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { Role } from '../model/roles';
import { CloseCode } from './close-codes';
import { CollabConnection, type ConnectionIdentity } from './collab-connection';
import type { CollabLimits } from './limits';
import { messageKind, NO_COLLAB_METRICS, type CollabMetrics } from './metrics';
import type { Room } from './room';
import type { RoomRegistry } from './room-registry';

export interface PeersOptions {
  registry: RoomRegistry;
  logger: Logger;
  limits: Pick<
    CollabLimits,
    'maxMessageBytes' | 'maxConnectionsPerUser' | 'maxPreloadBufferBytes' | 'pingIntervalMs'
  >;
  metrics?: CollabMetrics;
}

/**
 * This node's WebSocket peers once their upgrade was authorised: the per-user cap, routing of
 * frames into the peer's room (buffered until it loads), leaving the room on close, and the
 * ping that cuts peers who stopped answering.
 */
export class Peers {
  private readonly wss: WebSocketServer;
  private readonly open = new Set<CollabConnection>();
  private readonly perUser = new Map<string, number>();
  private readonly pingTimer: NodeJS.Timeout;
  private readonly metrics: CollabMetrics;

  constructor(private readonly options: PeersOptions) {
    this.metrics = options.metrics ?? NO_COLLAB_METRICS;
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.limits.maxMessageBytes,
      perMessageDeflate: false,
      clientTracking: false,
    });
    this.pingTimer = setInterval(() => this.ping(), options.limits.pingIntervalMs);
    this.pingTimer.unref();
  }

  /** Open connections on this node. */
  get size(): number {
    return this.open.size;
  }

  /** A snapshot of the open connections (safe to close while iterating). */
  all(): CollabConnection[] {
    return [...this.open];
  }

  /** Completes the WebSocket handshake of an authorised upgrade and admits the peer. */
  admit(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    identity: ConnectionIdentity,
    role: Role,
  ): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, identity, role));
  }

  /**
   * Closes every connection (1001), waits until `until` (epoch ms) for the close events that
   * end sessions and unload rooms, then cuts whoever is left.
   */
  async closeAll(until: number): Promise<void> {
    clearInterval(this.pingTimer);
    for (const conn of this.open) conn.close(CloseCode.GoingAway, 'server shutting down');
    while (this.open.size && Date.now() < until) await sleep(20);
    for (const conn of this.open) conn.terminate();
  }

  stop(): void {
    clearInterval(this.pingTimer);
    this.wss.close();
  }

  private onConnection(ws: WebSocket, identity: ConnectionIdentity, role: Role): void {
    const { registry, logger, limits } = this.options;
    const conn = new CollabConnection(
      ws,
      identity,
      role,
      {
        maxPreloadBytes: limits.maxPreloadBufferBytes,
        maxBufferedBytes: Math.max(4 * 1024 * 1024, limits.maxMessageBytes * 2),
      },
      this.metrics,
    );
    // Without an 'error' listener a socket error (e.g. an oversized frame) would crash the
    // process; ws closes the socket itself (1009 for oversized frames).
    ws.on('error', (err) => logger.debug({ err, diagramId: identity.diagramId }, 'socket error'));
    const userId = identity.user.id;
    const perUser = this.perUser.get(userId) ?? 0;
    if (perUser >= limits.maxConnectionsPerUser) {
      conn.close(CloseCode.TooManyConnections, 'too many connections for this user');
      return;
    }
    this.perUser.set(userId, perUser + 1);
    this.open.add(conn);
    let room: Room | undefined;

    ws.on('message', (data: RawData, isBinary: boolean) => {
      try {
        if (!isBinary) {
          this.metrics.messageReceived('unknown');
          this.metrics.frameRefused('not_binary');
          conn.close(CloseCode.UnsupportedData, 'binary frames only');
          return;
        }
        const frame = toUint8Array(data);
        this.metrics.messageReceived(messageKind(frame));
        if (room) room.receive(conn, frame);
        else if (!conn.bufferBeforeLoad(frame)) {
          this.metrics.frameRefused('preload_overflow');
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
      this.open.delete(conn);
      const n = (this.perUser.get(userId) ?? 1) - 1;
      if (n > 0) this.perUser.set(userId, n);
      else this.perUser.delete(userId);
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
  private ping(): void {
    for (const conn of this.open) {
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
  }
}

function toUint8Array(data: RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
