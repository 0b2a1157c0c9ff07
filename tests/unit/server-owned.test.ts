import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { touchesServerOwnedRoots } from '../../collab';
import {
  cellsMap,
  commentsMap,
  threatsMap,
  upsertCell,
  writeLiveComment,
  writeLiveThreat,
  type LiveComment,
} from '../../model';

const comment = (id: string, body: string): LiveComment => ({
  id,
  body,
  author: { id: 'u1', name: 'Rita' },
  diagram_id: 'd1',
  cell_id: 'c1',
  threat_id: null,
  parent_id: null,
  resolved_at: null,
  resolved_by: null,
  created_at: '2026-01-01T00:00:00.000Z',
  modified_at: '2026-01-01T00:00:00.000Z',
});

/** A server document with a cell and a comment, and a client synced from it. */
function pair() {
  const server = new Y.Doc();
  server.transact(() => {
    upsertCell(server, { id: 'c1', shape: 'process', x: 0, y: 0, width: 100, height: 50 });
    writeLiveComment(server, comment('k1', 'Rate limits?'));
  });
  const client = new Y.Doc();
  Y.applyUpdate(client, Y.encodeStateAsUpdate(server));
  return { server, client };
}

/** What the client would send for `change` (a y-websocket update message's payload). */
function updateOf(client: Y.Doc, change: () => void): Uint8Array {
  const before = Y.encodeStateVector(client);
  change();
  return Y.encodeStateAsUpdate(client, before);
}

describe('touchesServerOwnedRoots', () => {
  it('lets cell edits through: new cells, field changes, deletions', () => {
    const { server, client } = pair();
    const edits = [
      () => upsertCell(client, { id: 'c2', shape: 'store', x: 9, y: 9, width: 80, height: 40 }),
      () => cellsMap(client).get('c1')!.set('label', 'Orders API'),
      () => cellsMap(client).delete('c1'),
    ];
    for (const edit of edits) {
      const update = updateOf(client, edit);
      expect(touchesServerOwnedRoots(server, update)).toBe(false);
      Y.applyUpdate(server, update);
    }
  });

  it('refuses a forged comment, a changed field, and a deleted comment', () => {
    const { server, client } = pair();
    expect(
      touchesServerOwnedRoots(
        server,
        updateOf(client, () => writeLiveComment(client, comment('forged', 'LGTM'))),
      ),
    ).toBe(true);
    const { server: s2, client: c2 } = pair();
    expect(
      touchesServerOwnedRoots(
        s2,
        updateOf(c2, () => commentsMap(c2).get('k1')!.set('body', 'edited by hand')),
      ),
    ).toBe(true);
    const { server: s3, client: c3 } = pair();
    expect(
      touchesServerOwnedRoots(
        s3,
        updateOf(c3, () => commentsMap(c3).delete('k1')),
      ),
    ).toBe(true);
  });

  it('refuses a mixed update that edits a cell and a comment together', () => {
    const { server, client } = pair();
    const update = updateOf(client, () =>
      client.transact(() => {
        cellsMap(client).get('c1')!.set('label', 'x');
        commentsMap(client).get('k1')!.set('resolved_at', '2026-01-02T00:00:00.000Z');
      }),
    );
    expect(touchesServerOwnedRoots(server, update)).toBe(true);
  });

  it("accepts a reconnecting writer's sync step 2 that repeats the server's comment deletions", () => {
    const { server, client } = pair();
    // The server deletes the comment (REST); the client receives it, then edits offline.
    const deletion = updateOf(server, () => commentsMap(server).delete('k1'));
    Y.applyUpdate(client, deletion);
    cellsMap(client).get('c1')!.set('label', 'edited offline');
    const step2 = Y.encodeStateAsUpdate(client, Y.encodeStateVector(server));
    expect(touchesServerOwnedRoots(server, step2)).toBe(false);
    Y.applyUpdate(server, step2);
    expect(cellsMap(server).get('c1')!.get('label')).toBe('edited offline');
  });

  it('refuses a forged, changed or deleted threat summary (the threats map is server-owned too)', () => {
    const server = new Y.Doc();
    const summary = {
      id: 't1',
      name: 'Spoofing',
      threat_type: ['Spoofing'],
      severity: 'High',
      status: 'open',
      cell_ids: ['c1'],
      rule_id: null,
      risk_level: 'high' as const,
      mitigated: false,
      modified_at: '2026-01-01T00:00:00.000Z',
    };
    server.transact(() => writeLiveThreat(server, summary));
    const client = new Y.Doc();
    Y.applyUpdate(client, Y.encodeStateAsUpdate(server));
    const forged = updateOf(client, () => writeLiveThreat(client, { ...summary, id: 'forged' }));
    expect(touchesServerOwnedRoots(server, forged)).toBe(true);
    const client2 = new Y.Doc();
    Y.applyUpdate(client2, Y.encodeStateAsUpdate(server));
    const mitigated = updateOf(client2, () =>
      threatsMap(client2).get('t1')!.set('mitigated', true),
    );
    expect(touchesServerOwnedRoots(server, mitigated)).toBe(true);
    const client3 = new Y.Doc();
    Y.applyUpdate(client3, Y.encodeStateAsUpdate(server));
    const erased = updateOf(client3, () => threatsMap(client3).delete('t1'));
    expect(touchesServerOwnedRoots(server, erased)).toBe(true);
  });
});
