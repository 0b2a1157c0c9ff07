import * as decoding from 'lib0/decoding';
import { IndexeddbPersistence } from 'y-indexeddb';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import type { XYPosition } from '@xyflow/svelte';
import { colorFor } from '$lib/colors';
import { LOCAL_ORIGIN } from './binding.svelte';

export interface PresenceUser {
  id: string;
  name: string;
  color: string;
}

export interface Participant {
  clientId: number;
  user: PresenceUser;
  cursor: XYPosition | null;
  selection: string[];
  self: boolean;
}

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'offline' | 'closed';

/** Why the server ended the session for good (close codes of ARCHITECTURE.md §5). */
const CLOSE_REASONS: Record<number, string> = {
  4401: 'Your session has ended. Sign in again to keep editing.',
  4403: 'Your access to this threat model was removed.',
  4404: 'This diagram no longer exists.',
  4408: 'The live session timed out. Reload to reconnect.',
  4422: 'The server refused a change to this diagram. Reload to continue.',
  4429: 'Too many open connections. Close other tabs and reload.',
};

/** Our message type for JSON notices, asked for with `?notices=1` (docs/api.md). */
const NOTICE_MESSAGE = 100;
type Notice =
  { kind: 'refused'; reason: string } | { kind: 'access'; role: string; read_only: boolean };

export interface LiveSessionOptions {
  /** Keep the document in this browser too (writers). */
  keepLocally?: boolean;
  /**
   * The server refused one of our changes: our copy has diverged. The browser's copy is
   * already dropped when this runs; the caller starts a fresh session from the server.
   */
  onRefused?: (reason: string) => void;
}

// The server relays one awareness frame per connection per 50 ms (COLLAB_AWARENESS_INTERVAL_MS).
const CURSOR_INTERVAL_MS = 50;

/**
 * One live session on a diagram: the Y.Doc, the stock y-websocket provider (cookie auth on
 * the same origin), and the session's observable state — connection, unsent edits, and the
 * participants from awareness (`user`, `cursor` in flow coordinates, `selection`).
 *
 * With `keepLocally` (writers) the document is also kept in this browser (y-indexeddb, one
 * database per user and diagram), so edits made while the server is unreachable survive a
 * reload or a closed laptop; the next sync merges them into the server's document. The
 * count of unsent edits is kept beside it, so a reloaded tab still knows and warns.
 */
export class LiveSession {
  readonly doc = new Y.Doc();
  readonly provider: WebsocketProvider;
  state = $state<ConnectionState>('connecting');
  synced = $state(false);
  /** Local edits made since the server last confirmed a sync. */
  pendingEdits = $state(0);
  closedReason = $state('');
  participants = $state.raw<Participant[]>([]);
  /** The role the server holds for this connection (null until it told us). */
  role = $state<string | null>(null);
  /** Whether the server treats us as read-only (null until it told us). */
  readOnly = $state<boolean | null>(null);

  /** The browser's copy of the document (writers only). */
  readonly local: IndexeddbPersistence | null = null;
  /** The browser's copy has been read into the document. */
  localLoaded = $state(false);
  private readonly unsentKey: string;
  private everConnected = false;
  private cursorTimer: ReturnType<typeof setTimeout> | null = null;
  private nextCursor: XYPosition | null = null;
  private disposers: (() => void)[] = [];

