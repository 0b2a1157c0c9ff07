import type * as Y from 'yjs';
import type { Database } from '../db';
import * as updatesRepo from '../db/repositories/diagram-updates.repository';
import type { Cell } from '../model/cells';
import { snapshotDocument, type DocumentSnapshot } from '../model/document-snapshot';
import { cellsFromDoc } from '../model/ydoc';
import { ServerOrigin } from './origins';
import { loadDocument } from './persistence';
import type { RoomRegistry } from './room-registry';

/**
 * The live diagram documents as the REST layer sees them: the room registry when the room is
 * loaded on this node, else a document loaded for the write, so every cell change, whoever
 * makes it, is one Yjs transaction through the same update log.
 */
export interface LiveDiagrams {
  /** Current cells: the loaded room's, else compacted state + pending log. */
  readCells(diagramId: string): Promise<Cell[]>;
  /**
   * Runs `change` on the diagram's document as one server-origin transaction (loading the
   * document if needed), appends the update to the log and reaches every participant.
   * Returns the resulting cells.
   */
  transact(
    diagramId: string,
    change: (doc: Y.Doc) => void,
    actorId: string | null,
  ): Promise<Cell[]>;
  /**
   * The document's state and cells at one instant (live room's when loaded): what a diagram
   * version stores.
   */
  snapshot(diagramId: string): Promise<DocumentSnapshot>;
  /**
   * Access changed (a grant, a team membership, a revoked token, a logout): the live
   * connections of that model or user re-check now, on every node. Returns at once.
   */
  accessChanged(change: AccessChange): void;
}

/** Whose live connections must re-check their access. */
export type AccessChange = { threatModelId: string } | { userId: string };

/** The diagram does not exist (deleted between the caller's check and the write). */
export class DiagramNotFoundError extends Error {
  constructor(readonly diagramId: string) {
    super(`diagram ${diagramId} does not exist`);
    this.name = 'DiagramNotFoundError';
  }
}

/**
 * REST meets live: reads come from the loaded room when there is one (participants' latest
 * edits included), else from compacted state + log. Writes always go through a room —
 * loading it for the write when nobody is connected — so they reach every participant and
 * the same update log, and the room unloads again once the write is stored.
 */
export function createLiveDiagrams(
  db: Database,
  registry: RoomRegistry,
  onAccessChanged: (change: AccessChange) => void,
): LiveDiagrams {
  async function loadStored(diagramId: string): Promise<Y.Doc> {
    const loaded = await loadDocument(db, diagramId);
    if (!loaded) throw new DiagramNotFoundError(diagramId);
    return loaded.doc;
  }

  return {
    async readCells(diagramId) {
      const room = registry.get(diagramId);
      if (room) return cellsFromDoc(room.doc);
      const doc = await loadStored(diagramId);
      try {
        return cellsFromDoc(doc);
      } finally {
        doc.destroy();
      }
    },

    async transact(diagramId, change, actorId) {
      const room = await registry.acquire(diagramId);
      if (!room) throw new DiagramNotFoundError(diagramId);
      room.holds++;
      try {
        const commits = room.transact(change, actorId);
        const cells = cellsFromDoc(room.doc);
        // The REST answer means "stored": wait for the group commit of this write.
        await Promise.all(commits);
        return cells;
      } finally {
        room.holds--;
        registry.releaseIfIdle(room);
      }
    },

    async snapshot(diagramId) {
      const room = registry.get(diagramId);
      if (room) return snapshotDocument(room.doc);
      const doc = await loadStored(diagramId);
      try {
        return snapshotDocument(doc);
      } finally {
        doc.destroy();
      }
    },

    accessChanged: onAccessChanged,
  };
}

/**
 * LiveDiagrams over the database alone, for tools that build the app without a collab server
 * (e.g. the OpenAPI dump): each call loads the document and a write appends its update to
 * the log directly. The server always uses `createLiveDiagrams`.
 */
export function createStoredDiagrams(db: Database, nodeId: string): LiveDiagrams {
  return {
    async readCells(diagramId) {
      const loaded = await loadDocument(db, diagramId);
      if (!loaded) throw new DiagramNotFoundError(diagramId);
      return cellsFromDoc(loaded.doc);
    },
    async transact(diagramId, change, actorId) {
      const loaded = await loadDocument(db, diagramId);
      if (!loaded) throw new DiagramNotFoundError(diagramId);
      const updates: Uint8Array[] = [];
      loaded.doc.on('update', (update: Uint8Array) => updates.push(update));
      loaded.doc.transact(() => change(loaded.doc), new ServerOrigin(actorId));
      await updatesRepo.appendDiagramUpdates(
        db,
        updates.map((update) => ({ diagramId, update, origin: nodeId, userId: actorId })),
      );
      return cellsFromDoc(loaded.doc);
    },
    async snapshot(diagramId) {
      const loaded = await loadDocument(db, diagramId);
      if (!loaded) throw new DiagramNotFoundError(diagramId);
      return snapshotDocument(loaded.doc);
    },
    // No live connections without a collab server.
    accessChanged() {},
  };
}
