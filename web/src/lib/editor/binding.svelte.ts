import type { Edge, Node, XYPosition } from '@xyflow/svelte';
import * as Y from 'yjs';
import {
  cellsFromDoc,
  cellsMap,
  containingBoundary,
  deleteCells,
  isBoundaryLine,
  isFlow,
  isNode,
  upsertCell,
  type Cell,
  type CellField,
  type BoundaryLineCell,
  type FlowCell,
  type NodeCell,
  type NodeShape,
} from '$model';
import { readClipboard, writeClipboard, type CellsOrigin } from './clipboard';
import { SHAPES } from './shapes';

export type DfdNode = Node<{ cell: NodeCell }, NodeShape>;
/** A rectangle by its corners, in flow coordinates. */
export interface Box {
  x: number;
  y: number;
  x2: number;
  y2: number;
}
export type DfdEdge = Edge<{ cell: FlowCell }, 'flow'>;

/** The result of a paste: the new id of every copied cell, and the diagram they came from. */
export interface PastedCells {
  origin: CellsOrigin;
  ids: Map<string, string>;
}

/**
 * Transaction origin of this browser's edits. Y.UndoManager tracks only this origin, so undo
 * never reverts a collaborator's (or the server's) changes.
 */
export const LOCAL_ORIGIN = { name: 'threatroom-local-edit' };

const PASTE_OFFSET = 24;

const sameCell = (a: Cell, b: Cell) => a === b || JSON.stringify(a) === JSON.stringify(b);

/**
 * Binds a diagram's Y.Doc (`cells` map, ARCHITECTURE.md §4) to Svelte Flow nodes and edges.
 * The document is the single source of truth: every local edit is a Yjs transaction with
 * LOCAL_ORIGIN, and the flow arrays are rebuilt from the document after every change, local
 * or remote, keeping only view state (selection, measurements, an ongoing drag) from the
 * previous arrays. Positions are absolute in the document; Svelte Flow gets them relative to
 * the containing security boundary (its `parentId`), so children move with their boundary.
 */
export class DiagramBinding {
  readonly doc: Y.Doc;
  readonly undoManager: Y.UndoManager;
  nodes = $state.raw<DfdNode[]>([]);
  edges = $state.raw<DfdEdge[]>([]);
  /** Every cell by id, as of the last document change. */
  cells = $state.raw<Map<string, Cell>>(new Map());
  /** Trust boundaries drawn as lines (imported Threat Dragon curves): shown, not edited here. */
  lines = $state.raw<BoundaryLineCell[]>([]);
  /** The selected boundary line (they are drawn over the canvas, not by Svelte Flow). */
  selectedLineId = $state<string | null>(null);
  canUndo = $state(false);
  canRedo = $state(false);
  /** The cell whose label is being edited in place, if any. */
  editingId = $state<string | null>(null);
  readOnly: boolean;

  /** Nodes being dragged here: their local position wins over the document until the drop. */
  private dragging = new Set<string>();
  /** While a resize runs, Svelte Flow shifts children to keep them in place: not a move. */
  private resizing = false;
  /** Cells to select after the next rebuild (pasted or newly added cells). */
  private selectNext: Set<string> | null = null;
  private pasteCount = 0;
  /** The copy (its `copiedAt`) the last paste came from. */
  private pastedFrom = 0;
  private disposers: (() => void)[] = [];

  constructor(doc: Y.Doc, readOnly: boolean) {
    this.doc = doc;
    this.readOnly = readOnly;
    const cells = cellsMap(doc);
    this.undoManager = new Y.UndoManager(cells, {
      trackedOrigins: new Set([LOCAL_ORIGIN]),
      captureTimeout: 400,
    });
    const onChange = () => this.rebuild();
    cells.observeDeep(onChange);
    const onStack = () => {
      this.canUndo = this.undoManager.canUndo();
      this.canRedo = this.undoManager.canRedo();
    };
    for (const event of ['stack-item-added', 'stack-item-popped', 'stack-cleared'] as const) {
      this.undoManager.on(event, onStack);
    }
    this.disposers.push(
      () => cells.unobserveDeep(onChange),
      () => this.undoManager.destroy(),
    );
    this.rebuild();
  }

