import type { Cell } from '$model';

const TYPE: Record<string, string> = {
  actor: 'actor',
  process: 'process',
  store: 'store',
  flow: 'flow',
  'security-boundary': 'boundary',
  'text-box': 'text',
};

const labelOf = (cell: Cell | undefined) => cell?.label?.trim() || 'Unnamed';

/**
 * How a person names a diagram element: its label and type, a flow as "API → Database (SQL)"
 * (source → target, then the flow's own label); "Deleted element" when it is gone.
 */
export function elementName(cells: ReadonlyMap<string, Cell>, cellId: string | null): string {
  if (!cellId) return '';
  const cell = cells.get(cellId);
  if (!cell) return 'Deleted element';
  if (cell.shape === 'flow') {
    const from = labelOf(cells.get(cell.source.cell ?? ''));
    const to = labelOf(cells.get(cell.target.cell ?? ''));
    const own = cell.label?.trim();
    return `${from} → ${to}${own ? ` (${own})` : ''}`;
  }
  return `${labelOf(cell)} (${TYPE[cell.shape] ?? cell.shape})`;
}
