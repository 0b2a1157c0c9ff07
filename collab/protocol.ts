import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';

/**
 * The y-websocket wire protocol, decoded by hand. y-protocols' `readSyncMessage` applies
 * step 2 and update messages to the document as it reads them, which leaves no room to refuse
 * a read-only peer's edit; here a frame is first decoded into a plain value and the room
 * decides what to do with it.
 */
export const MessageType = {
  Sync: 0,
  Awareness: 1,
  Auth: 2,
  QueryAwareness: 3,
  /** Ours: a JSON notice for clients that opted in with `?notices=1` (docs/api.md). */
  Notice: 100,
} as const;
export const SyncType = { Step1: 0, Step2: 1, Update: 2 } as const;

export type ClientMessage =
  | { type: 'sync-step1'; stateVector: Uint8Array }
  | { type: 'sync-step2'; update: Uint8Array }
  | { type: 'update'; update: Uint8Array }
  | { type: 'awareness'; update: Uint8Array }
  | { type: 'query-awareness' }
  | { type: 'auth' };

/** Raised for frames that are not valid protocol messages; the room closes the connection. */
export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}

/** Decodes one frame; throws ProtocolError (or lib0's end-of-array error) when malformed. */
export function decodeMessage(frame: Uint8Array): ClientMessage {
  const decoder = decoding.createDecoder(frame);
  const type = decoding.readVarUint(decoder);
  switch (type) {
    case MessageType.Sync: {
      const syncType = decoding.readVarUint(decoder);
      const payload = decoding.readVarUint8Array(decoder);
      if (syncType === SyncType.Step1) return { type: 'sync-step1', stateVector: payload };
      if (syncType === SyncType.Step2) return { type: 'sync-step2', update: payload };
      if (syncType === SyncType.Update) return { type: 'update', update: payload };
      throw new ProtocolError(`unknown sync message type ${syncType}`);
    }
    case MessageType.Awareness:
      return { type: 'awareness', update: decoding.readVarUint8Array(decoder) };
    case MessageType.QueryAwareness:
      return { type: 'query-awareness' };
    case MessageType.Auth:
      return { type: 'auth' };
    default:
      throw new ProtocolError(`unknown message type ${type}`);
  }
}

function frame(write: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder();
  write(encoder);
  return encoding.toUint8Array(encoder);
}

/** Sync step 1: our state vector, asking the peer for what we lack. */
export function encodeSyncStep1(doc: Y.Doc): Uint8Array {
  return frame((e) => {
    encoding.writeVarUint(e, MessageType.Sync);
    encoding.writeVarUint(e, SyncType.Step1);
    encoding.writeVarUint8Array(e, Y.encodeStateVector(doc));
  });
}

/** Sync step 2: everything in `doc` the peer's state vector does not cover. */
export function encodeSyncStep2(doc: Y.Doc, stateVector: Uint8Array): Uint8Array {
  const update = Y.encodeStateAsUpdate(doc, stateVector);
  return frame((e) => {
    encoding.writeVarUint(e, MessageType.Sync);
    encoding.writeVarUint(e, SyncType.Step2);
    encoding.writeVarUint8Array(e, update);
  });
}

/** A document update broadcast to peers. */
export function encodeUpdate(update: Uint8Array): Uint8Array {
  return frame((e) => {
    encoding.writeVarUint(e, MessageType.Sync);
    encoding.writeVarUint(e, SyncType.Update);
    encoding.writeVarUint8Array(e, update);
  });
}

/** An awareness update (y-protocols encoding) broadcast to peers. */
export function encodeAwareness(update: Uint8Array): Uint8Array {
  return frame((e) => {
    encoding.writeVarUint(e, MessageType.Awareness);
    encoding.writeVarUint8Array(e, update);
  });
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export interface AwarenessEntry {
  clientId: number;
  clock: number;
  /** null means "this client left". */
  state: Record<string, unknown> | null;
}

/**
 * Splits an awareness update into its entries; throws on malformed input or non-object state.
 * Entries whose state is longer than `maxStateBytes` are counted in `oversized` and left out
 * without being parsed.
 */
export function decodeAwarenessUpdate(
  update: Uint8Array,
  maxStateBytes = Infinity,
): { entries: AwarenessEntry[]; oversized: number } {
  const decoder = decoding.createDecoder(update);
  const count = decoding.readVarUint(decoder);
  const entries: AwarenessEntry[] = [];
  let oversized = 0;
  for (let i = 0; i < count; i++) {
    const clientId = decoding.readVarUint(decoder);
    const clock = decoding.readVarUint(decoder);
    // The state's length comes first: an oversized one is skipped without decoding it.
    const length = decoding.readVarUint(decoder);
    const bytes = decoding.readUint8Array(decoder, length);
    if (length > maxStateBytes) {
      oversized++;
      continue;
    }
    const state: unknown = JSON.parse(utf8.decode(bytes));
    if (state !== null && (typeof state !== 'object' || Array.isArray(state))) {
      throw new ProtocolError('awareness state must be an object or null');
    }
    entries.push({ clientId, clock, state: state as AwarenessEntry['state'] });
  }
  return { entries, oversized };
}

/** Encodes awareness entries back into y-protocols' awareness update format. */
export function encodeAwarenessUpdate(entries: AwarenessEntry[]): Uint8Array {
  return frame((e) => {
    encoding.writeVarUint(e, entries.length);
    for (const entry of entries) {
      encoding.writeVarUint(e, entry.clientId);
      encoding.writeVarUint(e, entry.clock);
      encoding.writeVarString(e, JSON.stringify(entry.state));
    }
  });
}

/** What the server tells clients that opted in to notices (`?notices=1`). */
export type Notice =
  { kind: 'refused'; reason: string } | { kind: 'access'; role: string; read_only: boolean };

/** A notice frame: message type 100, then the notice as a JSON string. */
export function encodeNotice(notice: Notice): Uint8Array {
  return frame((e) => {
    encoding.writeVarUint(e, MessageType.Notice);
    encoding.writeVarString(e, JSON.stringify(notice));
  });
}
