import { MAX_CELLS, validateCells, type Cell } from '$model';

/** Where copied cells came from: pasting elsewhere can offer to bring their threats along. */
export interface CellsOrigin {
  threatModelId: string;
  diagramId: string;
}

export interface CopiedCells {
  origin: CellsOrigin;
  cells: Cell[];
  /** Tells one copy from the next (the paste offset restarts with each copy). */
  copiedAt: number;
}

/**
 * The editor's clipboard, shared by every diagram of this browser: in memory for this tab and
 * in localStorage for the others, so cells copied in one diagram paste into another (also in
 * another tab). The system clipboard is left alone: a paste there should give text, not JSON.
 */
const KEY = 'threatroom-clipboard';
/** A copy larger than this stays in this tab only (localStorage quotas are ~5 MB). */
const MAX_STORED_CHARS = 2_000_000;

let current: CopiedCells | null = null;

export function writeClipboard(copy: CopiedCells): void {
  current = copy;
  try {
    const text = JSON.stringify(copy);
    if (text.length <= MAX_STORED_CHARS) localStorage.setItem(KEY, text);
    else localStorage.removeItem(KEY);
  } catch {
    // Private mode or a full quota: the copy still pastes in this tab.
  }
}

/**
 * The latest copy, from this tab or another; whatever localStorage holds is validated with
 * the same cell rules the server applies, so a tampered entry pastes nothing.
 */
export function readClipboard(): CopiedCells | null {
  let stored: CopiedCells | null = null;
  try {
    const text = localStorage.getItem(KEY);
    if (text && text.length <= MAX_STORED_CHARS) stored = parseCopy(JSON.parse(text));
  } catch {
    stored = null;
  }
  if (stored && (!current || stored.copiedAt > current.copiedAt)) current = stored;
  return current;
}

function parseCopy(value: unknown): CopiedCells | null {
  if (typeof value !== 'object' || value === null) return null;
  const { origin, cells, copiedAt } = value as Record<string, unknown>;
  if (typeof copiedAt !== 'number' || typeof origin !== 'object' || origin === null) return null;
  const { threatModelId, diagramId } = origin as Record<string, unknown>;
  if (typeof threatModelId !== 'string' || typeof diagramId !== 'string') return null;
  if (!Array.isArray(cells) || cells.length > MAX_CELLS) return null;
  // A boundary that was not copied is not in the list: its children paste uncontained.
  const ids = new Set(cells.map((c) => (c as { id?: unknown }).id));
  const checked = validateCells(
    cells.map((c) => {
      const parent = (c as { parent?: unknown }).parent;
      return parent && !ids.has(parent) ? { ...(c as object), parent: null } : c;
    }),
  );
  if (!checked.ok) return null;
  return { origin: { threatModelId, diagramId }, cells: checked.cells, copiedAt };
}