  destroy() {
    for (const dispose of this.disposers) dispose();
  }

  /** The ids of the currently selected nodes, edges and boundary line. */
  get selectedIds(): string[] {
    return [
      ...(this.selectedLineId ? [this.selectedLineId] : []),
      ...this.nodes.filter((n) => n.selected).map((n) => n.id),
      ...this.edges.filter((e) => e.selected).map((e) => e.id),
    ];
  }

  private rebuild() {
    const all = cellsFromDoc(this.doc);
    const byId = new Map(all.map((c) => [c.id, c]));
    const select = this.selectNext;
    this.selectNext = null;
    const prevNodes = new Map(this.nodes.map((n) => [n.id, n]));
    const prevEdges = new Map(this.edges.map((e) => [e.id, e]));

    const nodeCells = all.filter(isNode);
    const parentOf = (cell: NodeCell): NodeCell | undefined => {
      const parent = cell.parent ? byId.get(cell.parent) : undefined;
      return parent && isNode(parent) && parent.id !== cell.id ? parent : undefined;
    };
    // Svelte Flow needs parents before their children; cycles (only possible through REST
    // writes) are broken by ignoring the parent link that closes them.
    const depth = new Map<string, number>();
    const depthOf = (cell: NodeCell): number => {
      let d = 0;
      const seen = new Set([cell.id]);
      for (let p = parentOf(cell); p && !seen.has(p.id); p = parentOf(p)) {
        seen.add(p.id);
        d++;
      }
      return d;
    };
    for (const cell of nodeCells) depth.set(cell.id, depthOf(cell));
    const ordered = [...nodeCells].sort((a, b) => depth.get(a.id)! - depth.get(b.id)!);

    const nodes: DfdNode[] = ordered.map((cell) => {
      const candidate = parentOf(cell);
      const parent =
        candidate && depth.get(candidate.id)! < depth.get(cell.id)! ? candidate : undefined;
      const position = parent
        ? { x: cell.x - parent.x, y: cell.y - parent.y }
        : { x: cell.x, y: cell.y };
      const prev = prevNodes.get(cell.id);
      const selected = select ? select.has(cell.id) : (prev?.selected ?? false);
      if (
        prev &&
        sameCell(prev.data.cell, cell) &&
        prev.selected === selected &&
        prev.parentId === parent?.id &&
        (this.dragging.has(cell.id) ||
          (prev.position.x === position.x && prev.position.y === position.y))
      ) {
        return prev;
      }
      const sameSize = prev?.width === cell.width && prev?.height === cell.height;
      return {
        ...(prev && sameSize ? { measured: prev.measured } : {}),
        id: cell.id,
        type: cell.shape,
        position: prev && this.dragging.has(cell.id) ? prev.position : position,
        width: cell.width,
        height: cell.height,
        ...(parent ? { parentId: parent.id } : {}),
        zIndex: cell.shape === 'security-boundary' ? 0 : 1,
        ariaLabel: `${SHAPES[cell.shape].title} ${cell.label?.trim() || 'unnamed'}`,
        selected,
        dragging: prev?.dragging,
        data: { cell },
      };
    });

    const edges: DfdEdge[] = all.filter(isFlow).map((cell) => {
      const prev = prevEdges.get(cell.id);
      const selected = select ? select.has(cell.id) : (prev?.selected ?? false);
      const ends = [cell.source.cell, cell.target.cell].map(
        (end) => byId.get(end)?.label?.trim() || 'unnamed',
      );
      const ariaLabel = `Data flow ${cell.label?.trim() || 'unnamed'}, from ${ends[0]} to ${ends[1]}`;
      if (
        prev?.data &&
        sameCell(prev.data.cell, cell) &&
        prev.selected === selected &&
        prev.ariaLabel === ariaLabel
      ) {
        return prev;
      }
      return {
        ariaLabel,
        id: cell.id,
        type: 'flow',
        source: cell.source.cell,
        target: cell.target.cell,
        sourceHandle: cell.source.port ?? null,
        targetHandle: cell.target.port ?? null,
        selected,
        zIndex: 2,
        data: { cell },
      };
    });

    this.cells = byId;
    this.lines = all.filter(isBoundaryLine);
    if (this.selectedLineId && !byId.has(this.selectedLineId)) this.selectedLineId = null;
    this.nodes = nodes;
    this.edges = edges;
  }

