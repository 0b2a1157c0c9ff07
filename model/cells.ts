import {
  isCoordinate,
  isObject,
  isSize,
  isZIndex,
  labelError,
  openObjectError,
  terminalError,
  UUID,
  verticesError,
} from './cell-rules';

/**
 * Diagram cells of type DFD-1.0.0 (TMI's vocabulary), as JSON. The same fields, one key each,
 * live in the Y.Doc (see ydoc.ts).
 */
export const NODE_SHAPES = ['actor', 'process', 'store', 'security-boundary', 'text-box'] as const;
/**
 * `flow` joins two nodes; `security-boundary-line` is a trust boundary drawn as a line (Threat
 * Dragon's boundary curve, v1's `tm.Boundary`): free points, no cells at its ends.
 */
export const EDGE_SHAPES = ['flow', 'security-boundary-line'] as const;
export const CELL_SHAPES = [...NODE_SHAPES, ...EDGE_SHAPES] as const;
export type NodeShape = (typeof NODE_SHAPES)[number];
export type CellShape = (typeof CELL_SHAPES)[number];

export const MAX_CELLS = 10_000;
export const MAX_LABEL_LENGTH = 1_024;
export const MAX_VERTICES = 500;
/** Serialized size of one cell's `data` or `style`: generous, but bounded. */
export const MAX_OPEN_OBJECT_BYTES = 64 * 1024;

export interface Point {
  x: number;
  y: number;
}

export interface Terminal {
  cell: string;
  port?: string;
}

interface CellBase {
  id: string;
  label?: string;
  z_index?: number;
  style?: Record<string, unknown>;
  /** Open: DFD properties (protocol, encrypted, …) and `_metadata`. */
  data?: Record<string, unknown>;
}

export interface NodeCell extends CellBase {
  shape: NodeShape;
  x: number;
  y: number;
  width: number;
  height: number;
  /** Containing cell (a security boundary), or null. */
  parent?: string | null;
}

export interface FlowCell extends CellBase {
  shape: 'flow';
  source: Terminal;
  target: Terminal;
  vertices?: Point[];
}

/** A trust boundary drawn as a (possibly bent) line from `source` to `target`. */
export interface BoundaryLineCell extends CellBase {
  shape: 'security-boundary-line';
  source: Point;
  target: Point;
  vertices?: Point[];
}

export type Cell = NodeCell | FlowCell | BoundaryLineCell;

export const isFlow = (cell: Cell): cell is FlowCell => cell.shape === 'flow';
export const isBoundaryLine = (cell: Cell): cell is BoundaryLineCell =>
  cell.shape === 'security-boundary-line';
export const isNode = (cell: Cell): cell is NodeCell =>
  (NODE_SHAPES as readonly string[]).includes(cell.shape);

export interface CellError {
  path: string;
  message: string;
}

export type CellsResult = { ok: true; cells: Cell[] } | { ok: false; errors: CellError[] };

/**
 * Validates and normalizes a cell list: known shapes, uuid ids unique, geometry finite,
 * flows pointing at existing non-flow cells, parents existing, at most MAX_CELLS. TMI's
 * nested `position {x, y}` / `size {width, height}` are accepted and flattened. Unknown
 * top-level keys are dropped. Reports every problem with its JSON path (`[3].source.cell`).
 */
export function validateCells(input: unknown): CellsResult {
  if (!Array.isArray(input))
    return { ok: false, errors: [{ path: '', message: 'must be an array' }] };
  if (input.length > MAX_CELLS) {
    return { ok: false, errors: [{ path: '', message: `at most ${MAX_CELLS} cells` }] };
  }
  const errors: CellError[] = [];
  const cells: Cell[] = [];
  /** Input position of each normalized cell, so errors name the caller's index. */
  const at: number[] = [];
  const ids = new Map<string, CellShape>();
  input.forEach((raw, i) => {
    const cell = normalizeCell(raw, `[${i}]`, errors);
    if (!cell) return;
    if (ids.has(cell.id)) errors.push({ path: `[${i}].id`, message: `duplicate id ${cell.id}` });
    ids.set(cell.id, cell.shape);
    cells.push(cell);
    at.push(i);
  });
  cells.forEach((cell, n) => {
    const i = at[n];
    if (isFlow(cell)) {
      for (const end of ['source', 'target'] as const) {
        const shape = ids.get(cell[end].cell);
        if (!shape) errors.push({ path: `[${i}].${end}.cell`, message: 'no such cell' });
        else if (!(NODE_SHAPES as readonly string[]).includes(shape))
          errors.push({ path: `[${i}].${end}.cell`, message: 'must be a node, not an edge' });
      }
    } else if (isNode(cell) && cell.parent != null) {
      if (!ids.has(cell.parent)) errors.push({ path: `[${i}].parent`, message: 'no such cell' });
      else if (cell.parent === cell.id)
        errors.push({ path: `[${i}].parent`, message: 'a cell cannot contain itself' });
    }
  });
  return errors.length ? { ok: false, errors } : { ok: true, cells };
}

