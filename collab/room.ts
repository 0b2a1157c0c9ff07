import type { Logger } from 'pino';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as Y from 'yjs';
import type { Database } from '../db';
import { snapshotDocument } from '../model/document-snapshot';
import { CloseCode, type CloseCodeValue } from './close-codes';
import type { CollabConnection } from './collab-connection';
import type { CollabMetrics } from './metrics';
import { BUS_ORIGIN, ServerOrigin } from './origins';
import { LOAD_ORIGIN } from './persistence';
import {
  decodeAwarenessUpdate,
  decodeMessage,
  encodeAwareness,
  encodeAwarenessUpdate,
  encodeSyncStep1,
  encodeSyncStep2,
  encodeUpdate,
} from './protocol';
import { RoomSessions } from './room-sessions';
import { touchesServerOwnedRoots } from './server-owned';
import type { UpdateLog } from './update-log';
import { recordVersion } from './versions';

/** How a room reaches rooms of the same diagram on other nodes (see bus.ts). */
export interface RoomBus {
  publish(diagramId: string, kind: 'update' | 'awareness', payload: Uint8Array): void;
}

export interface RoomDeps {
  db: Database;
  logger: Logger;
  updateLog: UpdateLog;
  bus: RoomBus | null;
  maxConnections: number;
  autoVersionIntervalMs: number;
  metrics: CollabMetrics;
}

/** Awareness client ids one connection may speak for (a tab has one; leave room for a few). */
const MAX_AWARENESS_CLIENTS_PER_CONNECTION = 8;

/**
 * One live diagram: its Y.Doc, awareness and connected peers. Every frame is decoded before
 * anything is applied, so read-only peers' document updates are refused without touching the
 * doc; every update the doc emits is broadcast, appended to the durable log (unless it came
 * from another node, which logged it) and published to other nodes.
 */
export class Room {
  readonly awareness: awarenessProtocol.Awareness;
  readonly connections = new Set<CollabConnection>();
  /** Server-side writes in progress (REST); they keep the room loaded. */
  holds = 0;
  destroyed = false;
  /** Frames refused from read-only peers (diagnostics and tests). */
  refusedUpdates = 0;
  private readonly sessions: RoomSessions;
  private readonly awarenessOwners = new Map<number, CollabConnection>();
  private editedSinceVersion = false;
  /** Who edited since the last automatic version (its description names them). */
  private editorsSinceVersion = new Set<string>();
  private editingSince: number | null = null;

  constructor(
    readonly diagramId: string,
    readonly threatModelId: string,
    readonly doc: Y.Doc,
    private readonly deps: RoomDeps,
  ) {
    this.awareness = new awarenessProtocol.Awareness(doc);
    // The server is not a participant: no awareness state of its own.
    this.awareness.setLocalState(null);
    this.sessions = new RoomSessions({
      db: deps.db,
      logger: deps.logger,
      diagramId,
      threatModelId,
      standalone: deps.bus === null,
      onSessionEnded: () => this.cutAutoVersion('Session ended'),
    });
    doc.on('update', this.onDocUpdate);
    this.awareness.on('update', this.onAwarenessUpdate);
  }

  /** Admits a peer whose upgrade is done: starts the sync and replays what it sent early. */
  addConnection(conn: CollabConnection): boolean {
    if (this.connections.size >= this.deps.maxConnections) {
      conn.close(CloseCode.TooManyConnections, 'room is full');
      return false;
    }
    this.connections.add(conn);
    this.sessions.join(conn.userId, conn.role);
    conn.send(encodeSyncStep1(this.doc));
    if (this.awareness.getStates().size > 0) {
      conn.send(
        encodeAwareness(
          awarenessProtocol.encodeAwarenessUpdate(this.awareness, [
            ...this.awareness.getStates().keys(),
          ]),
        ),
      );
    }
    for (const frame of conn.takeBufferedFrames()) {
      if (conn.isClosed) break;
      this.receive(conn, frame);
    }
    return true;
  }

