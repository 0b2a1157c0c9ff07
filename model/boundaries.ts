import { isFlow, isNode, type Cell, type FlowCell, type NodeCell, type Point } from './cells';

/**
 * Trust boundaries by geometry. A node belongs to every `security-boundary` box around its
 * centre; the editor records the smallest one as the node's `parent` (containingBoundary),
 * and the threat rules ask which boundaries a flow crosses (trustZones). Geometry, not the
 * stored `parent`, decides, so cells written over REST or imported without parents are read
 * the same way as drawn ones.
 */

type Box = Pick<NodeCell, 'id' | 'x' | 'y' | 'width' | 'height'>;

const centreOf = (box: Box): Point => ({ x: box.x + box.width / 2, y: box.y + box.height / 2 });

const surrounds = (outer: Box, p: Point) =>
  p.x >= outer.x && p.x <= outer.x + outer.width && p.y >= outer.y && p.y <= outer.y + outer.height;

const area = (box: Box) => box.width * box.height;

export const isBoundary = (cell: Cell): cell is NodeCell => cell.shape === 'security-boundary';

/**
 * The boundaries around the centre of `node`, innermost (smallest) first; a boundary never
 * contains itself. Equal areas keep the order of `boundaries`.
 */
export function boundariesAround<B extends Box>(node: Box, boundaries: Iterable<B>): B[] {
  const centre = centreOf(node);
  const around: B[] = [];
  for (const b of boundaries) if (b.id !== node.id && surrounds(b, centre)) around.push(b);
  return around.sort((a, b) => area(a) - area(b));
}

/**
 * The smallest security boundary containing the centre of `node` (other than itself), or
 * null: what the editor stores as a node's `parent`.
 */
export function containingBoundary<B extends Box>(node: Box, boundaries: Iterable<B>): B | null {
  let best: B | null = null;
  const centre = centreOf(node);
  for (const b of boundaries) {
    if (b.id === node.id || !surrounds(b, centre)) continue;
    if (!best || area(b) < area(best)) best = b;
  }
  return best;
}

/** A trust boundary drawn as a line (Threat Dragon's boundary curve), when the diagram has one. */
interface BoundaryLine {
  id: string;
  points: Point[];
}

function boundaryLineOf(cell: Cell): BoundaryLine | null {
  // Line-shaped boundaries arrive with the Threat Dragon import; read them structurally so
  // this module does not depend on that cell type.
  if ((cell.shape as string) !== 'security-boundary-line') return null;
  const raw = cell as unknown as { source?: Point; target?: Point; vertices?: Point[] };
  if (!isPoint(raw.source) || !isPoint(raw.target)) return null;
  return { id: cell.id, points: [raw.source, ...(raw.vertices ?? []), raw.target] };
}

const isPoint = (p: unknown): p is Point =>
  typeof p === 'object' &&
  p !== null &&
  Number.isFinite((p as Point).x) &&
  Number.isFinite((p as Point).y);

/** Proper or touching intersection of segments ab and cd. */
function segmentsMeet(a: Point, b: Point, c: Point, d: Point): boolean {
  const cross = (o: Point, p: Point, q: Point) =>
    (p.x - o.x) * (q.y - o.y) - (p.y - o.y) * (q.x - o.x);
  const d1 = cross(c, d, a);
  const d2 = cross(c, d, b);
  const d3 = cross(a, b, c);
  const d4 = cross(a, b, d);
  if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)))
    return true;
  const within = (o: Point, p: Point, q: Point) =>
    Math.min(o.x, p.x) <= q.x &&
    q.x <= Math.max(o.x, p.x) &&
    Math.min(o.y, p.y) <= q.y &&
    q.y <= Math.max(o.y, p.y);
  return (
    (d1 === 0 && within(c, d, a)) ||
    (d2 === 0 && within(c, d, b)) ||
    (d3 === 0 && within(a, b, c)) ||
    (d4 === 0 && within(a, b, d))
  );
}

const polylinesMeet = (p: Point[], q: Point[]) =>
  p.some((a, i) => i > 0 && q.some((c, j) => j > 0 && segmentsMeet(p[i - 1]!, a, q[j - 1]!, c)));

/** The trust zones of one diagram, computed once and asked many times. */
export interface TrustZones {
  /** Boundary ids around a node, innermost first (empty for unknown ids). */
  around(nodeId: string): readonly string[];
  /** Every boundary a flow crosses between its two ends (boxes around one end only, lines it cuts). */
  crossedBy(flow: FlowCell): string[];
  /**
   * The boundaries a flow passes to reach `nodeId` (one of its ends) from the other end:
   * boxes around `nodeId` that do not surround the other end, and lines the flow cuts.
   * Non-empty means "this node is entered from another trust zone".
   */
  enteredAt(flow: FlowCell, nodeId: string): string[];
}

export function trustZones(cells: readonly Cell[]): TrustZones {
  const boundaries = cells.filter(isBoundary);
  const lines = cells.map(boundaryLineOf).filter((l): l is BoundaryLine => l !== null);
  const nodes = new Map(cells.filter(isNode).map((n) => [n.id, n]));
  const zones = new Map<string, string[]>();
  const around = (id: string): readonly string[] => {
    let ids = zones.get(id);
    if (!ids) {
      const node = nodes.get(id);
      ids = node ? boundariesAround(node, boundaries).map((b) => b.id) : [];
      zones.set(id, ids);
    }
    return ids;
  };
  const linesCut = (flow: FlowCell): string[] => {
    if (!lines.length) return [];
    const source = nodes.get(flow.source.cell);
    const target = nodes.get(flow.target.cell);
    if (!source || !target) return [];
    const path = [centreOf(source), ...(flow.vertices ?? []), centreOf(target)];
    return lines.filter((l) => polylinesMeet(path, l.points)).map((l) => l.id);
  };
  const enteredAt = (flow: FlowCell, nodeId: string) => {
    const other = flow.source.cell === nodeId ? flow.target.cell : flow.source.cell;
    const outside = new Set(around(other));
    return [...around(nodeId).filter((b) => !outside.has(b)), ...linesCut(flow)];
  };
  return {
    around,
    enteredAt,
    crossedBy(flow) {
      const s = around(flow.source.cell);
      const t = new Set(around(flow.target.cell));
      const sSet = new Set(s);
      return [
        ...s.filter((b) => !t.has(b)),
        ...[...t].filter((b) => !sSet.has(b)),
        ...linesCut(flow),
      ];
    },
  };
}

/** A flow read in one direction: a bidirectional flow is read both ways. */
export interface DirectedFlow {
  flow: FlowCell;
  source: NodeCell;
  target: NodeCell;
  /** True for the target → source reading of a bidirectional flow. */
  reversed: boolean;
}

/** Every flow of the diagram in each direction data moves (`data.bidirectional` → both). */
export function directedFlows(cells: readonly Cell[]): DirectedFlow[] {
  const nodes = new Map(cells.filter(isNode).map((n) => [n.id, n]));
  const out: DirectedFlow[] = [];
  for (const flow of cells.filter(isFlow)) {
    const source = nodes.get(flow.source.cell);
    const target = nodes.get(flow.target.cell);
    if (!source || !target) continue;
    out.push({ flow, source, target, reversed: false });
    if (flow.data?.bidirectional === true)
      out.push({ flow, source: target, target: source, reversed: true });
  }
  return out;
}
