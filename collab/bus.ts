import { Redis } from 'ioredis';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import type { Logger } from 'pino';
import * as Y from 'yjs';
import type { CollabBusAttachment } from './collab-server';
import type { Room } from './room';
import type { RoomRegistry } from './room-registry';

/** What a bus message carries. */
const Kind = { Update: 0, Awareness: 1, StateVector: 2 } as const;

export interface RedisBusOptions {
  url: string;
  nodeId: string;
  logger: Logger;
  /** How often each room re-announces its state vector so peers fill any lost update. */
  resyncIntervalMs?: number;
}

const channelOf = (diagramId: string) => `threatroom:collab:${diagramId}`;

/**
 * Cross-node fan-out over Redis pub/sub: every node holding a diagram's room subscribes to its
 * channel and relays the Yjs updates and awareness it accepts. Pub/sub may drop messages (a
 * reconnect, a slow subscriber), so nodes also exchange state vectors — on room load and
 * periodically — and answer with what the asker lacks; Yjs makes re-applying harmless.
 * Updates are logged to Postgres by the node that accepted them, never by relaying nodes.
 */
export function createRedisBus(options: RedisBusOptions): CollabBusAttachment {
  const { nodeId, logger } = options;
  // Publishing fails fast while Redis is away instead of queueing without bound; the
  // state-vector resync repairs what was missed once it is back.
  const pub = new Redis(options.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  const sub = new Redis(options.url, { maxRetriesPerRequest: null });
  pub.on('error', (err) => logger.debug({ err }, 'redis publisher error'));
  sub.on('error', (err) => logger.debug({ err }, 'redis subscriber error'));
  let registry: RoomRegistry | null = null;

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

  function announce(room: Room): void {
    send(room.diagramId, Kind.StateVector, Y.encodeStateVector(room.doc));
  }

  sub.on('messageBuffer', (channel: Buffer, message: Buffer) => {
    try {
      const diagramId = channel.toString().slice('threatroom:collab:'.length);
      const room = registry?.get(diagramId);
      if (!room || room.destroyed) return;
      const d = decoding.createDecoder(message);
      if (decoding.readVarString(d) === nodeId) return;
      const kind = decoding.readVarUint(d);
      const payload = decoding.readVarUint8Array(d);
      if (kind === Kind.Update) room.applyRemoteUpdate(payload);
      else if (kind === Kind.Awareness) room.applyRemoteAwareness(payload);
      else if (kind === Kind.StateVector) {
        const missing = Y.encodeStateAsUpdate(room.doc, payload);
        // An update with no structs and no deletions is two zero bytes: nothing to send.
        if (missing.byteLength > 2) send(diagramId, Kind.Update, missing);
      }
    } catch (err) {
      logger.warn({ err }, 'bad message on the collab bus');
    }
  });
  // After a Redis reconnect, subscriptions are restored by ioredis; ask peers for what we missed.
  sub.on('ready', () => registry?.all().forEach(announce));

  const resync = setInterval(
    () => registry?.all().forEach(announce),
    options.resyncIntervalMs ?? 30_000,
  );
  resync.unref();

  return {
    publish(diagramId, kind, payload) {
      send(diagramId, kind === 'update' ? Kind.Update : Kind.Awareness, payload);
    },
    attach(r) {
      registry = r;
      r.addListener({
        loaded(room) {
          sub
            .subscribe(channelOf(room.diagramId))
            .then(() => announce(room))
            .catch((err) => logger.warn({ err }, 'redis subscribe failed'));
        },
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
