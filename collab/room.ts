import type { Logger } from 'pino';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as Y from 'yjs';
import type { Database } from '../db';
import * as versionsRepo from '../db/repositories/diagram-versions.repository';
import { snapshotDocument, type DocumentSnapshot } from '../model/document-snapshot';
import { cellsFromDoc, cellsMap } from '../model/ydoc';
import { CloseCode, type CloseCodeValue } from './close-codes';
import type { CollabConnection } from './collab-connection';
import type { CollabMetrics } from './metrics';
import { LiveAudit, type NamedCell } from './live-audit';
import { BUS_ORIGIN, ServerOrigin } from './origins';
import { LOAD_ORIGIN } from './persistence';
import {
  decodeAwarenessUpdate,
  type AwarenessEntry,
  decodeMessage,
  encodeAwareness,
  encodeAwarenessUpdate,
  encodeSyncStep1,
  encodeUpdate,
} from './protocol';
import { PresenceGate } from './presence-gate';
import { RoomSessions } from './room-sessions';
import { SyncAnswers } from './sync-answers';
import type { UpdateLog } from './update-log';
import { validateLiveUpdate } from './update-rules';
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
  limits: RoomLimits;
}

/** The bounds a room applies to its peers (mapped from CollabLimits). */
export interface RoomLimits {
  syncBurst: number;
  syncIntervalMs: number;
  maxAwarenessStateBytes: number;
  awarenessIntervalMs: number;
  preWipeCells: number;
  preWipeShare: number;
  auditWindowMs: number;
}

