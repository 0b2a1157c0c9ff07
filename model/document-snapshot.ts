import * as Y from 'yjs';
import type { Cell } from './cells';
import { cellsFromDoc } from './ydoc';

/** A document's state and cells at one instant: what a diagram version stores. */
export interface DocumentSnapshot {
  state: Uint8Array;
  cells: Cell[];
}

/** Captures `doc` synchronously, so the snapshot is consistent even if edits follow. */
export function snapshotDocument(doc: Y.Doc): DocumentSnapshot {
  return { state: Y.encodeStateAsUpdate(doc), cells: cellsFromDoc(doc) };
}
