import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { performance } from 'node:perf_hooks';
import { asc, eq } from 'drizzle-orm';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { createRedisBus, loadDocument, type CollabServer } from '../../collab';
import { schema } from '../../db';
import { colorForUser } from '../../model/user-color';
import { cellsFromDoc } from '../../model/ydoc';
import { createApp } from '../../server/app';
import { createCollab } from '../../server/collab-host';
import { defaultConfig } from '../../server/config';
import { createTestDatabase, type TestDatabase } from '../setup/database';
import { createFactories, type TestUser } from '../setup/factories';
import { createHttpClient, type Credentials } from '../setup/http';
import {
  connectClient,
  createDiagram,
  processCell,
  ticketFor,
  type ConnectOptions,
  type TestClient,
} from './collab-helpers';
import { startTcpProxy, type TcpProxy } from './tcp-proxy';

/**
 * Two collab nodes in one process, sharing one database and relaying through a real Redis
 * (ARCHITECTURE.md §1 "Scale-out"). Node B reaches Redis through a TCP proxy so a test can
 * cut it off: messages published meanwhile are really lost, and only the state-vector resync
 * can bring them back.
 */
const REDIS_URL = process.env.REDIS_URL;
const redisIsLocal =
  !!REDIS_URL && ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(REDIS_URL).hostname);

interface Node {
  id: string;
  collab: CollabServer;
  collabUrl: string;
  api(who: Credentials): ReturnType<typeof createHttpClient>;
  close(): Promise<void>;
}

const WAIT = { timeout: 15_000, interval: 20 };
/** Shorter than y-protocols' 15 s awareness renewal: what arrives must not wait for it. */
const FAST = { timeout: 5_000, interval: 20 };