/** Awareness client ids one connection may speak for (a tab has one; leave room for a few). */
const MAX_AWARENESS_CLIENTS_PER_CONNECTION = 8;
/** An empty Yjs update (no structs, no deletions): what a reader's sync step 2 usually is. */
const EMPTY_UPDATE_BYTES = 2;

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
  /** Updates refused: from read-only peers, or breaking the cell rules (diagnostics, tests). */
  refusedUpdates = 0;
  /** Awareness entries not relayed (too many ids, too large a state). */
  refusedPresence = 0;
  readonly syncAnswers: SyncAnswers;
  private readonly presence: PresenceGate;
  private readonly audit: LiveAudit;
  private sessionVersionChecked = false;
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
      onSessionEnded: () => {
        void this.audit.flushAll();
        return this.cutAutoVersion('Session ended');
      },
    });
    const { limits } = deps;
    this.syncAnswers = new SyncAnswers(doc, {
      burst: limits.syncBurst,
      intervalMs: limits.syncIntervalMs,
      maxWaiting: 50,
      maxOutstandingBytes: 1024 * 1024,
    });
    this.presence = new PresenceGate(limits.awarenessIntervalMs, (conn, entries) => {
      if (!conn.isClosed && this.connections.has(conn)) this.applyAwareness(conn, entries);
    });
    this.audit = new LiveAudit({
      db: deps.db,
      logger: deps.logger,
      diagramId,
      threatModelId,
      windowMs: limits.auditWindowMs,
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
    if (!this.sessionVersionChecked) {
      this.sessionVersionChecked = true;
      void this.versionIfChangedSinceLast();
    }
    conn.notify({ kind: 'access', role: conn.role, read_only: conn.readOnly });
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
        this.syncAnswers.request(conn, message.stateVector);
        return;
      case 'sync-step2':
      case 'update':
        this.applyClientUpdate(conn, message.update);
        return;
      case 'awareness': {
        const { entries, oversized } = decodeAwarenessUpdate(
          message.update,
          this.deps.limits.maxAwarenessStateBytes,
        );
        this.refusedPresence += oversized;
        this.presence.offer(conn, entries);
        return;
      }
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
   * The role and the cell rules are decided here, before the doc sees the bytes: a refused
   * update is never applied, stored or relayed. A read-only peer's edit is dropped (its
   * client is told when it takes notices); an update that breaks a rule closes the
   * connection with 4422, since that client's copy has diverged and must start afresh.
   */
  private applyClientUpdate(conn: CollabConnection, update: Uint8Array): void {
    if (conn.readOnly) {
      if (update.byteLength > EMPTY_UPDATE_BYTES) this.refuseReadOnly(conn, update);
      return;
    }
    const verdict = validateLiveUpdate(this.doc, update);
    if (!verdict.ok) {
      this.refusedUpdates++;
      this.deps.metrics.frameRefused('invalid_update');
      this.deps.logger.info(
        { diagramId: this.diagramId, userId: conn.userId, reason: verdict.reason },
        'live update refused',
      );
      conn.notify({ kind: 'refused', reason: verdict.reason });
      conn.close(CloseCode.UpdateRefused, `update refused: ${verdict.reason}`.slice(0, 120));
      return;
    }
    const cells = cellsMap(this.doc);
    const total = cells.size;
    const deleted = verdict.deleted.map((id) => this.namedCell(id));
    const wipe =
      verdict.deleted.length > this.deps.limits.preWipeCells ||
      (total > 0 && verdict.deleted.length > total * this.deps.limits.preWipeShare);
    const before = wipe ? snapshotDocument(this.doc) : null;
    Y.applyUpdate(this.doc, update, conn);
    if (before) {
      void this.recordSafetyVersion(
        before,
        `Before ${conn.identity.user.name} deleted ${verdict.deleted.length} of ${total} cells`,
      );
    }
    this.audit.note(conn.userId, {
      added: verdict.added.map((id) => this.namedCell(id)),
      changed: verdict.changed.map((id) => this.namedCell(id)),
      deleted,
    });
  }

  /**
   * A read-only peer's update is dropped. Only one that would change something counts as a
   * refusal the client is told about: a reconnecting reader's sync step 2 repeats deletions
   * the server has and is no edit.
   */
  private refuseReadOnly(conn: CollabConnection, update: Uint8Array): void {
    const verdict = validateLiveUpdate(this.doc, update);
    const noEdit =
      verdict.ok && !verdict.added.length && !verdict.changed.length && !verdict.deleted.length;
    if (noEdit) return;
    this.refusedUpdates++;
    this.deps.metrics.frameRefused('read_only');
    conn.notify({ kind: 'refused', reason: 'read-only: you can view this diagram, not edit it' });
  }

  private namedCell(id: string): NamedCell {
    const map = cellsMap(this.doc).get(id);
    const label = map instanceof Y.Map ? map.get('label') : undefined;
    const shape = map instanceof Y.Map ? map.get('shape') : undefined;
    return { id, label: typeof label === 'string' && label ? label : null, flow: shape === 'flow' };
  }

  /**
   * Relays a peer's awareness with `user` replaced by the authenticated identity. Entries
   * for client ids another connection speaks for are ignored, so nobody can move or remove
   * someone else's cursor; a connection speaks for at most 8 ids (counted within the frame
   * too) and a state above the size cap is dropped.
   */
  private applyAwareness(conn: CollabConnection, entries: AwarenessEntry[]): void {
    const fresh = new Set<number>();
    const maxBytes = this.deps.limits.maxAwarenessStateBytes;
    const accepted = entries
      .filter((entry) => {
        const owner = this.awarenessOwners.get(entry.clientId);
        let ok: boolean;
        if (owner) ok = owner === conn;
        else if (fresh.has(entry.clientId)) ok = true;
        else if (conn.awarenessClients.size + fresh.size < MAX_AWARENESS_CLIENTS_PER_CONNECTION) {
          fresh.add(entry.clientId);
          ok = true;
        } else ok = false;
        if (ok && entry.state && JSON.stringify(entry.state).length > maxBytes) ok = false;
        if (!ok) this.refusedPresence++;
        return ok;
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
    this.syncAnswers.forget(conn);
    this.presence.forget(conn);
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

  /** Writes the live-edit audit entries still coalescing. */
  flushAudit(): Promise<void> {
    return this.audit.flushAll();
  }

  destroy(): void {
    void this.audit.flushAll();
    this.destroyed = true;
    this.doc.off('update', this.onDocUpdate);
    this.awareness.off('update', this.onAwarenessUpdate);
    this.awareness.destroy();
    this.doc.destroy();
  }

  private onDocUpdate = (update: Uint8Array, origin: unknown): void => {
    if (origin === LOAD_ORIGIN) return;
    this.syncAnswers.invalidate();
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

  /**
   * A session starting on a document that differs from its newest version (REST writes, or
   * edits from before versions existed) records a `pre_wipe` version first: whatever the
   * session does, the state it started from can be restored.
   */
  private async versionIfChangedSinceLast(): Promise<void> {
    try {
      const last = await versionsRepo.findLatestVersionCells(this.deps.db, this.diagramId);
      const cells = cellsFromDoc(this.doc);
      const same = last ? JSON.stringify(last) === JSON.stringify(cells) : cells.length === 0;
      if (!same && !this.destroyed) {
        await this.recordSafetyVersion(snapshotDocument(this.doc), 'Before live session');
      }
    } catch (err) {
      this.deps.logger.warn({ err, diagramId: this.diagramId }, 'session-start version failed');
    }
  }

  /** Records a `pre_wipe` version of a state captured before a change. */
  private async recordSafetyVersion(
    snapshot: DocumentSnapshot,
    description: string,
  ): Promise<void> {
    try {
      await recordVersion(this.deps.db, {
        diagramId: this.diagramId,
        kind: 'pre_wipe',
        snapshot,
        createdBy: null,
        changeDescription: description,
      });
    } catch (err) {
      this.deps.logger.warn({ err, diagramId: this.diagramId }, 'pre-wipe version failed');
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
