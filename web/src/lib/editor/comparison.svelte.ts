import { diffCells, isFlow, type Cell, type NodeCell, type VersionDiff } from '$model';

/** How a cell shows in the compare view. */
export type CompareMark = 'added' | 'changed' | 'moved';

/** A cell of the earlier state drawn where it was: removed, or the old place of a moved one. */
export interface Ghost {
  id: string;
  kind: 'removed' | 'moved';
  label: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The editor's compare view: a version against the live diagram (`after` reads the current
 * cells, so the marks follow live edits) or against another version. Cells are diffed here
 * with the same model/version-diff.ts the server's diff endpoint uses; threat changes come
 * from that endpoint (the browser holds only threat summaries).
 */
export class Comparison {
  readonly fromLabel: string;
  readonly toLabel: string;
  private readonly beforeCells: Cell[];
  private readonly afterCells: () => Cell[];
  private readonly threats: VersionDiff['threats'];

  diff = $derived.by((): VersionDiff => ({
    cells: diffCells(this.beforeCells, this.afterCells()),
    threats: this.threats,
  }));

  marks = $derived.by(() => {
    const marks = new Map<string, CompareMark>();
    for (const c of this.diff.cells.added) marks.set(c.id, 'added');
    for (const c of this.diff.cells.changed)
      marks.set(c.id, c.kinds.length === 1 && c.kinds[0] === 'moved' ? 'moved' : 'changed');
    return marks;
  });

  ghosts = $derived.by((): Ghost[] => {
    const old = new Map(this.beforeCells.map((c) => [c.id, c]));
    const boxOf = (id: string, kind: Ghost['kind']): Ghost[] => {
      const cell = old.get(id);
      if (!cell || isFlow(cell) || !('width' in cell)) return [];
      const n = cell as NodeCell;
      return [{ id, kind, label: n.label ?? '', x: n.x, y: n.y, width: n.width, height: n.height }];
    };
    return [
      ...this.diff.cells.removed.flatMap((c) => boxOf(c.id, 'removed')),
      ...this.diff.cells.changed
        .filter((c) => c.kinds.includes('moved') && 'position' in c.fields)
        .flatMap((c) => boxOf(c.id, 'moved')),
    ];
  });

  count = $derived(
    this.diff.cells.added.length +
      this.diff.cells.removed.length +
      this.diff.cells.changed.length +
      this.diff.threats.added.length +
      this.diff.threats.removed.length +
      this.diff.threats.changed.length,
  );

  constructor(input: {
    fromLabel: string;
    toLabel: string;
    before: Cell[];
    after: () => Cell[];
    threats: VersionDiff['threats'];
  }) {
    this.fromLabel = input.fromLabel;
    this.toLabel = input.toLabel;
    this.beforeCells = input.before;
    this.afterCells = input.after;
    this.threats = input.threats;
  }
}
