import type { Cell } from '../../model';
import { OURS } from '../unit/threat-dragon-oracle';

/**
 * A minimal, test-local mapping of a Threat Dragon v2 cell onto ours (shape, geometry, label,
 * the DFD properties the rules read), for tests built from TD's demo models. The importer
 * proper is the interop work.
 */
const SHAPES: Record<string, string> = {
  actor: 'actor',
  process: 'process',
  store: 'store',
  flow: 'flow',
  'trust-boundary-box': 'security-boundary',
  'trust-boundary-curve': 'security-boundary-line',
  'td-text-block': 'text-box',
};

export interface TdCell {
  id: string;
  shape: string;
  position?: { x: number; y: number };
  size?: { width: number; height: number };
  source?: { cell?: string; x?: number; y?: number };
  target?: { cell?: string; x?: number; y?: number };
  vertices?: { x: number; y: number }[];
  data?: Record<string, unknown>;
}

export function cellFromThreatDragon(c: TdCell): Cell {
  const shape = SHAPES[c.shape];
  if (!shape) throw new Error(`unknown TD shape ${c.shape}`);
  const data: Record<string, unknown> = {};
  for (const [td, ours] of Object.entries(OURS)) {
    const v = c.data?.[td];
    if (v === true || (typeof v === 'string' && v !== '')) data[ours] = v;
  }
  if (c.data?.outOfScope === true) data.out_of_scope = true;
  const label = typeof c.data?.name === 'string' ? c.data.name : undefined;
  if (shape === 'flow')
    return {
      id: c.id,
      shape: 'flow',
      source: { cell: c.source!.cell! },
      target: { cell: c.target!.cell! },
      ...(c.vertices ? { vertices: c.vertices } : {}),
      label,
      data,
    };
  if (shape === 'security-boundary-line')
    return { id: c.id, shape, source: c.source, target: c.target, vertices: c.vertices } as never;
  return {
    id: c.id,
    shape: shape as 'process',
    ...c.position!,
    ...c.size!,
    label,
    data,
  };
}
