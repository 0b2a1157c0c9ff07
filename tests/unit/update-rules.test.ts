import { randomUUID } from 'node:crypto';
import * as encoding from 'lib0/encoding';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { validateLiveUpdate } from '../../collab';
import {
  cellsMap,
  upsertCell,
  writeLiveComment,
  type LiveComment,
  type NodeCell,
} from '../../model';

const node = (extra: Partial<NodeCell> = {}): NodeCell => ({
  id: randomUUID(),
  shape: 'process',
  x: 10,
  y: 20,
  width: 100,
  height: 50,
  label: 'Orders API',
  ...extra,
});

const comment: LiveComment = {
  id: 'k1',
  body: 'Rate limits?',
  author: { id: 'u1', name: 'Rita' },
  diagram_id: 'd1',
  cell_id: null,
  threat_id: null,
  parent_id: null,
  resolved_at: null,
  resolved_by: null,
  created_at: '2026-01-01T00:00:00.000Z',
  modified_at: '2026-01-01T00:00:00.000Z',
};

/** A server document with one cell and one comment, and a client synced from it. */
function pair() {
  const server = new Y.Doc();
  const first = node();
  server.transact(() => {
    upsertCell(server, first);
    writeLiveComment(server, comment);
  });
  const client = new Y.Doc();
  Y.applyUpdate(client, Y.encodeStateAsUpdate(server));
  return { server, client, first };
}

function updateOf(client: Y.Doc, change: () => void): Uint8Array {
  const before = Y.encodeStateVector(client);
  client.transact(change);
  return Y.encodeStateAsUpdate(client, before);
}

const reasonOf = (server: Y.Doc, update: Uint8Array) => {
  const verdict = validateLiveUpdate(server, update);
  return verdict.ok ? null : verdict.reason;
};

describe('validateLiveUpdate', () => {
  it('accepts whole new cells, field edits and deletions, and reports what they do', () => {
    const { server, client, first } = pair();
    const added = node({ label: 'Database', shape: 'store' });
    const add = updateOf(client, () => upsertCell(client, added));
    expect(validateLiveUpdate(server, add)).toMatchObject({ ok: true, added: [added.id] });
    Y.applyUpdate(server, add);
    const move = updateOf(client, () => cellsMap(client).get(first.id)!.set('x', 400));
    expect(validateLiveUpdate(server, move)).toMatchObject({ ok: true, changed: [first.id] });
    Y.applyUpdate(server, move);
    const remove = updateOf(client, () => cellsMap(client).delete(added.id));
    expect(validateLiveUpdate(server, remove)).toMatchObject({ ok: true, deleted: [added.id] });
    Y.applyUpdate(server, remove);
    // A reconnecting client's full state repeats deletions the server already has.
    expect(validateLiveUpdate(server, Y.encodeStateAsUpdate(client)).ok).toBe(true);
  });

  it.each([
    ['NUL in a label', (c: Y.Doc, id: string) => cellsMap(c).get(id)!.set('label', 'a\u0000b')],
    ['a BigInt coordinate', (c: Y.Doc, id: string) => cellsMap(c).get(id)!.set('x', 10n)],
    ['a string in x', (c: Y.Doc, id: string) => cellsMap(c).get(id)!.set('x', '10')],
    ['an infinite width', (c: Y.Doc, id: string) => cellsMap(c).get(id)!.set('width', Infinity)],
    ['an unknown shape', (c: Y.Doc, id: string) => cellsMap(c).get(id)!.set('shape', 'rocket')],
    ['an unknown field', (c: Y.Doc, id: string) => cellsMap(c).get(id)!.set('evil', 1)],
    ['binary data', (c: Y.Doc, id: string) => cellsMap(c).get(id)!.set('data', new Uint8Array(3))],
    [
      'NUL inside data',
      (c: Y.Doc, id: string) =>
        cellsMap(c)
          .get(id)!
          .set('data', { note: { deep: '\u0000' } }),
    ],
    [
      'a nested Y type',
      (c: Y.Doc, id: string) => cellsMap(c).get(id)!.set('label', new Y.Text('x')),
    ],
    ['a foreign root type', (c: Y.Doc) => c.getMap('evil').set('k', 1)],
    ['a text root', (c: Y.Doc) => c.getText('notes').insert(0, 'hi')],
    ['a cell keyed by a non-uuid', (c: Y.Doc) => cellsMap(c).set('nope', new Y.Map())],
    [
      'a cell without geometry',
      (c: Y.Doc) => {
        const map = new Y.Map<unknown>();
        cellsMap(c).set(randomUUID(), map);
        map.set('shape', 'process');
      },
    ],
    ['a required field removed', (c: Y.Doc, id: string) => cellsMap(c).get(id)!.delete('x')],
    ['a comment write', (c: Y.Doc) => c.getMap('comments').set('k2', new Y.Map())],
    ['a comment deletion', (c: Y.Doc) => c.getMap('comments').delete('k1')],
    ['a threat write', (c: Y.Doc) => c.getMap('threats').set('t1', new Y.Map())],
  ])('refuses %s', (_name, change) => {
    const { server, client, first } = pair();
    const update = updateOf(client, () => change(client, first.id));
    expect(reasonOf(server, update)).not.toBeNull();
  });

  it('refuses more than 10,000 cells', () => {
    const { server, client } = pair();
    const update = updateOf(client, () => {
      for (let i = 0; i < 10_000; i++) upsertCell(client, node());
    });
    expect(reasonOf(server, update)).toMatch(/10000 cells/);
  });

  it('refuses a delete set aimed at clocks the server has not reached (pending deletes)', () => {
    const { server } = pair();
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, 0); // no structs
    encoding.writeVarUint(e, 1); // one client in the delete set
    encoding.writeVarUint(e, server.clientID);
    encoding.writeVarUint(e, 1); // one range
    encoding.writeVarUint(e, Y.getState(server.store, server.clientID));
    encoding.writeVarUint(e, 1_000);
    expect(reasonOf(server, encoding.toUint8Array(e))).toMatch(/not seen/);
  });

  it('refuses structs that depend on changes the server has not seen', () => {
    const { server, client, first } = pair();
    const skipped = updateOf(client, () => cellsMap(client).get(first.id)!.set('x', 1));
    const later = updateOf(client, () => cellsMap(client).get(first.id)!.set('x', 2));
    expect(reasonOf(server, later)).not.toBeNull();
    expect(reasonOf(server, skipped)).toBeNull();
  });
});

describe('a document freshly loaded from the database', () => {
  it('accepts an offline edit of an existing cell before anyone asked for its roots as maps', () => {
    const cell = node({ label: 'Shared' });
    const before = new Y.Doc();
    upsertCell(before, cell);
    const client = new Y.Doc();
    Y.applyUpdate(client, Y.encodeStateAsUpdate(before));
    // What a restarted server holds: the stored state applied, no root typed yet.
    const loaded = new Y.Doc();
    Y.applyUpdate(loaded, Y.mergeUpdates([Y.encodeStateAsUpdate(before)]));
    (cellsMap(client).get(cell.id) as Y.Map<unknown>).set('label', 'Shared (renamed offline)');
    const update = Y.encodeStateAsUpdate(client, Y.encodeStateVector(loaded));
    expect(validateLiveUpdate(loaded, update)).toEqual({
      ok: true,
      added: [],
      changed: [cell.id],
      deleted: [],
    });
  });
});