describe.skipIf(!REDIS_URL)(
  'two collab nodes over Redis (skipped: set REDIS_URL, e.g. redis://127.0.0.1:6379, to run)',
  () => {
    let db: TestDatabase;
    let a: Node;
    let b: Node;
    let proxy: TcpProxy | null = null;
    let owner: TestUser;
    let writer: TestUser;
    let reader: TestUser;
    let tm: { id: string };
    const clients: TestClient[] = [];
    // A namespace of our own: parallel test files and CI runs on the same Redis never meet.
    const channelPrefix = `threatroom-test:${process.pid}:${randomUUID()}:`;

    async function startNode(id: string, redisUrl: string): Promise<Node> {
      const config = defaultConfig({
        // Keep every logged row: compaction would fold them away before we inspect them.
        COLLAB_COMPACT_QUIET_MS: 600_000,
        COLLAB_COMPACT_MAX_MS: 600_000,
      });
      const logger = pino({ level: 'silent' });
      const bus = createRedisBus({ url: redisUrl, nodeId: id, logger, channelPrefix });
      const collab = createCollab({ config, db, logger, nodeId: id, bus });
      const app = createApp({ config, db, logger, live: collab.live });
      const server = await new Promise<ServerType>((resolve) => {
        const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
      });
      server.on('upgrade', (req, socket, head) => collab.handleUpgrade(req, socket, head));
      const { port } = server.address() as AddressInfo;
      return {
        id,
        collab,
        collabUrl: `ws://127.0.0.1:${port}/collab`,
        api: (who) => createHttpClient(app, who),
        close: async () => {
          server.close();
          await collab.close();
        },
      };
    }

    beforeAll(async () => {
      db = await createTestDatabase();
      const url = new URL(REDIS_URL!);
      a = await startNode('node-a', url.toString());
      if (redisIsLocal) {
        proxy = await startTcpProxy(Number(url.port || 6379));
        url.hostname = '127.0.0.1';
        url.port = String(proxy.port);
      }
      b = await startNode('node-b', url.toString());
      const f = createFactories(db.db);
      [owner, writer, reader] = await Promise.all([
        f.newUser({ name: 'Olivia Owner' }),
        f.newUser({ name: 'Walter Writer' }),
        f.newUser({ name: 'Rita Reader' }),
      ]);
      tm = await f.newThreatModel(owner);
      await f.grant(tm, writer, 'writer');
      await f.grant(tm, reader, 'reader');
    });
    afterAll(async () => {
      for (const c of clients) c.destroy();
      await Promise.all([a?.close(), b?.close()]);
      await proxy?.close();
      await db?.close();
    });

    async function join(
      node: Node,
      user: TestUser,
      diagramId: string,
      extra: Partial<ConnectOptions> = {},
    ) {
      const ticket = await ticketFor(node.api(user), diagramId);
      const client = await connectClient(node.collabUrl, diagramId, { ticket, ...extra });
      clients.push(client);
      return client;
    }

    const roomDoc = (node: Node, diagramId: string) => {
      const room = node.collab.registry.get(diagramId);
      expect(room, `${node.id} holds the room`).toBeDefined();
      return room!.doc;
    };

    /** Both nodes' docs hold the same structs and the same cells. */
    function expectNodesEqual(diagramId: string) {
      const docA = roomDoc(a, diagramId);
      const docB = roomDoc(b, diagramId);
      expect(Y.encodeStateVector(docB)).toEqual(Y.encodeStateVector(docA));
      expect(sortById(cellsFromDoc(docB))).toEqual(sortById(cellsFromDoc(docA)));
    }

    /**
     * Every logged row was logged by the node whose client made it, and no Yjs struct was
     * logged twice (a relayed or resynced update appended again would overlap a clock range).
     */
    async function expectLoggedOnce(diagramId: string, authors: Map<number, string>) {
      await Promise.all([
        a.collab.updateLog.whenDrained(diagramId),
        b.collab.updateLog.whenDrained(diagramId),
      ]);
      const rows = await db.db
        .select()
        .from(schema.diagramUpdates)
        .where(eq(schema.diagramUpdates.diagramId, diagramId))
        .orderBy(asc(schema.diagramUpdates.seq));
      const ranges = new Map<number, Array<[number, number]>>();
      for (const row of rows) {
        const meta = Y.parseUpdateMeta(new Uint8Array(row.update));
        for (const [client, to] of meta.to) {
          const from = meta.from.get(client) ?? 0;
          if (authors.has(client)) expect(row.origin, `client ${client}`).toBe(authors.get(client));
          const seen = ranges.get(client) ?? [];
          for (const [f, t] of seen) {
            expect(from >= t || to <= f, `client ${client} [${from},${to}) logged twice`).toBe(
              true,
            );
          }
          seen.push([from, to]);
          ranges.set(client, seen);
        }
      }
      for (const client of authors.keys()) {
        expect(ranges.has(client), `client ${client} logged`).toBe(true);
      }
      // And the log alone reproduces the live state.
      const loaded = await loadDocument(db.db, diagramId);
      expect(sortById(cellsFromDoc(loaded!.doc))).toEqual(
        sortById(cellsFromDoc(roomDoc(a, diagramId))),
      );
      return rows;
    }

    it('writers on different nodes converge; each update is logged once, by its node', async () => {
      const d = await createDiagram(a.api(owner), tm.id);
      const onA = await join(a, owner, d);
      const onB = await join(b, writer, d);
      const cellA = processCell('from node A');
      const cellB = processCell('from node B');
      // Concurrent: neither has seen the other's edit when it makes its own.
      onA.upsert(cellA);
      onB.upsert(cellB);
      await vi.waitFor(() => {
        for (const c of [onA, onB]) {
          expect(c.cell(cellA.id)?.label).toBe('from node A');
          expect(c.cell(cellB.id)?.label).toBe('from node B');
        }
        expectNodesEqual(d);
      }, WAIT);
      // Same field, both sides: one value wins everywhere.
      onA.setField(cellA.id, 'label', 'A renamed by A');
      onB.setField(cellA.id, 'label', 'A renamed by B');
      await vi.waitFor(() => {
        expect(onA.cell(cellA.id)?.label).toBe(onB.cell(cellA.id)?.label);
        expect(onA.cell(cellA.id)?.label).toMatch(/^A renamed by [AB]$/);
        expectNodesEqual(d);
      }, WAIT);
      const rows = await expectLoggedOnce(
        d,
        new Map([
          [onA.doc.clientID, 'node-a'],
          [onB.doc.clientID, 'node-b'],
        ]),
      );
      const byOrigin = new Set(rows.map((r) => r.origin));
      expect(byOrigin).toEqual(new Set(['node-a', 'node-b']));
    });

    it('awareness (cursor and server-filled user) crosses nodes', async () => {
      const d = await createDiagram(a.api(owner), tm.id);
      const onA = await join(a, writer, d, {
        awarenessState: { cursor: { x: 12, y: 34 }, user: { name: 'Forged Name' } },
      });
      const onB = await join(b, reader, d);
      const expected = {
        cursor: { x: 12, y: 34 },
        user: { id: writer.id, name: 'Walter Writer', color: colorForUser(writer.id) },
      };
      await vi.waitFor(() => {
        expect(onB.provider.awareness.getStates().get(onA.doc.clientID)).toEqual(expected);
      }, FAST);
      // A later move crosses too.
      onA.provider.awareness.setLocalStateField('cursor', { x: 56, y: 78 });
      await vi.waitFor(() => {
        expect(onB.provider.awareness.getStates().get(onA.doc.clientID)).toEqual({
          ...expected,
          cursor: { x: 56, y: 78 },
        });
      }, FAST);
      // The reader's presence reaches node A's writer as well.
      onB.provider.awareness.setLocalStateField('cursor', { x: 1, y: 2 });
      await vi.waitFor(() => {
        expect(onA.provider.awareness.getStates().get(onB.doc.clientID)).toMatchObject({
          cursor: { x: 1, y: 2 },
          user: { id: reader.id, name: 'Rita Reader' },
        });
      }, FAST);
    });

    it.skipIf(!redisIsLocal)(
      'updates lost while a node is cut off from Redis are healed by state-vector resync',
      async () => {
        const d = await createDiagram(a.api(owner), tm.id);
        const onA = await join(a, owner, d);
        const onB = await join(b, writer, d);
        const before = processCell('before the outage');
        onA.upsert(before);
        await vi.waitFor(() => expect(onB.cell(before.id)).toBeDefined(), WAIT);

        // Node B loses Redis: its subscriber and publisher connections are cut.
        proxy!.cut();
        const fromA = processCell('A during the outage');
        const fromB = processCell('B during the outage');
        onA.upsert(fromA);
        onB.upsert(fromB);
        // Both edits are accepted and logged by their own node...
        await vi.waitFor(() => {
          expect(roomDoc(a, d).getMap('cells').has(fromA.id)).toBe(true);
          expect(roomDoc(b, d).getMap('cells').has(fromB.id)).toBe(true);
        }, WAIT);
        await a.collab.updateLog.whenDrained(d);
        await b.collab.updateLog.whenDrained(d);
        // ...and the relay is gone for good: A published to a channel B no longer listens on,
        // B's publish failed. Nothing retransmits these messages.
        expect(cellsFromDoc(roomDoc(b, d)).some((c) => c.id === fromA.id)).toBe(false);
        expect(cellsFromDoc(roomDoc(a, d)).some((c) => c.id === fromB.id)).toBe(false);

        // Redis is back; the periodic resync (30 s by default) is far away, so what heals
        // here is the two-way state-vector exchange on reconnect.
        const healStart = Date.now();
        proxy!.restore();
        await vi.waitFor(() => {
          for (const c of [onA, onB]) {
            expect(c.cell(fromA.id)?.label).toBe('A during the outage');
            expect(c.cell(fromB.id)?.label).toBe('B during the outage');
          }
          expectNodesEqual(d);
        }, WAIT);
        expect(Date.now() - healStart).toBeLessThan(10_000);

        // Live relay works again after the heal.
        const after = processCell('after the outage');
        onB.upsert(after);
        await vi.waitFor(() => expect(onA.cell(after.id)).toBeDefined(), WAIT);

        // The resync answers were applied as relayed updates: nothing was logged twice.
        await expectLoggedOnce(
          d,
          new Map([
            [onA.doc.clientID, 'node-a'],
            [onB.doc.clientID, 'node-b'],
          ]),
        );
      },
    );

    it('a reader on node B cannot inject edits that reach node A or the log', async () => {
      const d = await createDiagram(a.api(owner), tm.id);
      const writerOnA = await join(a, owner, d);
      const writerOnB = await join(b, writer, d);
      const readerOnB = await join(b, reader, d);
      const refusedBefore = b.collab.registry.get(d)!.refusedUpdates;
      const forged = processCell('forged by the reader');
      readerOnB.upsert(forged);
      await vi.waitFor(
        () => expect(b.collab.registry.get(d)!.refusedUpdates).toBeGreaterThan(refusedBefore),
        WAIT,
      );
      // A barrier through node B's publisher: anything B would have relayed before it is
      // delivered to A before this edit.
      const barrier = processCell('barrier from B');
      writerOnB.upsert(barrier);
      await vi.waitFor(() => expect(writerOnA.cell(barrier.id)).toBeDefined(), WAIT);
      expect(writerOnA.cell(forged.id)).toBeUndefined();
      expect(roomDoc(a, d).getMap('cells').has(forged.id)).toBe(false);
      expect(roomDoc(b, d).getMap('cells').has(forged.id)).toBe(false);
      expect(writerOnB.cell(forged.id)).toBeUndefined();
      // A periodic-style resync from B's room cannot carry it either: B never applied it.
      const rows = await expectLoggedOnce(d, new Map([[writerOnB.doc.clientID, 'node-b']]));
      for (const row of rows) {
        const meta = Y.parseUpdateMeta(new Uint8Array(row.update));
        expect(meta.to.has(readerOnB.doc.clientID)).toBe(false);
      }
    });

    it('access changes made on node A bite on node B within 1 s (revoke closes, demote is read-only)', async () => {
      const f = createFactories(db.db);
      const [gone, demoted] = await Promise.all([
        f.newUser({ name: 'Gus Gone' }),
        f.newUser({ name: 'Dee Moted' }),
      ]);
      await f.grant(tm, gone, 'writer');
      await f.grant(tm, demoted, 'writer');
      const cell = processCell('Ledger');
      const d = await createDiagram(a.api(owner), tm.id, [cell]);
      const goneOnB = await join(b, gone, d);
      await join(b, demoted, d);
      goneOnB.setField(cell.id, 'label', 'still editing');
      await vi.waitFor(
        () =>
          expect(
            (roomDoc(b, d).getMap('cells').get(cell.id) as Y.Map<unknown> | undefined)?.get(
              'label',
            ),
          ).toBe('still editing'),
        WAIT,
      );

      // Both nodes listen on the access channel before the change is made (a node that has
      // only just connected to Redis may not yet; the periodic re-check covers that moment).
      const probe = new Redis(REDIS_URL!);
      await vi.waitFor(async () => {
        const [, listeners] = (await probe.call(
          'PUBSUB',
          'NUMSUB',
          `${channelPrefix}access-changes`,
        )) as [string, number];
        expect(listeners).toBe(2);
      }, WAIT);
      probe.disconnect();
      const access = `/api/threat_models/${tm.id}/access/user`;
      const revokedAt = performance.now();
      expect((await a.api(owner).delete(`${access}/${gone.id}`)).status).toBe(204);
      expect(await goneOnB.closed()).toBe(4403);
      const closedAfter = performance.now() - revokedAt;

      const demotedAt = performance.now();
      expect((await a.api(owner).put(`${access}/${demoted.id}`, { role: 'reader' })).status).toBe(
        200,
      );
      const connOnB = () =>
        [...b.collab.registry.get(d)!.connections].find((c) => c.userId === demoted.id);
      await vi.waitFor(() => expect(connOnB()?.readOnly).toBe(true), {
        timeout: 1_000,
        interval: 5,
      });
      const readOnlyAfter = performance.now() - demotedAt;
      console.log(
        `[redis] revoke on A → closed on B after ${closedAfter.toFixed(0)} ms; demote → read-only after ${readOnlyAfter.toFixed(0)} ms`,
      );
      expect(closedAfter).toBeLessThan(1_000);
      expect(readOnlyAfter).toBeLessThan(1_000);
    });
  },
);

function sortById<T extends { id: string }>(cells: T[]): T[] {
  return [...cells].sort((x, y) => x.id.localeCompare(y.id));
}