  /** Runs `change` as one local, undoable transaction (no-op for read-only participants). */
  private edit(change: (cells: Y.Map<Y.Map<unknown>>) => void) {
    if (this.readOnly) return;
    this.doc.transact(() => change(cellsMap(this.doc)), LOCAL_ORIGIN);
  }

  private nodeCell(id: string): NodeCell | undefined {
    const map = cellsMap(this.doc).get(id);
    if (!(map instanceof Y.Map) || map.get('shape') === 'flow') return undefined;
    return {
      id,
      shape: map.get('shape') as NodeShape,
      x: Number(map.get('x') ?? 0),
      y: Number(map.get('y') ?? 0),
      width: Number(map.get('width') ?? 1),
      height: Number(map.get('height') ?? 1),
      parent: (map.get('parent') as string | null | undefined) ?? null,
    };
  }

  /** The absolute position of a flow position given relative to `parentId`. */
  private absolute(position: XYPosition, parentId: string | undefined): XYPosition {
    const parent = parentId ? this.nodeCell(parentId) : undefined;
    return parent ? { x: position.x + parent.x, y: position.y + parent.y } : position;
  }

  /** The smallest security boundary containing the centre of `cell` (model/boundaries.ts). */
  private containerOf(cell: NodeCell): string | null {
    const boundaries: NodeCell[] = [];
    cellsMap(this.doc).forEach((_, id) => {
      const b = this.nodeCell(id);
      if (b?.shape === 'security-boundary') boundaries.push(b);
    });
    return containingBoundary(cell, boundaries)?.id ?? null;
  }

  /** Re-derives containment: every non-boundary node belongs to the boundary around it. */
  private reparentAll(cells: Y.Map<Y.Map<unknown>>) {
    cells.forEach((map, id) => {
      const cell = this.nodeCell(id);
      if (!cell || cell.shape === 'security-boundary') return;
      const parent = this.containerOf(cell);
      if ((map.get('parent') ?? null) !== parent) map.set('parent', parent);
    });
  }

  /**
   * Adds a node of `shape` centred on `at` (flow coordinates), or at the nearest free spot
   * inside `within` (the visible area) so it neither covers another node nor lands out of
   * sight; returns its id.
   */
  addNode(shape: NodeShape, at: XYPosition, within?: Box): string | null {
    if (this.readOnly) return null;
    const spec = SHAPES[shape];
    const id = crypto.randomUUID();
    const spot =
      shape === 'security-boundary' ? at : this.freeSpot(at, spec.width, spec.height, within);
    const cell: NodeCell = {
      id,
      shape,
      x: Math.round(spot.x - spec.width / 2),
      y: Math.round(spot.y - spec.height / 2),
      width: spec.width,
      height: spec.height,
      label: spec.label,
      parent: null,
      z_index: this.nextZ(),
      data: {},
    };
    this.undoManager.stopCapturing();
    this.selectNext = new Set([id]);
    this.edit((cells) => {
      if (shape !== 'security-boundary') cell.parent = this.containerOf(cell);
      upsertCell(this.doc, cell);
      if (shape === 'security-boundary') this.reparentAll(cells);
    });
    return id;
  }

