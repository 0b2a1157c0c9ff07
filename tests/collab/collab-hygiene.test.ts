import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as encoding from 'lib0/encoding';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { CloseCode } from '../../collab';
import type { TestUser } from '../setup/factories';
import { startTestServer, type TestServer } from '../setup/server';
import { connectClient, createDiagram, processCell, type TestClient } from './collab-helpers';
import { exclusively } from './timing-lock';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let srv: TestServer;
let owner: TestUser;
let other: TestUser;
let tm: { id: string };
let d: string;
let bystander: TestClient;

beforeAll(async () => {
  srv = await startTestServer({
    config: {
      COLLAB_MAX_CONNECTIONS_PER_USER: 12,
      COLLAB_MAX_CONNECTIONS_PER_ROOM: 16,
      COLLAB_PING_INTERVAL_MS: 150,
      // A thousand reconnects from one address are this test's point, not a flood.
      COLLAB_UPGRADE_MAX_PER_IP: 1_000_000,
    },
  });
  [owner, other] = await Promise.all([srv.newUser(), srv.newUser()]);
  tm = await srv.newThreatModel(owner);
  await srv.grant(tm, other, 'writer');
  d = await createDiagram(srv.as(owner), tm.id, [processCell('Keep me')]);
  bystander = await connectClient(srv.collabUrl, d, { cookie: other.cookie });
});
afterAll(async () => {
  bystander?.destroy();
  await srv.close();
});

/** A raw socket as `user`; resolves once open (after the server's first sync message). */
function rawSocket(user: TestUser, options: WebSocket.ClientOptions = {}) {
  const ws = new WebSocket(`${srv.collabUrl}/${d}`, {
    headers: { cookie: user.cookie },
    ...options,
  });
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  ws.on('error', () => {});
  const firstMessage = new Promise<void>((resolve) => ws.once('message', () => resolve()));
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('close', (code) => reject(new Error(`closed ${code} before opening`)));
  });
  return { ws, closed, opened, firstMessage };
}

/** The bystander still edits and receives edits: the room is healthy. */
async function roomStillWorks() {
  const probe = processCell(`probe ${Math.random()}`);
  const viaRest = await srv
    .as(owner)
    .get(`/api/threat_models/${tm.id}/diagrams/${d}`)
    .then((r) => r.body.cells.length);
  bystander.upsert(probe);
  await vi.waitFor(async () => {
    const res = await srv.as(owner).get(`/api/threat_models/${tm.id}/diagrams/${d}`);
    expect(res.body.cells.length).toBe(viaRest + 1);
  });
}

const syncFrame = (syncType: number, payload: Uint8Array) => {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 0);
  encoding.writeVarUint(e, syncType);
  encoding.writeVarUint8Array(e, payload);
  return encoding.toUint8Array(e);
};

