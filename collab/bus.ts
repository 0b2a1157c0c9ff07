import { Redis } from 'ioredis';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import type { Logger } from 'pino';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as Y from 'yjs';
import type { CollabBusAttachment } from './collab-server';
import type { AccessChange } from './live-diagrams';
import type { Room } from './room';
import type { RoomRegistry } from './room-registry';

/**
 * What a bus message carries. A `StateVector` asks peers for what the sender lacks; a
 * `SyncRequest` (sent on subscribe and after a reconnect) also asks them to announce their own
 * state vector and their peers' awareness, so what the sender published while cut off reaches
 * them in the same round and a joining node sees who is already there.
 */
const Kind = { Update: 0, Awareness: 1, StateVector: 2, SyncRequest: 3, AccessChange: 4 } as const;

export interface RedisBusOptions {
  url: string;
  nodeId: string;
  logger: Logger;
  /** How often each room re-announces its state vector so peers fill any lost update. */
  resyncIntervalMs?: number;
  /**
   * Channel namespace; only nodes with the same prefix talk to each other (default
   * `threatroom:collab:`). Tests use a unique one per run so parallel runs never cross-talk.
   */
  channelPrefix?: string;
}

/**
 * Cross-node fan-out over Redis pub/sub: every node holding a diagram's room subscribes to its
 * channel and relays the Yjs updates and awareness it accepts. Pub/sub may drop messages (a
 * reconnect, a slow subscriber), so nodes also exchange state vectors — on room load and
 * periodically — and answer with what the asker lacks; Yjs makes re-applying harmless.
 * Updates are logged to Postgres by the node that accepted them, never by relaying nodes.
 */