  /**
   * The point nearest `at` (walking outwards on a grid) where a new node of this size does
   * not cover another node, so shapes added in a row do not pile up on each other.
   */
  private freeSpot(at: XYPosition, width: number, height: number, within?: Box): XYPosition {
    const others: NodeCell[] = [];
    cellsMap(this.doc).forEach((_, id) => {
      const cell = this.nodeCell(id);
      if (cell && cell.shape !== 'security-boundary') others.push(cell);
    });
    // Room between shapes for a flow and its label.
    const gapX = 96;
    const gapY = 48;
    const free = (p: XYPosition) =>
      others.every(
        (o) =>
          p.x + width / 2 + gapX <= o.x ||
          p.x - width / 2 - gapX >= o.x + o.width ||
          p.y + height / 2 + gapY <= o.y ||
          p.y - height / 2 - gapY >= o.y + o.height,
      );
    const stepX = width + gapX;
    const stepY = height + gapY;
    // Cheapest first: to the right, then the rows below, then left and above — shapes added
    // one after another line up left to right, the way a data flow reads.
    const cost = ([dx, dy]: [number, number]) =>
      Math.abs(dx) + 2 * Math.abs(dy) + (dx < 0 ? 3 : 0) + (dy < 0 ? 1 : 0);
    const offsets: [number, number][] = [];
    for (let dy = -6; dy <= 6; dy++) for (let dx = -6; dx <= 6; dx++) offsets.push([dx, dy]);
    offsets.sort((a, b) => cost(a) - cost(b) || Math.abs(a[1]) - Math.abs(b[1]));
    const inside = (p: XYPosition) =>
      !within ||
      (p.x - width / 2 >= within.x &&
        p.y - height / 2 >= within.y &&
        p.x + width / 2 <= within.x2 &&
        p.y + height / 2 <= within.y2);
    for (const [dx, dy] of offsets) {
      const p = { x: at.x + dx * stepX, y: at.y + dy * stepY };
      if (inside(p) && free(p)) return p;
    }
    return at;
  }

  private nextZ(): number {
    let max = 0;
    cellsMap(this.doc).forEach((map) => {
      const z = map.get('z_index');
      if (typeof z === 'number' && z > max) max = z;
    });
    return max + 1;
  }

  /** Adds a flow between two nodes; returns its id (null when it would be invalid). */
  addFlow(
    source: string,
    target: string,
    sourcePort?: string | null,
    targetPort?: string | null,
  ): string | null {
    if (this.readOnly || source === target) return null;
    if (!this.nodeCell(source) || !this.nodeCell(target)) return null;
    const id = crypto.randomUUID();
    const cell: FlowCell = {
      id,
      shape: 'flow',
      source: sourcePort ? { cell: source, port: sourcePort } : { cell: source },
      target: targetPort ? { cell: target, port: targetPort } : { cell: target },
      label: 'Data flow',
      z_index: this.nextZ(),
      data: {},
    };
    this.undoManager.stopCapturing();
    this.selectNext = new Set([id]);
    this.edit(() => upsertCell(this.doc, cell));
    return id;
  }

  /**
   * Takes the node array Svelte Flow hands back (selection, measurements, drags). Positions it
   * changed outside a pointer drag — arrow-key nudges — are written to the document here;
   * pointer drags are written by moveNodes from the drag events.
   */
  /** Selects one boundary line alone (a click on it). */
  selectLine(id: string | null) {
    this.selectedLineId = id;
    if (!id) return;
    this.nodes = this.nodes.map((n) => (n.selected ? { ...n, selected: false } : n));
    this.edges = this.edges.map((e) => (e.selected ? { ...e, selected: false } : e));
  }