function normalizeCell(raw: unknown, at: string, errors: CellError[]): Cell | null {
  if (!isObject(raw)) {
    errors.push({ path: at, message: 'must be an object' });
    return null;
  }
  const before = errors.length;
  const fail = (field: string, message: string) => errors.push({ path: `${at}.${field}`, message });
  const { id, shape } = raw;
  if (typeof id !== 'string' || !UUID.test(id)) fail('id', 'must be a uuid');
  if (typeof shape !== 'string' || !(CELL_SHAPES as readonly string[]).includes(shape)) {
    fail('shape', `must be one of ${CELL_SHAPES.join(', ')}`);
  }
  const base: Partial<CellBase> = { id: id as string };
  if (raw.label !== undefined) {
    const problem = labelError(raw.label);
    if (problem) fail('label', problem);
    else base.label = raw.label as string;
  }
  const z = raw.z_index ?? raw.zIndex;
  if (z !== undefined) {
    if (!isZIndex(z)) fail('z_index', 'must be an integer');
    else base.z_index = z as number;
  }
  for (const key of ['style', 'data'] as const) {
    const value = raw[key];
    if (value === undefined) continue;
    const problem = openObjectError(value);
    if (problem) fail(key, problem);
    else base[key] = value as Record<string, unknown>;
  }

  if (shape === 'security-boundary-line') {
    const ends = (['source', 'target'] as const).map((end) => {
      const p = raw[end];
      if (isObject(p) && isCoordinate(p.x) && isCoordinate(p.y)) return { x: p.x, y: p.y };
      fail(end, 'must be a point {x, y}');
      return null;
    });
    const vertices = vertexList(raw.vertices, fail);
    if (errors.length > before || !ends[0] || !ends[1]) return null;
    return {
      ...(base as CellBase),
      shape: 'security-boundary-line',
      source: ends[0],
      target: ends[1],
      ...(vertices ? { vertices } : {}),
    };
  }

  if (shape === 'flow') {
    const source = terminal(raw.source, 'source', fail);
    const target = terminal(raw.target, 'target', fail);
    const vertices = vertexList(raw.vertices, fail);
    if (errors.length > before || !source || !target) return null;
    return {
      ...(base as CellBase),
      shape: 'flow',
      source,
      target,
      ...(vertices ? { vertices } : {}),
    };
  }

  const position = isObject(raw.position) ? raw.position : raw;
  const size = isObject(raw.size) ? raw.size : raw;
  const geometry = { x: position.x, y: position.y, width: size.width, height: size.height };
  if (!isCoordinate(geometry.x)) fail('x', 'must be a finite number');
  if (!isCoordinate(geometry.y)) fail('y', 'must be a finite number');
  if (!isSize(geometry.width)) fail('width', 'must be a positive number');
  if (!isSize(geometry.height)) fail('height', 'must be a positive number');
  let parent: string | null = null;
  if (raw.parent != null) {
    if (typeof raw.parent !== 'string' || !UUID.test(raw.parent))
      fail('parent', 'must be a uuid or null');
    else parent = raw.parent;
  }
  if (errors.length > before) return null;
  return {
    ...(base as CellBase),
    shape: shape as NodeShape,
    x: geometry.x as number,
    y: geometry.y as number,
    width: geometry.width as number,
    height: geometry.height as number,
    parent,
  };
}

function vertexList(
  value: unknown,
  fail: (field: string, message: string) => void,
): Point[] | undefined {
  if (value === undefined) return undefined;
  const problem = verticesError(value);
  if (problem) {
    fail('vertices', problem);
    return undefined;
  }
  return (value as Point[]).map((p) => ({ x: p.x, y: p.y }));
}

function terminal(
  value: unknown,
  field: string,
  fail: (field: string, message: string) => void,
): Terminal | null {
  if (!isObject(value) || typeof value.cell !== 'string' || !UUID.test(value.cell)) {
    fail(`${field}.cell`, 'must be a uuid');
    return null;
  }
  const problem = terminalError({ cell: value.cell, port: value.port });
  if (problem) {
    fail(`${field}.port`, problem);
    return null;
  }
  return value.port === undefined
    ? { cell: value.cell }
    : { cell: value.cell, port: value.port as string };
}

/**
 * The same cells under new ids (`newId` per old id), with flow ends and containment pointing
 * at the copies: a duplicated diagram, or pasted cells, never share ids with the original.
 * A parent or flow end outside `cells` is kept as it is.
 */
export function withFreshIds(cells: readonly Cell[], ids: ReadonlyMap<string, string>): Cell[] {
  const map = (id: string) => ids.get(id) ?? id;
  return cells.map((cell) => {
    const copy = structuredClone(cell);
    copy.id = map(cell.id);
    if (isFlow(copy)) {
      copy.source = { ...copy.source, cell: map(copy.source.cell) };
      copy.target = { ...copy.target, cell: map(copy.target.cell) };
    } else if (isNode(copy) && copy.parent) {
      copy.parent = map(copy.parent);
    }
    return copy;
  });
}
