import type * as Y from 'yjs';
import type { Cell } from './cells';
import { CELL_FIELDS, cellsMap, upsertCell, type CellMap } from './ydoc';

/** What a REST cell write did, for the audit log (never the cell arrays themselves). */
export interface CellChangeCounts {
  added: number;
  removed: number;
  changed: number;
}

const fieldsOf = (cell: Cell) => cell as unknown as Record<string, unknown>;
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The fields of `after` that differ from `before` (absent counts as a value). */
function changedFields(before: Cell, after: Cell) {
  return CELL_FIELDS.filter((f) => !same(fieldsOf(before)[f], fieldsOf(after)[f]));
}

export function countCellChanges(
  before: readonly Cell[],
  after: readonly Cell[],
): CellChangeCounts {
  const old = new Map(before.map((c) => [c.id, c]));
  const next = new Set(after.map((c) => c.id));
  let added = 0;
  let changed = 0;
  for (const cell of after) {
    const prev = old.get(cell.id);
    if (!prev) added++;
    else if (changedFields(prev, cell).length) changed++;
  }
  return { added, removed: before.filter((c) => !next.has(c.id)).length, changed };
}

/**
 * Applies only the difference between `before` (what a PATCH was computed on) and `after` to
 * the live document: removed cells are deleted, new cells added, and for existing cells just
 * the fields the patch changed are written. Fields the patch did not touch keep whatever
 * live participants wrote meanwhile.
 */
export function applyCellDelta(doc: Y.Doc, before: readonly Cell[], after: readonly Cell[]): void {
  const cells = cellsMap(doc);
  const old = new Map(before.map((c) => [c.id, c]));
  const keep = new Set(after.map((c) => c.id));
  for (const cell of before) if (!keep.has(cell.id)) cells.delete(cell.id);
  for (const cell of after) {
    const prev = old.get(cell.id);
    const map = cells.get(cell.id) as CellMap | undefined;
    if (!prev || !map) {
      upsertCell(doc, cell);
      continue;
    }
    for (const field of changedFields(prev, cell)) {
      const value = fieldsOf(cell)[field];
      if (value === undefined) map.delete(field);
      else map.set(field, value);
    }
  }
}