  acceptFlowNodes(next: DfdNode[]) {
    if (next.some((n) => n.selected)) this.selectedLineId = null;
    const prev = new Map(this.nodes.map((n) => [n.id, n]));
    this.nodes = next;
    if (this.readOnly || this.resizing) return;
    const nudged = next.filter((n) => {
      const before = prev.get(n.id);
      return (
        before &&
        !n.dragging &&
        !this.dragging.has(n.id) &&
        (before.position.x !== n.position.x || before.position.y !== n.position.y)
      );
    });
    if (nudged.length) {
      this.moveNodes(
        nudged.map((n) => ({ id: n.id, position: n.position, parentId: n.parentId })),
        true,
      );
    }
  }

  acceptFlowEdges(next: DfdEdge[]) {
    if (next.some((e) => e.selected)) this.selectedLineId = null;
    this.edges = next;
  }

  beginDrag(ids: string[]) {
    for (const id of ids) this.dragging.add(id);
    this.undoManager.stopCapturing();
  }

  /**
   * Writes dragged nodes' positions (relative to their flow parent) as absolute document
   * coordinates, moving each node's descendants by the same delta. On `drop`, containment is
   * re-derived so a node dropped into a boundary joins it and one dragged out leaves it.
   */
  moveNodes(moves: { id: string; position: XYPosition; parentId?: string }[], drop: boolean) {
    this.edit((cells) => {
      for (const move of moves) {
        const cell = this.nodeCell(move.id);
        const map = cells.get(move.id);
        if (!cell || !map) continue;
        const abs = this.absolute(move.position, move.parentId);
        const dx = Math.round(abs.x) - cell.x;
        const dy = Math.round(abs.y) - cell.y;
        if (dx === 0 && dy === 0) continue;
        map.set('x', cell.x + dx);
        map.set('y', cell.y + dy);
        this.shiftDescendants(cells, move.id, dx, dy);
      }
      if (drop) this.reparentAll(cells);
    });
    if (drop) {
      for (const move of moves) this.dragging.delete(move.id);
      this.undoManager.stopCapturing();
      this.rebuild();
    }
  }

  private shiftDescendants(cells: Y.Map<Y.Map<unknown>>, id: string, dx: number, dy: number) {
    const seen = new Set([id]);
    const queue = [id];
    while (queue.length) {
      const parent = queue.shift()!;
      cells.forEach((map, childId) => {
        if (map.get('parent') !== parent || seen.has(childId)) return;
        seen.add(childId);
        queue.push(childId);
        map.set('x', Number(map.get('x') ?? 0) + dx);
        map.set('y', Number(map.get('y') ?? 0) + dy);
      });
    }
  }

  beginResize() {
    this.resizing = true;
    this.undoManager.stopCapturing();
  }

  /**
   * Applies a resize (position relative to the flow parent). Only this node's geometry
   * changes: contents keep their absolute positions. `done` re-derives containment.
   */
  resizeNode(
    id: string,
    box: { x: number; y: number; width: number; height: number },
    parentId: string | undefined,
    done: boolean,
  ) {
    this.edit((cells) => {
      const map = cells.get(id);
      if (!map) return;
      const abs = this.absolute({ x: box.x, y: box.y }, parentId);
      map.set('x', Math.round(abs.x));
      map.set('y', Math.round(abs.y));
      map.set('width', Math.max(1, Math.round(box.width)));
      map.set('height', Math.max(1, Math.round(box.height)));
      if (done) this.reparentAll(cells);
    });
    if (done) {
      this.resizing = false;
      this.undoManager.stopCapturing();
      this.rebuild();
    }
  }

  /** Sets top-level fields of one cell (label, …). */
  updateCell(id: string, fields: Partial<Record<CellField, unknown>>) {
    this.undoManager.stopCapturing();
    this.edit((cells) => {
      const map = cells.get(id);
      if (!map) return;
      for (const [key, value] of Object.entries(fields)) {
        if (value === undefined) map.delete(key);
        else map.set(key, value);
      }
    });
  }

