/**
 * Every WebSocket close code the collab server sends, in one place (ARCHITECTURE.md §5).
 * Stock y-websocket clients treat 4400–4499 as permanent (no reconnect) and reconnect with
 * backoff after anything else, which is why transient conditions use standard 1xxx codes.
 */
export const CloseCode = {
  /** Server shutting down; clients reconnect to another node or after the restart. */
  GoingAway: 1001,
  /** A text frame, or a message type the protocol does not know. */
  UnsupportedData: 1003,
  /** A frame that does not decode as y-protocols sync/awareness (or a corrupt Yjs update). */
  InvalidPayload: 1007,
  /** A peer that keeps asking for the whole document (sync step 1 flood). */
  PolicyViolation: 1008,
  /** A frame over COLLAB_MAX_MESSAGE_BYTES, or too much sent before the room loaded. */
  MessageTooBig: 1009,
  /** An unexpected server fault while handling this connection. */
  InternalError: 1011,
  /** The room could not be loaded yet (database unreachable), or the peer reads too slowly. */
  TryAgainLater: 1013,
  /** The credentials stopped being valid. */
  Unauthenticated: 4401,
  /** Access to the diagram was revoked. */
  Forbidden: 4403,
  /** The diagram no longer exists. */
  NotFound: 4404,
  /** The peer stopped answering pings. */
  Timeout: 4408,
  /**
   * A document update broke the cell rules (docs/api.md) and was refused whole; the reason
   * names the rule. The client's copy has diverged: it must start from a fresh document.
   */
  UpdateRefused: 4422,
  /** Connection cap per user or per room reached. */
  TooManyConnections: 4429,
} as const;

export type CloseCodeValue = (typeof CloseCode)[keyof typeof CloseCode];
