import { describe, expect, it } from 'vitest';
import type { Cell } from '../../model/cells';
import { cellsFromDoc, cellsMap, docFromCells } from '../../model/ydoc';
import { applyCellDelta, countCellChanges } from '../../model/cell-changes';

const a: Cell = {
  id: '00000000-0000-4000-8000-00000000000a',
  shape: 'process',
  x: 1,
  y: 1,
  width: 9,
  height: 9,
};
const b: Cell = { ...a, id: '00000000-0000-4000-8000-00000000000b' };
const c: Cell = { ...a, id: '00000000-0000-4000-8000-00000000000c' };

describe('REST cell writes', () => {
  it('count added, removed and changed cells', () => {
    expect(countCellChanges([a, b], [{ ...a, label: 'x' }, c])).toEqual({
      added: 1,
      removed: 1,
      changed: 1,
    });
    expect(countCellChanges([a], [a])).toEqual({ added: 0, removed: 0, changed: 0 });
  });

  it('write only what the patch changed, so a concurrent live edit of another field survives', () => {
    const doc = docFromCells([a, b]);
    // Between the PATCH's read and its write, a participant moves `a`.
    cellsMap(doc).get(a.id)!.set('x', 500);
    applyCellDelta(doc, [a, b], [{ ...a, label: 'renamed' }, c]);
    const cells = cellsFromDoc(doc);
    expect(cells.map((x) => x.id)).toEqual([a.id, c.id]);
    expect(cells[0]).toMatchObject({ x: 500, label: 'renamed' });
  });
});