  /** Sets (or with `undefined`, removes) one DFD property in the cell's `data`. */
  setData(id: string, key: string, value: unknown) {
    const map = cellsMap(this.doc).get(id);
    if (!map) return;
    const data = { ...((map.get('data') as Record<string, unknown> | undefined) ?? {}) };
    if (value === undefined || value === '') delete data[key];
    else data[key] = value;
    this.updateCell(id, { data });
  }

  /**
   * Deletes cells and the flows attached to them. A deleted boundary's contents stay where
   * they are (they leave the boundary, they are not deleted with it).
   */
  deleteCells(ids: string[]) {
    if (!ids.length) return;
    const doomed = new Set(ids);
    this.undoManager.stopCapturing();
    this.edit((cells) => {
      cells.forEach((map) => {
        const parent = map.get('parent');
        if (typeof parent === 'string' && doomed.has(parent)) map.set('parent', null);
      });
      deleteCells(this.doc, doomed, LOCAL_ORIGIN);
    });
  }

  /**
   * Copies the selected nodes and the flows between them to the editor's clipboard, which
   * every diagram in this browser pastes from (`origin` says which diagram they came from).
   */
  copy(ids: string[], origin: CellsOrigin): number {
    const chosen = new Set(ids);
    const cells = cellsFromDoc(this.doc).filter((c) =>
      isFlow(c) ? chosen.has(c.source.cell) && chosen.has(c.target.cell) : chosen.has(c.id),
    );
    if (cells.length) writeClipboard({ origin, cells, copiedAt: Date.now() });
    return cells.length;
  }

  /**
   * Pastes the clipboard with fresh ids, offset a little more on every paste of the same copy.
   * Returns what was pasted: the new id of each copied cell and where the copy came from.
   */
  paste(): PastedCells | null {
    const copied = readClipboard();
    if (this.readOnly || !copied?.cells.length) return null;
    this.pasteCount = this.pastedFrom === copied.copiedAt ? this.pasteCount + 1 : 1;
    this.pastedFrom = copied.copiedAt;
    const offset = PASTE_OFFSET * this.pasteCount;
    const clipboard = copied.cells;
    const ids = new Map(clipboard.map((c) => [c.id, crypto.randomUUID()]));
    const z = this.nextZ();
    const copies: Cell[] = clipboard.map((c, i) => {
      const id = ids.get(c.id)!;
      if (isFlow(c)) {
        return {
          ...structuredClone(c),
          id,
          source: { ...c.source, cell: ids.get(c.source.cell)! },
          target: { ...c.target, cell: ids.get(c.target.cell)! },
          z_index: z + i,
        };
      }
      if (!isNode(c)) return { ...structuredClone(c), id, z_index: z + i };
      const parent = c.parent ? (ids.get(c.parent) ?? c.parent) : null;
      return {
        ...structuredClone(c),
        id,
        x: c.x + offset,
        y: c.y + offset,
        parent: parent && (ids.has(c.parent!) || this.nodeCell(parent)) ? parent : null,
        z_index: z + i,
      };
    });
    this.undoManager.stopCapturing();
    this.selectNext = new Set(copies.map((c) => c.id));
    this.edit(() => {
      for (const cell of copies) upsertCell(this.doc, cell);
    });
    return { origin: copied.origin, ids };
  }

  /** Selects exactly one node or flow (a link that opens the diagram on a cell). */
  selectOnly(id: string) {
    this.nodes = this.nodes.map((n) =>
      n.selected === (n.id === id) ? n : { ...n, selected: n.id === id },
    );
    this.edges = this.edges.map((e) =>
      e.selected === (e.id === id) ? e : { ...e, selected: e.id === id },
    );
  }

  selectAll() {
    this.nodes = this.nodes.map((n) => (n.selected ? n : { ...n, selected: true }));
    this.edges = this.edges.map((e) => (e.selected ? e : { ...e, selected: true }));
  }

  undo() {
    if (!this.readOnly) this.undoManager.undo();
  }

  redo() {
    if (!this.readOnly) this.undoManager.redo();
  }
}
