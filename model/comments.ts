import * as Y from 'yjs';
import { commentsMap } from './ydoc';

/**
 * A review comment as it appears in the live document's `comments` map (written only by the
 * server; REST is the source of truth). Same field names as the REST representation.
 */
export interface LiveComment {
  id: string;
  body: string;
  author: { id: string; name: string } | null;
  diagram_id: string | null;
  cell_id: string | null;
  threat_id: string | null;
  parent_id: string | null;
  resolved_at: string | null;
  resolved_by: string | null;
  created_at: string;
  modified_at: string;
}

const FIELDS = [
  'body',
  'author',
  'diagram_id',
  'cell_id',
  'threat_id',
  'parent_id',
  'resolved_at',
  'resolved_by',
  'created_at',
  'modified_at',
] as const;

/** Writes (adds or updates) a comment in the document; call inside a server transaction. */
export function writeLiveComment(doc: Y.Doc, comment: LiveComment): void {
  const map = commentsMap(doc);
  let entry = map.get(comment.id);
  if (!(entry instanceof Y.Map)) {
    entry = new Y.Map<unknown>();
    map.set(comment.id, entry);
  }
  for (const field of FIELDS) {
    if (JSON.stringify(entry.get(field)) !== JSON.stringify(comment[field])) {
      entry.set(field, comment[field]);
    }
  }
}

export function removeLiveComments(doc: Y.Doc, ids: readonly string[]): void {
  const map = commentsMap(doc);
  for (const id of ids) map.delete(id);
}

/** Every comment in the document, oldest first. */
export function liveCommentsFromDoc(doc: Y.Doc): LiveComment[] {
  const out: LiveComment[] = [];
  commentsMap(doc).forEach((entry, id) => {
    if (!(entry instanceof Y.Map)) return;
    const c: Record<string, unknown> = { id };
    for (const field of FIELDS) c[field] = entry.get(field) ?? null;
    out.push(c as unknown as LiveComment);
  });
  return out.sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
}
