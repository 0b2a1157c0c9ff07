/**
 * Transaction origins on a room's Y.Doc. The update observer uses them to decide who an
 * update is attributed to in the log, whom not to echo it to, and whether to log it at all.
 */

/** A server-side write (REST cell edit, version restore, comment) on behalf of `actorId`. */
export class ServerOrigin {
  /** Commit promises of the updates this transaction produced (callers await durability). */
  readonly commits: Array<Promise<boolean>> = [];
  constructor(readonly actorId: string | null) {}
}

/** An update relayed from another node: already logged there, so only broadcast locally. */
export const BUS_ORIGIN = Symbol('threatroom-bus');
