import { getBezierPath, type Position } from '@xyflow/svelte';

export interface FlowEnds {
  sourceX: number;
  sourceY: number;
  targetX: number;
  targetY: number;
  sourcePosition: Position;
  targetPosition: Position;
}

/** Distance between two flows drawn between the same pair of nodes. */
const PARALLEL_GAP = 30;
/** Flows shorter than this get their label beside the line rather than on it. */
const SHORT_FLOW = 150;
const LABEL_CLEARANCE = 16;

/**
 * How far (signed, in flow units) a flow is bowed away from the straight line because other
 * flows join the same two nodes, in either direction: 0 for a lone flow, ±15 for two, …
 * The sign is taken relative to the pair ordered by id, so A→B and B→A bow to opposite sides.
 */
export function parallelOffset(
  id: string,
  edges: readonly { id: string; source: string; target: string }[],
): number {
  const self = edges.find((e) => e.id === id);
  if (!self) return 0;
  const pair = (e: { source: string; target: string }) => [e.source, e.target].sort().join('|');
  const key = pair(self);
  const siblings = edges
    .filter((e) => pair(e) === key)
    .map((e) => e.id)
    .sort();
  if (siblings.length < 2) return 0;
  const index = siblings.indexOf(id);
  const offset = (index - (siblings.length - 1) / 2) * PARALLEL_GAP;
  return self.source < self.target ? offset : -offset;
}

/**
 * The path and label position of a flow. A lone flow is the usual bezier with its label in
 * the middle. Parallel flows become curves bowed apart by `offset`, each label on its own
 * curve. A short flow's label moves beside the line, so the chip never hides the flow.
 */
export function flowGeometry(
  ends: FlowEnds,
  offset: number,
): { path: string; labelX: number; labelY: number } {
  const { sourceX: sx, sourceY: sy, targetX: tx, targetY: ty } = ends;
  const dx = tx - sx;
  const dy = ty - sy;
  const length = Math.hypot(dx, dy) || 1;
  // The unit normal, always to the same side of the straight line.
  const nx = -dy / length;
  const ny = dx / length;
  if (offset === 0) {
    const [path, labelX, labelY] = getBezierPath(ends);
    if (length >= SHORT_FLOW) return { path, labelX, labelY };
    // Beside the line: above a mostly horizontal flow, to the right of a vertical one.
    const side = Math.abs(dx) >= Math.abs(dy) ? -Math.sign(ny || 1) : Math.sign(nx || 1);
    return {
      path,
      labelX: labelX + nx * side * LABEL_CLEARANCE * 1.4,
      labelY: labelY + ny * side * LABEL_CLEARANCE * 1.4,
    };
  }
  // A quadratic curve whose middle point lies `offset` away from the straight line.
  const mx = (sx + tx) / 2;
  const my = (sy + ty) / 2;
  const cx = mx + nx * offset * 2;
  const cy = my + ny * offset * 2;
  return {
    path: `M${sx},${sy} Q${cx},${cy} ${tx},${ty}`,
    labelX: mx + nx * offset,
    labelY: my + ny * offset,
  };
}