export function createRedisBus(options: RedisBusOptions): CollabBusAttachment {
  const { nodeId, logger } = options;
  const prefix = options.channelPrefix ?? 'threatroom:collab:';
  const channelOf = (diagramId: string) => `${prefix}${diagramId}`;
  // Publishing fails fast while Redis is away instead of queueing without bound; the
  // state-vector resync repairs what was missed once it is back.
  const pub = new Redis(options.url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectionName: `threatroom-pub:${nodeId}`,
  });
  const sub = new Redis(options.url, {
    maxRetriesPerRequest: null,
    connectionName: `threatroom-sub:${nodeId}`,
  });
  pub.on('error', (err) => logger.debug({ err }, 'redis publisher error'));
  sub.on('error', (err) => logger.debug({ err }, 'redis subscriber error'));
  let registry: RoomRegistry | null = null;
  /** Access changes travel on one channel of their own, which every node listens to. */
  const accessChannel = `${prefix}access-changes`;
  const accessHandlers: Array<(change: AccessChange) => void> = [];
  // Subscribed on every 'ready' (the first connection and each reconnect): a subscription
  // queued before the connection exists is not reliably restored.
  const listenForAccessChanges = () =>
    void sub
      .subscribe(accessChannel)
      .catch((err) => logger.warn({ err }, 'redis subscribe to access changes failed'));
  sub.on('ready', listenForAccessChanges);

  function encode(kind: number, payload: Uint8Array): Buffer {
    const e = encoding.createEncoder();
    encoding.writeVarString(e, nodeId);
    encoding.writeVarUint(e, kind);
    encoding.writeVarUint8Array(e, payload);
    return Buffer.from(encoding.toUint8Array(e));
  }

  function send(diagramId: string, kind: number, payload: Uint8Array): void {
    pub.publish(channelOf(diagramId), encode(kind, payload)).catch((err) => {
      logger.debug({ err, diagramId }, 'redis publish failed; resync will repair');
    });
  }

  function announce(room: Room, kind: number = Kind.StateVector): void {
    send(room.diagramId, kind, Y.encodeStateVector(room.doc));
  }

  /**
   * Publishes the awareness of this node's own peers. Awareness is only relayed as it changes
   * (clients renew it every 15 s), so a node that just joined would otherwise see nobody.
   */
  function shareAwareness(room: Room): void {
    const states = room.awareness.getStates();
    const ids = [...room.connections]
      .flatMap((conn) => [...conn.awarenessClients])
      .filter((id) => states.has(id));
    if (ids.length) {
      send(
        room.diagramId,
        Kind.Awareness,
        awarenessProtocol.encodeAwarenessUpdate(room.awareness, ids),
      );
    }
  }

  /**
   * Subscribes to the room's channel, then asks peers for a two-way sync: what arrived while
   * this node was not listening (room just loaded, Redis reconnected) is filled, and peers ask
   * back for what this node accepted meanwhile. Announcing only once the subscription is
   * acknowledged means the answers cannot be missed.
   */
  function join(room: Room): void {
    // The access channel again with each room (idempotent): a node holding a room is
    // certainly listening for access changes to its connections.
    sub
      .subscribe(channelOf(room.diagramId), accessChannel)
      .then(() => {
        if (room.destroyed) return;
        announce(room, Kind.SyncRequest);
        shareAwareness(room);
      })
      .catch((err) => logger.warn({ err, diagramId: room.diagramId }, 'redis subscribe failed'));
  }

  /** After a reconnect: once both connections are up, resynchronise every room held. */
  function rejoinAll(): void {
    if (pub.status !== 'ready' || sub.status !== 'ready') return;
    registry?.all().forEach(join);
  }

  sub.on('messageBuffer', (channel: Buffer, message: Buffer) => {
    try {
      if (channel.toString() === accessChannel) {
        const d = decoding.createDecoder(message);
        if (decoding.readVarString(d) === nodeId) return;
        decoding.readVarUint(d);
        const change = parseAccessChange(decoding.readVarString(d));
        if (change) for (const handler of accessHandlers) handler(change);
        return;
      }
      const diagramId = channel.toString().slice(prefix.length);
      const room = registry?.get(diagramId);
      if (!room || room.destroyed) return;
      const d = decoding.createDecoder(message);
      if (decoding.readVarString(d) === nodeId) return;
      const kind = decoding.readVarUint(d);
      const payload = decoding.readVarUint8Array(d);
      if (kind === Kind.Update) room.applyRemoteUpdate(payload);
      else if (kind === Kind.Awareness) room.applyRemoteAwareness(payload);
      else if (kind === Kind.StateVector || kind === Kind.SyncRequest) {
        const missing = Y.encodeStateAsUpdate(room.doc, payload);
        // An update with no structs and no deletions is two zero bytes: nothing to send.
        if (missing.byteLength > 2) send(diagramId, Kind.Update, missing);
        if (kind === Kind.SyncRequest) {
          announce(room);
          shareAwareness(room);
        }
      }
    } catch (err) {
      logger.warn({ err }, 'bad message on the collab bus');
    }
  });
  // After a Redis reconnect (ioredis emits 'ready' before it restores subscriptions, and the
  // two connections come back independently) re-subscribe and ask peers for what we missed.
  sub.on('ready', rejoinAll);
  pub.on('ready', rejoinAll);

  const resync = setInterval(
    () => registry?.all().forEach((room) => announce(room)),
    options.resyncIntervalMs ?? 30_000,
  );
  resync.unref();

  return {
    publishAccessChange(change) {
      const e = encoding.createEncoder();
      encoding.writeVarString(e, nodeId);
      encoding.writeVarUint(e, Kind.AccessChange);
      encoding.writeVarString(e, JSON.stringify(change));
      pub.publish(accessChannel, Buffer.from(encoding.toUint8Array(e))).catch((err) => {
        logger.warn({ err }, 'redis publish of an access change failed; periodic re-check');
      });
    },
    onAccessChange(handler) {
      accessHandlers.push(handler);
    },
    publish(diagramId, kind, payload) {
      send(diagramId, kind === 'update' ? Kind.Update : Kind.Awareness, payload);
    },
    attach(r) {
      registry = r;
      r.addListener({
        loaded: join,
        unloaded(room) {
          sub.unsubscribe(channelOf(room.diagramId)).catch(() => {});
        },
      });
    },
    async close() {
      clearInterval(resync);
      await Promise.allSettled([pub.quit(), sub.quit()]);
    },
  };
}

/** An access change as another node published it; null when it is not one. */
function parseAccessChange(json: string): AccessChange | null {
  const value: unknown = JSON.parse(json);
  if (typeof value !== 'object' || value === null) return null;
  const { threatModelId, userId } = value as Record<string, unknown>;
  if (typeof threatModelId === 'string') return { threatModelId };
  if (typeof userId === 'string') return { userId };
  return null;
}
