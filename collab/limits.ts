/**
 * The numbers collab runs by. The host maps its own configuration onto them (server/ from
 * its COLLAB_* settings), so collab never reads the server's configuration.
 */
export interface CollabLimits {
  /** Largest WebSocket message; ws closes with 1009 beyond. */
  maxMessageBytes: number;
  /** Live connections per user on this node (4429 beyond). */
  maxConnectionsPerUser: number;
  /** Live connections per diagram room (4429 beyond). */
  maxConnectionsPerRoom: number;
  /** Bytes a connection may send before its room has loaded (1009 beyond). */
  maxPreloadBufferBytes: number;
  /** WebSocket ping interval; a peer missing two pings in a row is cut. */
  pingIntervalMs: number;
  /** How often live connections re-check their credentials and roles. */
  accessRecheckMs: number;
  /** Group-commit window of the update log. */
  flushIntervalMs: number;
  /** Compaction debounce: quiet time… */
  compactQuietMs: number;
  /** …and longest wait. */
  compactMaxMs: number;
  /** At most one automatic version per this much continuous editing. */
  autoVersionIntervalMs: number;
  /** Sync step 1 answers per connection: a burst of this many… */
  syncBurst: number;
  /** …then one per this interval; later requests wait (the latest wins), a flood is closed. */
  syncIntervalMs: number;
  /** Largest awareness state of one client, in bytes of JSON (not relayed beyond). */
  maxAwarenessStateBytes: number;
  /** Shortest time between two awareness frames relayed for one connection (latest wins). */
  awarenessIntervalMs: number;
  /** A live update deleting more than this many cells… */
  preWipeCells: number;
  /** …or more than this share of them records a `pre_wipe` version first. */
  preWipeShare: number;
  /** Live edits of one user on one diagram are audited as one entry per this window. */
  auditWindowMs: number;
}
