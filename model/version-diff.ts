import type { Cell } from './cells';

/**
 * What changed between two states of a diagram: cells added, removed and changed field by
 * field, and the threats on it likewise. Pure, so the server's diff endpoint and the editor's
 * compare view read changes the same way.
 */

/** A threat as a version keeps it: what a reviewer would want to see change. */
export interface ThreatSnapshot {
  id: string;
  name: string;
  status: string;
  severity: string;
  likelihood: string | null;
  impact: string | null;
  score: number | null;
  cell_id: string | null;
  diagram_id: string | null;
  mitigated: boolean;
  mitigation: string | null;
  /** Present once mitigations are rows: `{id, name, status}` of each linked mitigation. */
  mitigations?: { id: string; name: string; status: string }[];
  /** Present once risk is computed: the current risk level. */
  risk?: string | null;
}

/** How a field changed. Positions and sizes compare as `{x, y}` and `{width, height}`. */
export interface FieldChange {
  from: unknown;
  to: unknown;
}

/** The kinds of cell change a reviewer tells apart (and the compare view colours). */
export type CellChangeKind = 'label' | 'moved' | 'resized' | 'reconnected' | 'properties';

export interface CellRef {
  id: string;
  shape: string;
  label: string;
}

export interface CellChange extends CellRef {
  kinds: CellChangeKind[];
  fields: Record<string, FieldChange>;
}

export interface ThreatRef {
  id: string;
  name: string;
  cell_id: string | null;
}

export interface ThreatChange extends ThreatRef {
  fields: Record<string, FieldChange>;
}

export interface VersionDiff {
  cells: { added: CellRef[]; removed: CellRef[]; changed: CellChange[] };
  threats: { added: ThreatRef[]; removed: ThreatRef[]; changed: ThreatChange[] };
}

/** Stacking order changes with every click-to-front: not a change anyone reviews. */
const IGNORED_CELL_FIELDS = new Set(['id', 'z_index']);

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

const refOf = (cell: Cell): CellRef => ({
  id: cell.id,
  shape: cell.shape,
  label: cell.label ?? '',
});

/** The reviewable fields of a cell, geometry grouped the way people speak of it. */
function fieldsOf(cell: Cell): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(cell)) {
    if (IGNORED_CELL_FIELDS.has(key)) continue;
    if (key === 'x' || key === 'y') out.position = { x: (cell as any).x, y: (cell as any).y };
    else if (key === 'width' || key === 'height')
      out.size = { width: (cell as any).width, height: (cell as any).height };
    else if (key === 'data' && value && typeof value === 'object') {
      for (const [name, v] of Object.entries(value)) out[`data.${name}`] = v;
    } else out[key] = value;
  }
  return out;
}

function kindOf(field: string): CellChangeKind {
  if (field === 'label') return 'label';
  if (field === 'position' || field === 'vertices' || field === 'parent') return 'moved';
  if (field === 'size') return 'resized';
  if (field === 'source' || field === 'target') return 'reconnected';
  return 'properties';
}

/** Cells added, removed and changed (field by field) from `before` to `after`. */
export function diffCells(before: readonly Cell[], after: readonly Cell[]): VersionDiff['cells'] {
  const old = new Map(before.map((c) => [c.id, c]));
  const now = new Map(after.map((c) => [c.id, c]));
  const added = after.filter((c) => !old.has(c.id)).map(refOf);
  const removed = before.filter((c) => !now.has(c.id)).map(refOf);
  const changed: CellChange[] = [];
  for (const cell of after) {
    const was = old.get(cell.id);
    if (!was) continue;
    const a = fieldsOf(was);
    const b = fieldsOf(cell);
    const fields: Record<string, FieldChange> = {};
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (!same(a[key], b[key])) fields[key] = { from: a[key] ?? null, to: b[key] ?? null };
    }
    const names = Object.keys(fields);
    if (!names.length) continue;
    // A flow whose ends moved with its nodes is not itself changed; its own fields are.
    const kinds = [...new Set(names.map(kindOf))];
    changed.push({ ...refOf(cell), kinds, fields });
  }
  return { added, removed, changed };
}

/** The threat fields a diff compares, in the order a change list shows them. */
const THREAT_FIELDS = [
  'name',
  'status',
  'severity',
  'likelihood',
  'impact',
  'score',
  'risk',
  'cell_id',
  'mitigated',
  'mitigation',
  'mitigations',
] as const;

const threatRef = (t: ThreatSnapshot): ThreatRef => ({
  id: t.id,
  name: t.name,
  cell_id: t.cell_id,
});

/** Threats added, removed and changed from `before` to `after`. */
export function diffThreats(
  before: readonly ThreatSnapshot[],
  after: readonly ThreatSnapshot[],
): VersionDiff['threats'] {
  const old = new Map(before.map((t) => [t.id, t]));
  const now = new Map(after.map((t) => [t.id, t]));
  const changed: ThreatChange[] = [];
  for (const threat of after) {
    const was = old.get(threat.id);
    if (!was) continue;
    const fields: Record<string, FieldChange> = {};
    for (const key of THREAT_FIELDS) {
      if (!same(was[key], threat[key]))
        fields[key] = { from: was[key] ?? null, to: threat[key] ?? null };
    }
    if (Object.keys(fields).length) changed.push({ ...threatRef(threat), fields });
  }
  return {
    added: after.filter((t) => !old.has(t.id)).map(threatRef),
    removed: before.filter((t) => !now.has(t.id)).map(threatRef),
    changed,
  };
}

export function diffVersions(
  before: { cells: readonly Cell[]; threats: readonly ThreatSnapshot[] },
  after: { cells: readonly Cell[]; threats: readonly ThreatSnapshot[] },
): VersionDiff {
  return {
    cells: diffCells(before.cells, after.cells),
    threats: diffThreats(before.threats, after.threats),
  };
}

/** How many things a diff lists (the drift count, the compare view's badge). */
export function countChanges(diff: VersionDiff): number {
  const { cells, threats } = diff;
  return (
    cells.added.length +
    cells.removed.length +
    cells.changed.length +
    threats.added.length +
    threats.removed.length +
    threats.changed.length
  );
}

/** One line for an automatic version: "3 cells changed by Ada and Grace". */
export function describeCellChanges(
  diff: VersionDiff['cells'],
  editors: readonly string[],
): string {
  const n = diff.added.length + diff.removed.length + diff.changed.length;
  const what = n === 1 ? '1 cell changed' : `${n} cells changed`;
  if (!editors.length) return what;
  const names =
    editors.length <= 2
      ? editors.join(' and ')
      : `${editors.slice(0, -1).join(', ')} and ${editors[editors.length - 1]}`;
  return `${what} by ${names}`;
}
