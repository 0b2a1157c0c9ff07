import type * as Y from 'yjs';
import type { Executor } from '../db';
import * as updatesRepo from '../db/repositories/diagram-updates.repository';
import { cellsFromDoc } from '../model/ydoc';
import type { LiveDiagrams } from '../server/context';
import { loadDocument } from './persistence';

/** Transaction origin of every server-side write (REST, restore, comments). */
export const SERVER_ORIGIN = Symbol('threatroom-server');

/**
 * LiveDiagrams over the database alone: each call loads the document, and a write appends its
 * update to the log synchronously. Used when no room for the diagram is loaded here.
 */
export function createStoredDiagrams(db: Executor, nodeId: string): LiveDiagrams {
  async function load(diagramId: string) {
    const loaded = await loadDocument(db, diagramId);
    if (!loaded) throw new Error(`diagram ${diagramId} does not exist`);
    return loaded.doc;
  }
  return {
    async readCells(diagramId) {
      const doc = await load(diagramId);
      return cellsFromDoc(doc);
    },
    async transact(diagramId, change: (doc: Y.Doc) => void, actorId) {
      const doc = await load(diagramId);
      const updates: Uint8Array[] = [];
      doc.on('update', (update: Uint8Array) => updates.push(update));
      doc.transact(() => change(doc), SERVER_ORIGIN);
      await updatesRepo.appendDiagramUpdates(
        db,
        updates.map((update) => ({ diagramId, update, origin: nodeId, userId: actorId })),
      );
      return cellsFromDoc(doc);
    },
  };
}
