import type { CompactionResult } from './persistence';
import { MessageType } from './protocol';

/** The outer y-websocket message type of a frame, as a metric label. */
export type CollabMessageKind = 'sync' | 'awareness' | 'auth' | 'query_awareness' | 'unknown';

/** Why a frame from a peer was not applied. */
export type RefusedFrameReason =
  /** A document update from a read-only peer (reader, reviewer, read-scoped token). */
  | 'read_only'
  /** A document update touching the server-owned roots (comments, threats). */
  | 'server_owned'
  /** A document update the cell rules refuse (collab/update-rules.ts; the peer is closed 4422). */
  | 'invalid_update'
  /** Not a valid protocol message (the connection is closed). */
  | 'malformed'
  /** A text frame (the connection is closed). */
  | 'not_binary'
  /** More bytes than allowed before the room loaded (the connection is closed). */
  | 'preload_overflow';

/**
 * What collab reports about its own work, for the host to export (server/ implements it with
 * prom-client). Counts and durations only: the levels (rooms, connections, queue depth) the
 * host reads from `CollabServer` when it is scraped. Every method must be cheap and must not
 * throw; the default does nothing.
 */
export interface CollabMetrics {
  /** One frame arrived from a peer. */
  messageReceived(kind: CollabMessageKind): void;
  /** One frame was sent to a peer. */
  messageSent(kind: CollabMessageKind): void;
  frameRefused(reason: RefusedFrameReason): void;
  /** One group-commit write of the update log finished (committed, or failed and requeued). */
  updateLogFlushed(seconds: number, outcome: 'committed' | 'failed'): void;
  /**
   * One compaction attempt of a diagram's update log finished: folded rows in, found nothing
   * to fold, found another process compacting (`busy`), found the diagram gone, or failed.
   */
  compacted(seconds: number, outcome: CompactionResult | 'failed'): void;
}

/** The default sink: records nothing. */
export const NO_COLLAB_METRICS: CollabMetrics = {
  messageReceived() {},
  messageSent() {},
  frameRefused() {},
  updateLogFlushed() {},
  compacted() {},
};

const KINDS: Record<number, CollabMessageKind> = {
  [MessageType.Sync]: 'sync',
  [MessageType.Awareness]: 'awareness',
  [MessageType.Auth]: 'auth',
  [MessageType.QueryAwareness]: 'query_awareness',
};

/**
 * A frame's message kind from its first byte (a varuint; the four types are all below 128,
 * so one byte names them), without decoding the rest.
 */
export function messageKind(frame: Uint8Array): CollabMessageKind {
  return (frame.length && KINDS[frame[0]!]) || 'unknown';
}

/** Seconds since `start` (a `performance.now()` reading). */
export function secondsSince(start: number): number {
  return (performance.now() - start) / 1000;
}
