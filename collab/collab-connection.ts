import WebSocket from 'ws';
import type { Role } from '../model/roles';
import { isReadOnlyRole } from '../model/roles';
import { CloseCode, type CloseCodeValue } from './close-codes';
import { messageKind, NO_COLLAB_METRICS, type CollabMetrics } from './metrics';
import { encodeNotice, type Notice } from './protocol';

/** What every participant sees about a connection's user (awareness `user`). */
export interface PublicUser {
  id: string;
  name: string;
  color: string;
}

export interface ConnectionIdentity {
  user: PublicUser;
  diagramId: string;
  /** How the upgrade authenticated: cookie session, API token, or one-shot ticket. */
  method: 'session' | 'token' | 'ticket';
  /** A read-scoped API token never edits, whatever the role. */
  readScopedToken: boolean;
  /**
   * The session id or API token id the upgrade (or the ticket's issuer) authenticated with;
   * access re-checks close the connection (4401) once it is gone (logout, revocation, expiry).
   */
  credentialKind: 'session' | 'token' | null;
  credentialId: string | null;
  /** The client asked for JSON notices (`?notices=1`): refusals and role changes. */
  notices: boolean;
}

export interface ConnectionLimits {
  /** Bytes a connection may send before its room has loaded. */
  maxPreloadBytes: number;
  /** Bytes queued towards a slow reader before it is dropped. */
  maxBufferedBytes: number;
}

/**
 * One WebSocket peer in a room: who it is (fixed at the upgrade), its current role (access
 * re-checks may lower or raise it), the awareness client ids it speaks for, and its
 * liveness. Frames that arrive before the room has loaded wait in a bounded buffer.
 */
export class CollabConnection {
  role: Role;
  readOnly: boolean;
  /** Awareness client ids this connection has announced (removed when it closes). */
  readonly awarenessClients = new Set<number>();
  /** Pings sent without a pong since; two missed and the peer is dropped. */
  missedPongs = 0;
  private preload: Uint8Array[] | null = [];
  private preloadBytes = 0;
  private closing = false;

  constructor(
    readonly ws: WebSocket,
    readonly identity: ConnectionIdentity,
    role: Role,
    private readonly limits: ConnectionLimits,
    private readonly metrics: CollabMetrics = NO_COLLAB_METRICS,
  ) {
    this.role = role;
    this.readOnly = identity.readScopedToken || isReadOnlyRole(role);
  }

  get userId(): string {
    return this.identity.user.id;
  }

  get isClosed(): boolean {
    return this.closing || this.ws.readyState >= WebSocket.CLOSING;
  }

  /**
   * Applies a re-checked role: a demoted writer becomes read-only from the next frame on.
   * A client that takes notices is told, so its editor can switch without a reload.
   */
  setRole(role: Role): void {
    this.role = role;
    this.readOnly = this.identity.readScopedToken || isReadOnlyRole(role);
    this.notify({ kind: 'access', role, read_only: this.readOnly });
  }

  /** Sends a notice to a client that opted in; others never see message type 100. */
  notify(notice: Notice): void {
    if (this.identity.notices) this.send(encodeNotice(notice));
  }

  /** Buffers a frame received before the room is ready; false when the bound is exceeded. */
  bufferBeforeLoad(frame: Uint8Array): boolean {
    if (!this.preload) return true;
    this.preloadBytes += frame.byteLength;
    if (this.preloadBytes > this.limits.maxPreloadBytes) return false;
    this.preload.push(frame);
    return true;
  }

  /** Hands over the frames buffered before the load and stops buffering. */
  takeBufferedFrames(): Uint8Array[] {
    const frames = this.preload ?? [];
    this.preload = null;
    this.preloadBytes = 0;
    return frames;
  }

  get isBuffering(): boolean {
    return this.preload !== null;
  }

  /** Sends a frame; a peer that cannot keep up is closed instead of buffering without bound. */
  send(frame: Uint8Array): void {
    if (this.isClosed) return;
    if (this.ws.bufferedAmount > this.limits.maxBufferedBytes) {
      this.close(CloseCode.TryAgainLater, 'peer too slow');
      return;
    }
    // Errors surface as the socket's 'error'/'close' events; nothing to do per send.
    this.ws.send(frame, { binary: true }, () => {});
    this.metrics.messageSent(messageKind(frame));
  }

  /** Closes with a named code; a peer that never completes the close handshake is cut. */
  close(code: CloseCodeValue, reason: string): void {
    if (this.closing) return;
    this.closing = true;
    this.preload = null;
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) {
      this.ws.close(code, reason);
      setTimeout(() => this.ws.terminate(), 5_000).unref();
    }
  }

  terminate(): void {
    this.closing = true;
    this.ws.terminate();
  }
}