  /** Handles one frame. A frame that fails to decode or apply closes only its connection. */
  receive(conn: CollabConnection, frame: Uint8Array): void {
    if (conn.isClosed) return;
    try {
      this.handle(conn, frame);
    } catch (err) {
      this.deps.logger.debug({ err, diagramId: this.diagramId }, 'malformed collab frame');
      this.deps.metrics.frameRefused('malformed');
      conn.close(CloseCode.InvalidPayload, 'malformed message');
    }
  }

  private handle(conn: CollabConnection, frame: Uint8Array): void {
    const message = decodeMessage(frame);
    switch (message.type) {
      case 'sync-step1':
        conn.send(encodeSyncStep2(this.doc, message.stateVector));
        return;
      case 'sync-step2':
      case 'update':
        // The role is decided here, before the doc sees the bytes: a refused update is never
        // applied, stored or relayed. Nobody's client may write the server-owned comments.
        if (conn.readOnly || touchesServerOwnedRoots(this.doc, message.update)) {
          this.refusedUpdates++;
          this.deps.metrics.frameRefused(conn.readOnly ? 'read_only' : 'server_owned');
          return;
        }
        Y.applyUpdate(this.doc, message.update, conn);
        return;
      case 'awareness':
        this.applyAwareness(conn, message.update);
        return;
      case 'query-awareness':
        conn.send(
          encodeAwareness(
            awarenessProtocol.encodeAwarenessUpdate(this.awareness, [
              ...this.awareness.getStates().keys(),
            ]),
          ),
        );
        return;
      case 'auth':
        // Authentication happened at the upgrade; the in-band auth message carries nothing.
        return;
    }
  }

  /**
   * Relays a peer's awareness with `user` replaced by the authenticated identity. Entries
   * for client ids another connection speaks for are ignored, so nobody can move or remove
   * someone else's cursor.
   */
  private applyAwareness(conn: CollabConnection, update: Uint8Array): void {
    const accepted = decodeAwarenessUpdate(update)
      .filter((entry) => {
        const owner = this.awarenessOwners.get(entry.clientId);
        if (owner) return owner === conn;
        return conn.awarenessClients.size < MAX_AWARENESS_CLIENTS_PER_CONNECTION;
      })
      .map((entry) => ({
        ...entry,
        state: entry.state && { ...entry.state, user: { ...conn.identity.user } },
      }));
    if (accepted.length) {
      awarenessProtocol.applyAwarenessUpdate(this.awareness, encodeAwarenessUpdate(accepted), conn);
    }
  }

  /** Removes a peer and its awareness entries; the last one out ends the session. */
  removeConnection(conn: CollabConnection): void {
    if (!this.connections.delete(conn)) return;
    const clients = [...conn.awarenessClients];
    if (clients.length) awarenessProtocol.removeAwarenessStates(this.awareness, clients, conn);
    for (const id of clients) this.awarenessOwners.delete(id);
    this.sessions.leave(conn.userId);
  }

  /**
   * Runs a server-side change as one transaction on the live doc: every peer receives it and
   * it is logged like any edit. Returns the commit promises of the resulting updates.
   */
  transact(change: (doc: Y.Doc) => void, actorId: string | null): Array<Promise<boolean>> {
    const origin = new ServerOrigin(actorId);
    this.doc.transact(() => change(this.doc), origin);
    return origin.commits;
  }

  /** Applies an update that another node accepted and logged. */
  applyRemoteUpdate(update: Uint8Array): void {
    Y.applyUpdate(this.doc, update, BUS_ORIGIN);
  }

  /** Applies awareness relayed by another node. */
  applyRemoteAwareness(update: Uint8Array): void {
    awarenessProtocol.applyAwarenessUpdate(this.awareness, update, BUS_ORIGIN);
  }

  closeAll(code: CloseCodeValue, reason: string): void {
    for (const conn of this.connections) conn.close(code, reason);
  }