describe('malformed and hostile input', () => {
  it('closes only the offending connection for garbage, text, corrupt updates and bad awareness', async () => {
    const cases: Array<[string, Uint8Array | string, number]> = [
      [
        'garbage',
        new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]),
        1007,
      ],
      ['unknown type', new Uint8Array([9, 1, 2, 3]), 1007],
      ['truncated sync', new Uint8Array([0, 2, 50, 1, 2]), 1007],
      ['corrupt update', syncFrame(2, new Uint8Array([5, 200, 13, 7, 99, 1, 2, 3, 4, 5, 6])), 1007],
      ['corrupt state vector', syncFrame(0, new Uint8Array([3, 0xff])), 1007],
      ['text frame', 'hello', 1003],
      [
        'bad awareness',
        (() => {
          const e = encoding.createEncoder();
          encoding.writeVarUint(e, 1);
          const inner = encoding.createEncoder();
          encoding.writeVarUint(inner, 1);
          encoding.writeVarUint(inner, 42);
          encoding.writeVarUint(inner, 1);
          encoding.writeVarString(inner, '{not json');
          encoding.writeVarUint8Array(e, encoding.toUint8Array(inner));
          return encoding.toUint8Array(e);
        })(),
        1007,
      ],
    ];
    for (const [name, frame, expected] of cases) {
      const s = rawSocket(owner);
      await s.firstMessage;
      s.ws.send(frame);
      expect(await s.closed, name).toBe(expected);
    }
    expect(bystander.provider.wsconnected).toBe(true);
    expect(bystander.cells().map((c) => c.label)).toContain('Keep me');
    await roomStillWorks();
  });

  it('closes a 20 MiB frame with 1009 and keeps serving', async () => {
    const s = rawSocket(owner);
    await s.firstMessage;
    s.ws.send(syncFrame(2, new Uint8Array(20 * 1024 * 1024)));
    expect(await s.closed).toBe(CloseCode.MessageTooBig);
    await roomStillWorks();
  });

  it('caps connections per user and per room with 4429', async () => {
    const extra = await srv.newUser();
    await srv.grant(tm, extra, 'reader');
    const mine = Array.from({ length: 11 }, () => rawSocket(owner)); // + bystander's user differs
    await Promise.all(mine.map((s) => s.firstMessage));
    const twelfth = rawSocket(owner);
    await twelfth.firstMessage;
    const thirteenth = rawSocket(owner);
    expect(await thirteenth.closed).toBe(CloseCode.TooManyConnections);
    // Room: 12 (owner) + 1 (bystander) + 3 = 16 is the cap; the 17th is refused.
    const theirs = Array.from({ length: 3 }, () => rawSocket(extra));
    await Promise.all(theirs.map((s) => s.firstMessage));
    const seventeenth = rawSocket(extra);
    expect(await seventeenth.closed).toBe(CloseCode.TooManyConnections);
    for (const s of [...mine, twelfth, ...theirs]) s.ws.close();
    await Promise.all([...mine, twelfth, ...theirs].map((s) => s.closed));
    await roomStillWorks();
  });

  it('drops a peer that stops answering pings', async () => {
    const s = rawSocket(owner, { autoPong: false });
    await s.opened;
    const code = await s.closed;
    // Terminated without a close frame: the client sees an abnormal closure.
    expect(code).toBe(1006);
    await roomStillWorks();
  });
});

describe('churn', () => {
  it('1,000 connect/disconnect cycles: server up, bystander fine, rooms unloaded, memory back', async () => {
    const cycle = async () => {
      const s = rawSocket(owner);
      await s.firstMessage;
      s.ws.close();
      await s.closed;
    };
    // Warm up, then take the baseline with the bystander still in.
    for (let i = 0; i < 20; i++) await cycle();
    gc();
    const baseline = process.memoryUsage().heapUsed;
    const elapsed = await exclusively(async () => {
      const started = Date.now();
      for (let i = 0; i < 100; i++) await Promise.all(Array.from({ length: 10 }, cycle));
      return Date.now() - started;
    });
    await roomStillWorks();
    expect(srv.collab.connectionCount()).toBe(1);
    const room = srv.collab.registry.get(d)!;
    expect(room.connections.size).toBe(1);
    // Only the bystander's awareness entry may remain.
    expect(room.awareness.getStates().size).toBeLessThanOrEqual(1);

    bystander.destroy();
    // Unloading waits until the churn's participant bookkeeping is written.
    await vi.waitFor(
      () => {
        expect(srv.collab.registry.size).toBe(0);
        expect(srv.collab.connectionCount()).toBe(0);
      },
      { timeout: 20_000, interval: 50 },
    );
    await srv.collab.registry.settled();
    gc();
    const after = process.memoryUsage().heapUsed;
    console.log(
      `1,000 cycles in ${elapsed} ms; heap ${(baseline / 2 ** 20).toFixed(1)} MiB → ${(after / 2 ** 20).toFixed(1)} MiB`,
    );
    expect(after - baseline).toBeLessThan(8 * 2 ** 20);
  }, 180_000);
});
