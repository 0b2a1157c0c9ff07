import { askConfirm } from '$lib/components/confirm.svelte';
import { isFlow, type Cell } from '$model';
import type { DiagramBinding } from './binding.svelte';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** How a cell is named to people: its label and, for a flow, its ends. */
export function cellName(cell: Cell, cells: ReadonlyMap<string, Cell>): string {
  const label = cell.label?.trim();
  if (!isFlow(cell)) return label ? `“${label}”` : 'an unnamed shape';
  const end = (id: string) => cells.get(id)?.label?.trim() || 'unnamed';
  const ends = `${end(cell.source.cell)} → ${end(cell.target.cell)}`;
  return label ? `“${label}” (${ends})` : `the flow ${ends}`;
}

/**
 * The cells a deletion removes: the chosen ones and every flow attached to a chosen node
 * (model/ydoc.ts deleteCells removes those too).
 */
export function doomedBy(ids: readonly string[], cells: ReadonlyMap<string, Cell>): Cell[] {
  const doomed = new Set(ids);
  for (const cell of cells.values()) {
    if (isFlow(cell) && (doomed.has(cell.source.cell) || doomed.has(cell.target.cell))) {
      doomed.add(cell.id);
    }
  }
  return [...doomed].flatMap((id) => cells.get(id) ?? []);
}

/**
 * Asks before deleting cells that carry threats or comment threads, naming each such cell
 * and what is attached; deletions of bare cells go ahead without a question.
 */
export async function confirmDeletion(
  binding: DiagramBinding,
  ids: readonly string[],
  threatCounts: ReadonlyMap<string, number>,
  commentCounts: ReadonlyMap<string, { total: number }> | undefined,
): Promise<boolean> {
  const cells = binding.cells;
  const details: string[] = [];
  for (const cell of doomedBy(ids, cells)) {
    const threats = threatCounts.get(cell.id) ?? 0;
    const threads = commentCounts?.get(cell.id)?.total ?? 0;
    if (!threats && !threads) continue;
    const attached = [
      threats ? plural(threats, 'threat') : '',
      threads ? plural(threads, 'comment thread') : '',
    ].filter(Boolean);
    details.push(`${cellName(cell, cells)}: ${attached.join(' and ')}`);
  }
  if (!details.length) return true;
  return askConfirm({
    title: ids.length === 1 ? 'Delete this element?' : `Delete ${ids.length} elements?`,
    message:
      'Threats and comments are attached. The threats stay in the threat model and the comment threads stay in the comments panel, but they no longer point at a cell of the diagram.',
    details,
    confirmLabel: 'Delete',
    danger: true,
  });
}
