import { setPriority } from 'node:os';
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import * as encoding from 'lib0/encoding';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import * as Y from 'yjs';
import type { Cell } from '../../model/cells';
import type { TestUser } from '../setup/factories';
import { startTestServer, type TestServer } from '../setup/server';
import {
  connectClient,
  createDiagram,
  processCell,
  ticketFor,
  type TestClient,
} from './collab-helpers';

/**
 * ISSUE 10, acceptance 2 and 3: a reader asking for the whole document again and again costs
 * the node about one honest join, and presence is bounded per frame, per state and per
 * interval. The probe runs in the server's own process, so any stall of the event loop shows.
 */
let srv: TestServer;
let owner: TestUser;
let reader: TestUser;
let tm: { id: string };
const clients: TestClient[] = [];
const WAIT = { timeout: 10_000, interval: 20 };

beforeAll(async () => {
  srv = await startTestServer({ config: { COLLAB_UPGRADE_MAX_PER_IP: 10_000 } });
  [owner, reader] = await Promise.all([
    srv.newUser({ name: 'Olivia Owner' }),
    srv.newUser({ name: 'Rita Reader' }),
  ]);
  tm = await srv.newThreatModel(owner);
  await srv.grant(tm, reader, 'reader');
});
afterAll(async () => {
  for (const c of clients) c.destroy();
  await srv.close();
});

async function join(user: TestUser, diagramId: string, awarenessState?: Record<string, unknown>) {
  const ticket = await ticketFor(srv.as(user), diagramId);
  const client = await connectClient(srv.collabUrl, diagramId, { ticket, awarenessState });
  clients.push(client);
  return client;
}

/** A raw WebSocket into the room, counting the bytes the server sends it. */
async function rawPeer(user: TestUser, diagramId: string) {
  const ticket = await ticketFor(srv.as(user), diagramId);
  const ws = new WebSocket(`${srv.collabUrl}/${diagramId}?ticket=${ticket}`);
  let received = 0;
  let closeCode: number | null = null;
  ws.on('message', (data: Buffer) => {
    received += data.byteLength;
  });
  ws.on('close', (code) => {
    closeCode = code;
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    ws,
    received: () => received,
    closeCode: () => closeCode,
  };
}

function awarenessFrame(entries: Array<{ clientId: number; clock: number; state: unknown }>) {
  const update = encoding.createEncoder();
  encoding.writeVarUint(update, entries.length);
  for (const entry of entries) {
    encoding.writeVarUint(update, entry.clientId);
    encoding.writeVarUint(update, entry.clock);
    encoding.writeVarString(update, JSON.stringify(entry.state));
  }
  const frame = encoding.createEncoder();
  encoding.writeVarUint(frame, 1);
  encoding.writeVarUint8Array(frame, encoding.toUint8Array(update));
  return encoding.toUint8Array(frame);
}

/** Polls /api/health every 20 ms over the network; reports the worst latency seen. */
function startProbe() {
  const latencies: number[] = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const started = performance.now();
      const res = await fetch(`${srv.url}/api/health`);
      await res.arrayBuffer();
      latencies.push(performance.now() - started);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return { worst: Math.max(...latencies), count: latencies.length };
    },
  };
}

describe('bounded sync', () => {
  it('500 sync step 1 frames from a reader on a 5,000-cell diagram: the node stays responsive', async () => {
    const cells: Cell[] = Array.from({ length: 5_000 }, (_, i) =>
      processCell(`Element ${i}`, { x: i, y: i }),
    );
    const d = await createDiagram(srv.as(owner), tm.id, []);
    const put = await srv.as(owner).put(`/api/threat_models/${tm.id}/diagrams/${d}`, {
      name: 'Big',
      type: 'DFD-1.0.0',
      cells,
    });
    expect(put.status).toBe(200);
    const honest = await join(owner, d);
    const oneState = Y.encodeStateAsUpdate(honest.doc).byteLength;

    const peer = await rawPeer(reader, d);
    await vi.waitFor(() => expect(srv.collab.registry.get(d)?.connections.size).toBe(2), WAIT);
    const probe = startProbe();
    await new Promise((r) => setTimeout(r, 100));
    const step1 = new Uint8Array([0, 0, 1, 0]);
    for (let i = 0; i < 500; i++) peer.ws.send(step1);
    await vi.waitFor(() => expect(peer.closeCode()).not.toBeNull(), WAIT);
    await new Promise((r) => setTimeout(r, 300));
    const { worst, count } = await probe.stop();
    const room = srv.collab.registry.get(d)!;
    console.log(
      `[bounds] state ${oneState} B; sent to the reader ${peer.received()} B ` +
        `(${(peer.received() / oneState).toFixed(2)} states); whole-state encodings ${room.syncAnswers.encodings}; ` +
        `probe worst ${worst.toFixed(1)} ms over ${count} polls; closed ${peer.closeCode()}`,
    );
    expect(peer.closeCode()).toBe(1008);
    expect(peer.received()).toBeLessThanOrEqual(4 * oneState + 64 * 1024);
    expect(worst).toBeLessThan(100);
  });
});