  /** No peers and no server write in progress. */
  get isIdle(): boolean {
    return this.connections.size === 0 && this.holds === 0;
  }

  /** Resolves when session bookkeeping (and a session-end version) has been written. */
  sessionsSettled(): Promise<void> {
    return this.sessions.settled();
  }

  /** Session bookkeeping still queued or running. */
  get sessionsBusy(): boolean {
    return this.sessions.busy;
  }

  destroy(): void {
    this.destroyed = true;
    this.doc.off('update', this.onDocUpdate);
    this.awareness.off('update', this.onAwarenessUpdate);
    this.awareness.destroy();
    this.doc.destroy();
  }

  private onDocUpdate = (update: Uint8Array, origin: unknown): void => {
    if (origin === LOAD_ORIGIN) return;
    const frame = encodeUpdate(update);
    for (const conn of this.connections) if (conn !== origin) conn.send(frame);
    if (origin === BUS_ORIGIN) return;
    const actor =
      origin instanceof ServerOrigin
        ? origin.actorId
        : this.isConnection(origin)
          ? origin.userId
          : null;
    const commit = this.deps.updateLog.append(this.diagramId, update, actor);
    if (origin instanceof ServerOrigin) origin.commits.push(commit);
    this.deps.bus?.publish(this.diagramId, 'update', update);
    this.noteEdit(actor);
  };

  private onAwarenessUpdate = (
    change: { added: number[]; updated: number[]; removed: number[] },
    origin: unknown,
  ): void => {
    if (this.isConnection(origin)) {
      for (const id of [...change.added, ...change.updated]) {
        this.awarenessOwners.set(id, origin);
        origin.awarenessClients.add(id);
      }
      for (const id of change.removed) {
        this.awarenessOwners.delete(id);
        origin.awarenessClients.delete(id);
      }
    } else {
      // Expired by awareness' own timeout (or removed remotely): forget the owner too.
      for (const id of change.removed) {
        this.awarenessOwners.get(id)?.awarenessClients.delete(id);
        this.awarenessOwners.delete(id);
      }
    }
    const changed = [...change.added, ...change.updated, ...change.removed];
    const update = awarenessProtocol.encodeAwarenessUpdate(this.awareness, changed);
    // Sent back to the sender too: y-websocket clients treat their own echo as a heartbeat.
    const frame = encodeAwareness(update);
    for (const conn of this.connections) conn.send(frame);
    if (origin !== BUS_ORIGIN) this.deps.bus?.publish(this.diagramId, 'awareness', update);
  };

  private isConnection(origin: unknown): origin is CollabConnection {
    return typeof origin === 'object' && origin !== null && this.connections.has(origin as never);
  }

  /** Continuous editing cuts an automatic version at most every `autoVersionIntervalMs`. */
  private noteEdit(actor: string | null): void {
    this.editedSinceVersion = true;
    if (actor) this.editorsSinceVersion.add(actor);
    const now = Date.now();
    if (this.editingSince === null) this.editingSince = now;
    else if (now - this.editingSince >= this.deps.autoVersionIntervalMs) {
      void this.cutAutoVersion('Automatic snapshot during editing');
    }
  }

  private async cutAutoVersion(description: string): Promise<void> {
    if (!this.editedSinceVersion || this.destroyed) return;
    this.editedSinceVersion = false;
    this.editingSince = null;
    const editors = [...this.editorsSinceVersion];
    this.editorsSinceVersion.clear();
    const snapshot = snapshotDocument(this.doc);
    try {
      await recordVersion(this.deps.db, {
        diagramId: this.diagramId,
        kind: 'auto',
        snapshot,
        // One editor made it; with several, the description names them all.
        createdBy: editors.length === 1 ? editors[0]! : null,
        changeDescription: description,
        editorIds: editors,
      });
    } catch (err) {
      this.editedSinceVersion = true;
      for (const id of editors) this.editorsSinceVersion.add(id);
      this.deps.logger.warn({ err, diagramId: this.diagramId }, 'automatic version failed');
    }
  }
}
