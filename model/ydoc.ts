import * as Y from 'yjs';
import type { Cell } from './cells';

/**
 * The live diagram's Y.Doc layout (ARCHITECTURE.md §4): `cells` is a Y.Map of cell id →
 * Y.Map with one key per JSON field (the API's names, so `z_index`). Field-level maps let two
 * people move and rename one cell at once and keep both changes. `comments` is written only
 * by the server.
 */
export const CELL_FIELDS = [
  'shape',
  'x',
  'y',
  'width',
  'height',
  'label',
  'parent',
  'source',
  'target',
  'vertices',
  'z_index',
  'style',
  'data',
] as const;
export type CellField = (typeof CELL_FIELDS)[number];

export type CellMap = Y.Map<unknown>;

export function cellsMap(doc: Y.Doc): Y.Map<CellMap> {
  return doc.getMap<CellMap>('cells');
}

export function commentsMap(doc: Y.Doc): Y.Map<Y.Map<unknown>> {
  return doc.getMap<Y.Map<unknown>>('comments');
}

/** One cell's JSON from its Y.Map (fields absent in the map are absent in the JSON). */
export function cellFromMap(id: string, map: CellMap): Cell {
  const cell: Record<string, unknown> = { id };
  for (const field of CELL_FIELDS) {
    const value = map.get(field);
    if (value !== undefined) cell[field] = value;
  }
  return cell as unknown as Cell;
}

/** The document's cells as JSON, ordered by z_index then id (a stable projection). */
export function cellsFromDoc(doc: Y.Doc): Cell[] {
  const cells: Cell[] = [];
  cellsMap(doc).forEach((map, id) => {
    if (map instanceof Y.Map) cells.push(cellFromMap(id, map));
  });
  return cells.sort(
    (a, b) => (a.z_index ?? 0) - (b.z_index ?? 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}

const sameJson = (a: unknown, b: unknown) =>
  a === b || (typeof a === 'object' && JSON.stringify(a) === JSON.stringify(b));

/** Writes one cell's fields into `map`, touching only fields whose value changed. */
export function writeCellFields(map: CellMap, cell: Cell): void {
  const json = cell as unknown as Record<string, unknown>;
  for (const field of CELL_FIELDS) {
    const next = json[field];
    if (next === undefined) {
      if (map.has(field)) map.delete(field);
    } else if (!sameJson(map.get(field), next)) {
      map.set(field, next);
    }
  }
}

/** Adds or updates one cell (the caller wraps this in a transaction with its origin). */
export function upsertCell(doc: Y.Doc, cell: Cell): void {
  const cells = cellsMap(doc);
  let map = cells.get(cell.id);
  if (!(map instanceof Y.Map)) {
    map = new Y.Map<unknown>();
    cells.set(cell.id, map);
  }
  writeCellFields(map, cell);
}

/**
 * Makes the document's cells equal `next` in one transaction with `origin`: removes cells not
 * in `next`, adds new ones, and for existing cells sets only the fields that differ, so
 * concurrent edits to other fields survive.
 */
export function replaceCells(doc: Y.Doc, next: readonly Cell[], origin: unknown): void {
  doc.transact(() => {
    const cells = cellsMap(doc);
    const keep = new Set(next.map((c) => c.id));
    for (const id of [...cells.keys()]) if (!keep.has(id)) cells.delete(id);
    for (const cell of next) upsertCell(doc, cell);
  }, origin);
}

/** Removes cells (and flows attached to them) in one transaction. */
export function deleteCells(doc: Y.Doc, ids: Iterable<string>, origin: unknown): void {
  const doomed = new Set(ids);
  doc.transact(() => {
    const cells = cellsMap(doc);
    cells.forEach((map, id) => {
      const source = map.get('source') as { cell?: string } | undefined;
      const target = map.get('target') as { cell?: string } | undefined;
      if ((source?.cell && doomed.has(source.cell)) || (target?.cell && doomed.has(target.cell))) {
        doomed.add(id);
      }
    });
    for (const id of doomed) cells.delete(id);
  }, origin);
}

/** A fresh document holding `cells` (tests, versions, imports). */
export function docFromCells(cells: readonly Cell[]): Y.Doc {
  const doc = new Y.Doc();
  replaceCells(doc, cells, null);
  return doc;
}