describe('bounded presence', () => {
  it('2,000 client ids in one frame: at most 8 reach the others', async () => {
    const d = await createDiagram(srv.as(owner), tm.id, [processCell('A')]);
    const observer = await join(owner, d);
    const peer = await rawPeer(reader, d);
    const entries = Array.from({ length: 2_000 }, (_, i) => ({
      clientId: 1_000_000 + i,
      clock: 1,
      state: { cursor: { x: i, y: i } },
    }));
    peer.ws.send(awarenessFrame(entries));
    const fromReader = () =>
      [...observer.provider.awareness.getStates().values()].filter(
        (s) => (s as { user?: { id: string } }).user?.id === reader.id,
      ).length;
    await vi.waitFor(() => expect(fromReader()).toBeGreaterThan(0), WAIT);
    await new Promise((r) => setTimeout(r, 200));
    expect(fromReader()).toBe(8);
    peer.ws.close();
  });

  it('a 4 MiB state is not relayed; a flood of 64 KiB frames leaves honest cursors on time', async () => {
    const d = await createDiagram(srv.as(owner), tm.id, [processCell('A')]);
    const observer = await join(owner, d);
    const honest = await join(reader, d, { cursor: { x: 0, y: 0 } });
    const peer = await rawPeer(reader, d);
    const huge = 'x'.repeat(4 * 1024 * 1024);
    peer.ws.send(awarenessFrame([{ clientId: 77, clock: 1, state: { blob: huge } }]));
    peer.ws.send(awarenessFrame([{ clientId: 77, clock: 2, state: { cursor: { x: -1, y: -1 } } }]));
    const states = () =>
      [...observer.provider.awareness.getStates().values()] as Array<Record<string, unknown>>;
    // The small state after the huge one arrives; the huge one never did.
    await vi.waitFor(
      () => expect(states()).toContainEqual(expect.objectContaining({ cursor: { x: -1, y: -1 } })),
      WAIT,
    );
    expect(states().some((s) => 'blob' in s)).toBe(false);

    // The flood comes from a process of its own, as from another machine: its framing and
    // masking must not be billed to the server's event loop. On a 2-core test machine it also
    // runs at the lowest CPU priority, so that it takes a spare core rather than the server's
    // (on another machine it would take none); every frame it sends still reaches the server.
    const ticket = await ticketFor(srv.as(reader), d);
    const flooder = spawn(process.execPath, [
      fileURLToPath(new URL('./awareness-flood.mjs', import.meta.url)),
      `${srv.collabUrl}/${d}?ticket=${ticket}`,
    ]);
    if (flooder.pid) setPriority(flooder.pid, 19);
    await new Promise<void>((resolve, reject) => {
      flooder.stdout.once('data', () => resolve());
      flooder.once('exit', (code) => reject(new Error(`flooder exited ${code}`)));
    });
    const room = srv.collab.registry.get(d)!;
    const refusedBefore = room.refusedPresence;
    const floodStarted = performance.now();
    const latencies: number[] = [];
    try {
      for (let i = 1; i <= 10; i++) {
        const started = performance.now();
        honest.provider.awareness.setLocalStateField('cursor', { x: i, y: i });
        await vi.waitFor(
          () =>
            expect(states()).toContainEqual(expect.objectContaining({ cursor: { x: i, y: i } })),
          { timeout: 5_000, interval: 1 },
        );
        latencies.push(performance.now() - started);
        await new Promise((r) => setTimeout(r, 60));
      }
    } finally {
      flooder.kill();
    }
    const floodMs = performance.now() - floodStarted;
    const flooded = room.refusedPresence - refusedBefore;
    console.log(
      `[bounds] honest cursor latency during a 64 KiB flood: worst ${Math.max(...latencies).toFixed(1)} ms, ` +
        `median ${latencies.sort((a, b) => a - b)[5]!.toFixed(1)} ms; 64 KiB states read from the flooder ${flooded} in ${floodMs.toFixed(0)} ms`,
    );
    expect(states().some((s) => 'flood' in s)).toBe(false);
    // Throttled: the node reads a few frames per 50 ms interval (what its socket had already
    // buffered when it paused), not the thousands the flooder tries to send (~3,000 a second
    // unthrottled on this machine).
    expect(flooded).toBeGreaterThan(0);
    expect(flooded).toBeLessThanOrEqual((5 * floodMs) / 50 + 10);
    expect(Math.max(...latencies)).toBeLessThan(100);
    peer.ws.close();
  });
});
