import { randomUUID } from 'node:crypto';
import { expect, vi } from 'vitest';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import type { Cell, NodeCell } from '../../model/cells';
import { cellsFromDoc, cellsMap, upsertCell } from '../../model/ydoc';
import type { HttpClient } from '../setup/http';

/** A process cell with a fresh id. */
export function processCell(label: string, extra: Partial<NodeCell> = {}): NodeCell {
  return {
    id: randomUUID(),
    shape: 'process',
    x: 10,
    y: 20,
    width: 120,
    height: 60,
    label,
    ...extra,
  };
}

/** Creates a diagram through the REST API (the real service), optionally with cells. */
export async function createDiagram(
  api: HttpClient,
  tmId: string,
  cells: Cell[] = [],
): Promise<string> {
  const res = await api.post(`/api/threat_models/${tmId}/diagrams`, {
    name: `Diagram ${randomUUID().slice(0, 8)}`,
    type: 'DFD-1.0.0',
    cells,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
}

/** A `ws` WebSocket class that sends the given headers (cookie, Origin) on the upgrade. */
export function webSocketWithHeaders(headers: Record<string, string>): typeof WebSocket {
  return class extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols, { headers });
    }
  } as typeof WebSocket;
}

export interface TestClient {
  doc: Y.Doc;
  provider: WebsocketProvider;
  cells(): Cell[];
  cell(id: string): Cell | undefined;
  /** Writes a cell (all fields) in one local transaction. */
  upsert(cell: Cell): void;
  /** Sets one field of one cell. */
  setField(id: string, field: string, value: unknown): void;
  /** Resolves with the close code the server sent (for 44xx closes). */
  closed(): Promise<number>;
  destroy(): void;
}

export interface ConnectOptions {
  /** Cookie auth (reconnects work) instead of a one-shot ticket. */
  cookie?: string;
  /** The Origin header sent with cookie auth (browsers always send one). */
  origin?: string;
  /** A ticket from POST /api/collab/tickets. */
  ticket?: string;
  /** Wait until the first sync finished (default true). */
  waitForSync?: boolean;
  awarenessState?: Record<string, unknown>;
  maxBackoffTime?: number;
}

/**
 * The stock y-websocket WebsocketProvider in Node, with `ws` as the WebSocket. BroadcastChannel
 * is disabled: in one process it would sync providers directly, bypassing the server.
 */
export async function connectClient(
  collabUrl: string,
  diagramId: string,
  options: ConnectOptions,
): Promise<TestClient> {
  const doc = new Y.Doc();
  const headers: Record<string, string> = {};
  if (options.cookie) headers.cookie = options.cookie;
  if (options.origin) headers.origin = options.origin;
  const provider = new WebsocketProvider(collabUrl, diagramId, doc, {
    params: options.ticket ? { ticket: options.ticket } : {},
    WebSocketPolyfill: webSocketWithHeaders(headers) as never,
    disableBc: true,
    maxBackoffTime: options.maxBackoffTime ?? 300,
  });
  if (options.awarenessState) provider.awareness.setLocalState(options.awarenessState);
  const closed = new Promise<number>((resolve) => {
    provider.on('connection-close', (event) => {
      if (event && event.code >= 4000) resolve(event.code);
    });
  });
  if (options.waitForSync !== false) {
    await vi.waitFor(() => expect(provider.synced).toBe(true), { timeout: 10_000, interval: 10 });
  }
  return {
    doc,
    provider,
    cells: () => cellsFromDoc(doc),
    cell: (id) => cellsFromDoc(doc).find((c) => c.id === id),
    upsert: (cell) => doc.transact(() => upsertCell(doc, cell)),
    setField: (id, field, value) =>
      doc.transact(() => {
        cellsMap(doc).get(id)?.set(field, value);
      }),
    closed: () => closed,
    destroy: () => {
      provider.destroy();
      doc.destroy();
    },
  };
}

/** Asks the API for a one-shot ticket to `diagramId` as `api`'s user. */
export async function ticketFor(api: HttpClient, diagramId: string): Promise<string> {
  const res = await api.post('/api/collab/tickets', { diagram_id: diagramId });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.ticket as string;
}

/** Raw upgrade attempt: resolves with the HTTP status of a refusal, or 101 when upgraded. */
export function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('open', () => {
      resolve(101);
      ws.close();
    });
    ws.on('error', (err) => {
      if (!/Unexpected server response/.test(String(err))) reject(err);
    });
  });
}