  constructor(diagramId: string, me: PresenceUser, options: LiveSessionOptions = {}) {
    this.unsentKey = `threatroom-unsent:${me.id}:${diagramId}`;
    if (options.keepLocally) {
      // Per user: another person signing in on this browser must not send my edits as theirs.
      this.local = new IndexeddbPersistence(`threatroom:${me.id}:${diagramId}`, this.doc);
      this.local.on('synced', () => (this.localLoaded = true));
      this.pendingEdits = Number(localStorage.getItem(this.unsentKey) ?? 0) || 0;
    }
    const origin = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}`;
    // Cross-tab BroadcastChannel is off: the server alone decides which updates count (it
    // refuses readers' updates), so tabs must not feed each other.
    this.provider = new WebsocketProvider(`${origin}/collab`, diagramId, this.doc, {
      disableBc: true,
      maxBackoffTime: 4000,
      params: { notices: '1' },
    });
    this.provider.messageHandlers[NOTICE_MESSAGE] = (_encoder, decoder) => {
      const notice = JSON.parse(decoding.readVarString(decoder)) as Notice;
      if (notice.kind === 'access') {
        this.role = notice.role;
        this.readOnly = notice.read_only;
      } else if (notice.kind === 'refused') {
        this.refused(notice.reason, options.onRefused);
      }
    };
    const awareness = this.provider.awareness;
    awareness.setLocalState({ user: me, cursor: null, selection: [] });

    const onStatus = ({ status }: { status: 'connected' | 'disconnected' | 'connecting' }) => {
      if (status === 'connected') {
        this.everConnected = true;
        this.state = 'connected';
      } else if (status === 'connecting') {
        this.state = this.everConnected ? 'reconnecting' : 'connecting';
      } else {
        this.state = 'offline';
      }
    };
    const onSync = (synced: boolean) => {
      this.synced = synced;
      if (synced) this.setPending(0);
    };
    const onClosed = (event: { code: number; reason: string }) => {
      this.state = 'closed';
      this.closedReason =
        CLOSE_REASONS[event.code] ?? event.reason ?? 'The live session was closed.';
    };
    const onUpdate = (_update: Uint8Array, origin: unknown) => {
      const local = origin === LOCAL_ORIGIN || origin instanceof Y.UndoManager;
      if (local && !(this.provider.wsconnected && this.synced)) {
        this.setPending(this.pendingEdits + 1);
      }
    };
    const onAwareness = () => this.readParticipants();
    this.provider.on('status', onStatus);
    this.provider.on('sync', onSync);
    this.provider.on('closed', onClosed);
    this.doc.on('update', onUpdate);
    awareness.on('change', onAwareness);
    const onOffline = () => (this.state = 'offline');
    window.addEventListener('offline', onOffline);
    this.disposers.push(
      () => this.provider.off('status', onStatus),
      () => this.provider.off('sync', onSync),
      () => this.provider.off('closed', onClosed),
      () => this.doc.off('update', onUpdate),
      () => awareness.off('change', onAwareness),
      () => window.removeEventListener('offline', onOffline),
    );
    this.readParticipants();
  }

  /** Drops our diverged copy (here and in the browser) and hands over to a fresh session. */
  private refusedOnce = false;
  private refused(reason: string, onRefused: ((reason: string) => void) | undefined) {
    if (this.refusedOnce) return;
    this.refusedOnce = true;
    this.provider.disconnect();
    this.setPending(0);
    const dropLocal = this.local ? this.local.clearData() : Promise.resolve();
    void dropLocal.finally(() => onRefused?.(reason));
  }

  destroy() {
    if (this.cursorTimer) clearTimeout(this.cursorTimer);
    for (const dispose of this.disposers) dispose();
    this.provider.awareness.setLocalState(null);
    this.provider.destroy();
    void this.local?.destroy();
    this.doc.destroy();
  }

  private setPending(count: number) {
    this.pendingEdits = count;
    if (!this.local) return;
    if (count) localStorage.setItem(this.unsentKey, String(count));
    else localStorage.removeItem(this.unsentKey);
  }

  private readParticipants() {
    const own = this.doc.clientID;
    const list: Participant[] = [];
    this.provider.awareness.getStates().forEach((state, clientId) => {
      const raw = state.user as Partial<PresenceUser> | undefined;
      if (!raw?.name) return;
      const id = raw.id ?? String(clientId);
      list.push({
        clientId,
        user: { id, name: raw.name, color: raw.color ?? colorFor(id) },
        cursor: isPoint(state.cursor) ? state.cursor : null,
        selection: Array.isArray(state.selection)
          ? state.selection.filter((s: unknown) => typeof s === 'string')
          : [],
        self: clientId === own,
      });
    });
    list.sort((a, b) => Number(b.self) - Number(a.self) || a.clientId - b.clientId);
    this.participants = list;
  }

  /** Other people (one entry per user, even with several tabs open), then me. */
  get people(): Participant[] {
    const seen = new Set<string>();
    return this.participants.filter((p) => {
      if (seen.has(p.user.id)) return false;
      seen.add(p.user.id);
      return true;
    });
  }

  /** My colour as the server (or, without it, the client) assigned it. */
  get myColor(): string {
    return this.participants.find((p) => p.self)?.user.color ?? '#2f5bd3';
  }

  /** Shares my pointer position in flow coordinates (null when it leaves the canvas). */
  setCursor(at: XYPosition | null) {
    this.nextCursor = at ? { x: Math.round(at.x), y: Math.round(at.y) } : null;
    if (at === null) {
      if (this.cursorTimer) clearTimeout(this.cursorTimer);
      this.cursorTimer = null;
      this.provider.awareness.setLocalStateField('cursor', null);
      return;
    }
    // Throttled: awareness goes to every participant, 20 updates a second is plenty.
    if (this.cursorTimer) return;
    this.provider.awareness.setLocalStateField('cursor', this.nextCursor);
    this.cursorTimer = setTimeout(() => {
      this.cursorTimer = null;
      const current = this.provider.awareness.getLocalState()?.cursor;
      if (JSON.stringify(current) !== JSON.stringify(this.nextCursor)) {
        this.provider.awareness.setLocalStateField('cursor', this.nextCursor);
      }
    }, CURSOR_INTERVAL_MS);
  }

  setSelection(ids: string[]) {
    const current = this.provider.awareness.getLocalState()?.selection;
    if (JSON.stringify(current) === JSON.stringify(ids)) return;
    this.provider.awareness.setLocalStateField('selection', ids);
  }
}

function isPoint(value: unknown): value is XYPosition {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as XYPosition).x === 'number' &&
    typeof (value as XYPosition).y === 'number'
  );
}
