import { getContext, setContext } from 'svelte';
import * as Y from 'yjs';
import { cellsMap, commentsMap, liveCommentsFromDoc, type LiveComment } from '$model';

/** A top-level comment with its replies (one level deep, oldest first). */
export interface Thread {
  root: LiveComment;
  replies: LiveComment[];
  resolved: boolean;
  /** Anchored to a cell that is no longer in the diagram. */
  detached: boolean;
}

/** Threads sharing one anchor: a cell, a threat, or the diagram as a whole. */
export interface ThreadGroup {
  key: string;
  kind: 'cell' | 'detached' | 'threat' | 'diagram';
  cellId: string | null;
  label: string;
  threads: Thread[];
}

/** Builds threads from a flat comment list; replies whose thread is gone are dropped. */
export function threadsOf(
  comments: readonly LiveComment[],
  cellIds: ReadonlySet<string>,
): Thread[] {
  const roots = new Map<string, Thread>();
  for (const c of comments) {
    if (c.parent_id) continue;
    roots.set(c.id, {
      root: c,
      replies: [],
      resolved: Boolean(c.resolved_at),
      detached: Boolean(c.cell_id && !cellIds.has(c.cell_id)),
    });
  }
  for (const c of comments) {
    if (c.parent_id) roots.get(c.parent_id)?.replies.push(c);
  }
  return [...roots.values()];
}

/**
 * The review comments of one live diagram, read from the document's `comments` map, which
 * only the server writes (REST is the source of truth, the map is its live mirror). Also
 * tracks which cells exist and their labels, so threads on deleted cells show as detached.
 */
export class LiveComments {
  comments = $state.raw<LiveComment[]>([]);
  /** Cell id → label of every cell in the document. */
  cellLabels = $state.raw<Map<string, string>>(new Map());

  threads = $derived.by(() => threadsOf(this.comments, new Set(this.cellLabels.keys())));

  /** Unresolved and total thread counts per attached cell, for the pins on the canvas. */
  countsByCell = $derived.by(() => {
    const counts = new Map<string, { unresolved: number; total: number }>();
    for (const t of this.threads) {
      if (!t.root.cell_id || t.detached) continue;
      const entry = counts.get(t.root.cell_id) ?? { unresolved: 0, total: 0 };
      entry.total++;
      if (!t.resolved) entry.unresolved++;
      counts.set(t.root.cell_id, entry);
    }
    return counts;
  });

  unresolvedCount = $derived(this.threads.filter((t) => !t.resolved).length);

  private disposers: (() => void)[] = [];

  constructor(readonly doc: Y.Doc) {
    const comments = commentsMap(doc);
    const cells = cellsMap(doc);
    const readComments = () => (this.comments = liveCommentsFromDoc(doc));
    const readCells = () => {
      const next = new Map<string, string>();
      cells.forEach((cell, id) => {
        const label = cell instanceof Y.Map ? cell.get('label') : undefined;
        next.set(id, typeof label === 'string' ? label : '');
      });
      // Cells change on every drag step; only labels and membership matter here.
      if (!sameEntries(next, this.cellLabels)) this.cellLabels = next;
    };
    comments.observeDeep(readComments);
    cells.observeDeep(readCells);
    this.disposers.push(
      () => comments.unobserveDeep(readComments),
      () => cells.unobserveDeep(readCells),
    );
    readComments();
    readCells();
  }

  /** Threads grouped by anchor: cells in label order, then the diagram, threats, detached. */
  groups(onlyUnresolved: boolean): ThreadGroup[] {
    const byKey = new Map<string, ThreadGroup>();
    for (const thread of this.threads) {
      if (onlyUnresolved && thread.resolved) continue;
      const { cell_id: cellId, threat_id: threatId } = thread.root;
      const group: Omit<ThreadGroup, 'threads'> = cellId
        ? thread.detached
          ? { key: `detached:${cellId}`, kind: 'detached', cellId, label: 'Deleted cell' }
          : {
              key: `cell:${cellId}`,
              kind: 'cell',
              cellId,
              label: this.cellLabels.get(cellId) || 'Unnamed cell',
            }
        : threatId
          ? { key: `threat:${threatId}`, kind: 'threat', cellId: null, label: 'Threat' }
          : { key: 'diagram', kind: 'diagram', cellId: null, label: 'Whole diagram' };
      const entry = byKey.get(group.key) ?? { ...group, threads: [] };
      entry.threads.push(thread);
      byKey.set(group.key, entry);
    }
    const ORDER = { cell: 0, diagram: 1, threat: 2, detached: 3 } as const;
    return [...byKey.values()].sort(
      (a, b) => ORDER[a.kind] - ORDER[b.kind] || a.label.localeCompare(b.label),
    );
  }

  destroy() {
    for (const dispose of this.disposers) dispose();
  }
}

function sameEntries(a: Map<string, string>, b: Map<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

/**
 * The editor's review state shared by the canvas pins and the comments panel: the live
 * comments, whether the panel is open, and the cell it is focused on.
 */
export class EditorReview {
  open = $state(false);
  /** The cell whose threads the panel shows first and a new comment attaches to. */
  focusedCell = $state<string | null>(null);

  constructor(readonly comments: LiveComments) {}

  /** Opens the panel on a cell's threads (a pin was clicked). */
  showCell(cellId: string) {
    this.focusedCell = cellId;
    this.open = true;
  }
}

const KEY = Symbol('threatroom-editor-review');

export function setEditorReview(review: EditorReview): EditorReview {
  return setContext(KEY, review);
}

/** The editor's review state, or undefined outside an editor that set one. */
export function getEditorReview(): EditorReview | undefined {
  return getContext<EditorReview | undefined>(KEY);
}
