import {
  CELL_SHAPES,
  MAX_LABEL_LENGTH,
  MAX_OPEN_OBJECT_BYTES,
  MAX_VERTICES,
  type CellShape,
} from './cells';

/**
 * The rules one cell field obeys, shared by the REST cell validator (cells.ts) and the live
 * update validator (collab/update-rules.ts), so both doors refuse the same values: numbers
 * finite and in range, text without NUL and within its length, open objects JSON-safe
 * (no BigInt, binary or undefined), bounded in size and nesting.
 */
export const COORDINATE_LIMIT = 1_000_000;
/** Deepest nesting inside a cell's `style` or `data`. */
export const MAX_OPEN_OBJECT_DEPTH = 16;
export const MAX_PORT_LENGTH = 64;

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);
export const isCoordinate = (v: unknown): v is number =>
  typeof v === 'number' && Number.isFinite(v) && Math.abs(v) <= COORDINATE_LIMIT;
export const isSize = (v: unknown): v is number => isCoordinate(v) && v > 0;
export const isZIndex = (v: unknown): v is number =>
  Number.isInteger(v) && Math.abs(v as number) <= COORDINATE_LIMIT;
export const hasNul = (s: string): boolean => s.includes('\u0000');
export const isUuid = (v: unknown): v is string => typeof v === 'string' && UUID.test(v);
export const isShape = (v: unknown): v is CellShape =>
  typeof v === 'string' && (CELL_SHAPES as readonly string[]).includes(v);

/** A label: a string without NUL, at most MAX_LABEL_LENGTH characters. */
export function labelError(v: unknown): string | null {
  if (typeof v !== 'string' || v.length > MAX_LABEL_LENGTH)
    return `must be a string of at most ${MAX_LABEL_LENGTH} characters`;
  return hasNul(v) ? 'must not contain NUL characters' : null;
}

/**
 * What is wrong with a value stored as plain JSON (jsonb, the REST body): only null,
 * booleans, finite numbers, NUL-free strings, arrays and plain objects, nested at most
 * `depth` levels. null when it is fine.
 */
export function jsonValueError(value: unknown, depth = MAX_OPEN_OBJECT_DEPTH): string | null {
  if (value === null || typeof value === 'boolean') return null;
  if (typeof value === 'number') return Number.isFinite(value) ? null : 'numbers must be finite';
  if (typeof value === 'string') return hasNul(value) ? 'must not contain NUL characters' : null;
  if (depth <= 0) return `nested more than ${MAX_OPEN_OBJECT_DEPTH} levels`;
  if (Array.isArray(value)) {
    for (const v of value) {
      const e = jsonValueError(v, depth - 1);
      if (e) return e;
    }
    return null;
  }
  if (isObject(value) && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [k, v] of Object.entries(value)) {
      if (hasNul(k)) return 'must not contain NUL characters';
      const e = jsonValueError(v, depth - 1);
      if (e) return e;
    }
    return null;
  }
  return 'must be plain JSON';
}

/** `style` or `data`: a JSON-safe object of bounded size. */
export function openObjectError(v: unknown): string | null {
  if (!isObject(v)) return 'must be an object';
  const e = jsonValueError(v);
  if (e) return e;
  if (JSON.stringify(v).length > MAX_OPEN_OBJECT_BYTES)
    return `at most ${MAX_OPEN_OBJECT_BYTES} bytes`;
  return null;
}

/** A flow end `{cell, port?}`. */
export function terminalError(v: unknown): string | null {
  if (!isObject(v) || !isUuid(v.cell)) return 'must be {cell: uuid, port?}';
  for (const key of Object.keys(v))
    if (key !== 'cell' && key !== 'port') return `unknown key ${key}`;
  if (
    v.port !== undefined &&
    (typeof v.port !== 'string' || v.port.length > MAX_PORT_LENGTH || hasNul(v.port))
  )
    return 'port must be a short string';
  return null;
}

export function verticesError(v: unknown): string | null {
  if (!Array.isArray(v) || v.length > MAX_VERTICES)
    return `must be an array of at most ${MAX_VERTICES} points`;
  if (!v.every((p) => isObject(p) && isCoordinate(p.x) && isCoordinate(p.y)))
    return 'every vertex needs finite x and y';
  return null;
}

/** What is wrong with a point `{x, y}`; null when it is one. */
export function pointError(v: unknown): string | null {
  if (!isObject(v) || !isCoordinate(v.x) || !isCoordinate(v.y)) return 'must be a point {x, y}';
  for (const key of Object.keys(v)) if (key !== 'x' && key !== 'y') return `unknown key ${key}`;
  return null;
}

/**
 * Which kind of end `source`/`target` holds: a flow joins cells (`{cell, port?}`), a boundary
 * line runs between points (`{x, y}`). Null when it is neither.
 */
export function endKind(v: unknown): 'terminal' | 'point' | null {
  if (terminalError(v) === null) return 'terminal';
  if (pointError(v) === null) return 'point';
  return null;
}

/** The end kind each edge shape needs (nodes have no ends). */
export const END_KIND: Readonly<Record<string, 'terminal' | 'point'>> = {
  flow: 'terminal',
  'security-boundary-line': 'point',
};

/** Fields every node needs, and every edge (flow, boundary line) needs, for the cell to be whole. */
export const NODE_REQUIRED = ['shape', 'x', 'y', 'width', 'height'] as const;
export const FLOW_REQUIRED = ['shape', 'source', 'target'] as const;

/** The fields a cell of `shape` needs. */
export const requiredFields = (shape: unknown): readonly string[] =>
  typeof shape === 'string' && shape in END_KIND ? FLOW_REQUIRED : NODE_REQUIRED;

/**
 * What is wrong with one value of one live-document cell field (the Y.Map keys of ydoc.ts);
 * null when it is allowed. `undefined` never is: fields are removed, not set to undefined.
 */
export function cellFieldError(field: string, value: unknown): string | null {
  switch (field) {
    case 'shape':
      return isShape(value) ? null : `must be one of ${CELL_SHAPES.join(', ')}`;
    case 'x':
    case 'y':
      return isCoordinate(value) ? null : 'must be a finite number';
    case 'width':
    case 'height':
      return isSize(value) ? null : 'must be a positive number';
    case 'z_index':
      return isZIndex(value) ? null : 'must be an integer';
    case 'label':
      return labelError(value);
    case 'parent':
      return value === null || isUuid(value) ? null : 'must be a uuid or null';
    case 'source':
    case 'target':
      // Which kind the shape needs is checked once the cell's shape is known (update-rules.ts).
      return endKind(value) ? null : 'must be {cell: uuid, port?} or a point {x, y}';
    case 'vertices':
      return verticesError(value);
    case 'style':
    case 'data':
      return openObjectError(value);
    default:
      return 'unknown field';
  }
}
