import { getContext, setContext } from 'svelte';
import type { DiagramBinding } from './binding.svelte';
import type { LiveSession } from './live-session.svelte';

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
  /** Threats recorded against each cell, shown as badges on the canvas. */
  threatCounts = $state.raw<Map<string, number>>(new Map());

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

  constructor(binding: DiagramBinding, session: LiveSession | null, canEdit: boolean) {
    this.binding = binding;
    this.session = session;
    this.canEdit = canEdit;
  }
}

const KEY = Symbol('threatroom-editor');

export function setEditor(editor: Editor): Editor {
  return setContext(KEY, editor);
}

export function getEditor(): Editor {
  return getContext<Editor>(KEY);
}
