import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { ROLES } from '../../db/schema/enums';
import {
  can,
  cellsFromDoc,
  cellsMap,
  docFromCells,
  maxRole,
  replaceCells,
  ROLE_ORDER,
  validateCells,
  type Cell,
} from '../../model';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const F = '00000000-0000-4000-8000-00000000000f';
const process: Cell = {
  id: A,
  shape: 'process',
  x: 0,
  y: 0,
  width: 100,
  height: 60,
  label: 'API',
  parent: null,
};
const store: Cell = {
  id: B,
  shape: 'store',
  x: 200,
  y: 0,
  width: 100,
  height: 60,
  label: 'DB',
  parent: null,
};
const flow: Cell = { id: F, shape: 'flow', source: { cell: A }, target: { cell: B }, label: 'SQL' };

describe('validateCells', () => {
  it('accepts a valid diagram and flattens TMI position/size', () => {
    const tmi = {
      id: A,
      shape: 'process',
      position: { x: 5, y: 6 },
      size: { width: 7, height: 8 },
    };
    const result = validateCells([tmi, store, flow]);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.cells[0]).toMatchObject({ x: 5, y: 6, width: 7, height: 8 });
  });

  it('reports duplicate ids, dangling flows, bad shapes and geometry with paths', () => {
    const result = validateCells([
      process,
      { ...process },
      { ...flow, target: { cell: '00000000-0000-4000-8000-000000000999' } },
      { ...store, id: '00000000-0000-4000-8000-000000000003', shape: 'cloud' },
      { ...store, id: '00000000-0000-4000-8000-000000000004', width: -1 },
      { ...flow, id: '00000000-0000-4000-8000-000000000005', source: { cell: F } },
    ]);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors.map((e) => e.path)).toEqual(
        expect.arrayContaining([
          '[1].id',
          '[2].target.cell',
          '[3].shape',
          '[4].width',
          '[5].source.cell',
        ]),
      );
    }
  });

  it('refuses more than 10,000 cells and non-arrays', () => {
    expect(validateCells({}).ok).toBe(false);
    const many = Array.from({ length: 10_001 }, () => process);
    expect(validateCells(many).ok).toBe(false);
  });
});

describe('Y.Doc mapping', () => {
  it('round-trips cells through the document', () => {
    const doc = docFromCells([process, store, flow]);
    expect(cellsFromDoc(doc)).toEqual(expect.arrayContaining([process, store, flow]));
  });

  it('keeps a concurrent move and rename of the same cell', () => {
    const a = docFromCells([process]);
    const b = new Y.Doc();
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    replaceCells(a, [{ ...process, x: 500 }], 'a');
    replaceCells(b, [{ ...process, label: 'Orders API' }], 'b');
    Y.applyUpdate(a, Y.encodeStateAsUpdate(b));
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    expect(cellsFromDoc(a)).toEqual([{ ...process, x: 500, label: 'Orders API' }]);
    expect(cellsFromDoc(b)).toEqual(cellsFromDoc(a));
  });

  it('replaceCells touches only changed fields and removes missing cells', () => {
    const doc = docFromCells([process, store]);
    const before = cellsMap(doc).get(A)!;
    let changed: string[] = [];
    before.observe((e) => (changed = [...e.keysChanged]));
    replaceCells(doc, [{ ...process, label: 'Renamed' }], null);
    expect(changed).toEqual(['label']);
    expect(cellsMap(doc).has(B)).toBe(false);
  });
});

describe('roles', () => {
  it('model role order names the same roles as the storage vocabulary', () => {
    expect([...ROLE_ORDER].sort()).toEqual([...ROLES].sort());
  });
  it('applies the API.md policy table', () => {
    expect(can('reader', 'read')).toBe(true);
    expect(can('reader', 'comment')).toBe(false);
    expect(can('reviewer', 'comment')).toBe(true);
    expect(can('reviewer', 'edit')).toBe(false);
    expect(can('writer', 'edit')).toBe(true);
    expect(can('writer', 'manage')).toBe(false);
    expect(can('owner', 'manage')).toBe(true);
    expect(can(null, 'read')).toBe(false);
    expect(maxRole('reader', 'writer')).toBe('writer');
  });
});
