import { getContext, setContext } from 'svelte';
import type { DiagramBinding, PastedCells } from './binding.svelte';
import type { CellsOrigin } from './clipboard';
import type { Comparison } from './comparison.svelte';
import type { LiveSession } from './live-session.svelte';
import type { LiveThreats } from './live-threats.svelte';
import type { ThreatMark } from '$model';

export interface RemoteMark {
  color: string;
  name: string;
}

/**
 * What the canvas components share: the document binding, the live session, and whether this
 * participant may edit. Remote selections are derived once here for every node and edge.
 */
export class Editor {
  readonly binding: DiagramBinding;
  /** The live session; null for a read-only preview of a saved version. */
  readonly session: LiveSession | null;
  /** May this participant edit (follows the server: a demoted writer turns view-only). */
  canEdit = $state(false);
  /** The diagram on screen (copies remember it; pastes compare with it). */
  readonly place: CellsOrigin;
  /** The latest paste, until the workspace has offered to copy the threats that came with it. */
  lastPaste = $state.raw<PastedCells | null>(null);
  /** The live threats mirror; null for a read-only preview of a saved version. */
  readonly threats: LiveThreats | null;
  /** Threat marks per cell (count, worst open current risk, settled), live. */
  marks = $derived.by((): ReadonlyMap<string, ThreatMark> => this.threats?.marks ?? new Map());
  /** Threats recorded against each cell (for the deletion warning). */
  threatCounts = $derived.by(() => new Map([...this.marks].map(([id, m]) => [id, m.count])));

  /** The compare view when one is open: marks on the canvas, ghosts, the change list. */
  comparison = $state.raw<Comparison | null>(null);

  /** A point (flow coordinates) to centre the canvas on: a removed cell's ghost. */
  centreRequest = $state<{ x: number; y: number } | null>(null);

  /** A cell to select and centre once it is on the canvas (`?cell=` in the editor's URL). */
  focusRequest = $state<string | null>(null);

  remoteSelections = $derived.by(() => {
    const marks = new Map<string, RemoteMark>();
    for (const p of this.session?.participants ?? []) {
      if (p.self) continue;
      for (const id of p.selection) {
        if (!marks.has(id)) marks.set(id, { color: p.user.color, name: p.user.name });
      }
    }
    return marks;
  });

  constructor(
    binding: DiagramBinding,
    session: LiveSession | null,
    canEdit: boolean,
    place: CellsOrigin,
    threats: LiveThreats | null = null,
  ) {
    this.binding = binding;
    this.session = session;
    this.canEdit = canEdit;
    this.place = place;
    this.threats = threats;
  }
}

const KEY = Symbol('threatroom-editor');

export function setEditor(editor: Editor): Editor {
  return setContext(KEY, editor);
}

export function getEditor(): Editor {
  return getContext<Editor>(KEY);
}
