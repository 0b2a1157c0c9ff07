import * as Y from 'yjs';
import { MAX_CELLS } from '../model/cells';
import { cellFieldError, END_KIND, endKind, isUuid, requiredFields } from '../model/cell-rules';
import { CELL_FIELDS } from '../model/ydoc';
import { SERVER_OWNED_ROOTS } from './server-owned';

/** The live document's top-level types: `cells`, and the server-owned ones. */
export const ALLOWED_ROOTS: ReadonlySet<string> = new Set(['cells', ...SERVER_OWNED_ROOTS]);
const FIELDS: ReadonlySet<string> = new Set(CELL_FIELDS);

/** What an accepted update does to the cells (for the audit log and the safety net). */
export interface CellEffects {
  added: string[];
  changed: string[];
  deleted: string[];
}

export type LiveVerdict = ({ ok: true } & CellEffects) | { ok: false; reason: string };

/** Where an item lives: its container (a root, one cell's map, or deeper) and its key. */
type Container =
  | { kind: 'root'; name: string }
  | { kind: 'cell'; cellId: string }
  | { kind: 'deep' }
  | { kind: 'unknown' };
interface Place {
  container: Container;
  key: string | null;
}

class Refusal extends Error {}
function refuse(reason: string): never {
  throw new Refusal(reason);
}

/**
 * Decides whether a client's document update may be applied (throws when it does not even
 * decode), from the decoded update and the
 * document as it is (nothing is applied and undone). The rules are the REST cell rules
 * (model/cell-rules.ts): only the allowed roots, nothing written or deleted under the
 * server-owned ones, `cells` holding one Y.Map per uuid with known fields of the right type,
 * whole new cells, nothing nested below a field, at most MAX_CELLS cells. An update Yjs would
 * keep pending (structs or deletions the server has not seen the dependencies of) is refused
 * too, so nothing can slip in later unchecked.
 */
export function validateLiveUpdate(doc: Y.Doc, update: Uint8Array): LiveVerdict {
  try {
    return { ok: true, ...check(doc, update) };
  } catch (err) {
    if (err instanceof Refusal) return { ok: false, reason: err.message };
    // Anything else means the bytes do not decode: the caller closes as for a broken frame.
    throw err;
  }
}

function check(doc: Y.Doc, update: Uint8Array): CellEffects {
  const { structs, ds } = Y.decodeUpdate(update);
  const store = doc.store;
  // A document just loaded from the database holds its roots as untyped types until someone
  // asks for them as maps, and items under an untyped root do not resolve to their cell
  // (a client's offline edit after a restart was refused as "nested"): type them first.
  for (const name of ALLOWED_ROOTS) doc.getMap(name);
  // Keyed by the root types themselves (Y.Doc.share holds them as AbstractType<YEvent<any>>).
  const rootNames = new Map<unknown, string>();
  for (const [name, type] of doc.share) rootNames.set(type, name);

  // Only what extends beyond what the server holds is new; the rest Yjs skips.
  const fresh: Y.Item[] = [];
  const next = new Map<number, number>();
  for (const struct of structs) {
    if (struct instanceof Y.Skip) refuse('update has gaps');
    const client = struct.id.client;
    const expected = next.get(client) ?? Y.getState(store, client);
    if (struct.id.clock > expected) refuse('update depends on changes the server has not seen');
    next.set(client, Math.max(expected, struct.id.clock + struct.length));
    if (struct instanceof Y.Item && struct.id.clock + struct.length > Y.getState(store, client)) {
      fresh.push(struct);
    }
  }
  const inDoc = (id: Y.ID) => id.clock < Y.getState(store, id.client);
  // Per client, the update's new items in clock order, for a binary search by id.
  const byClient = new Map<number, Y.Item[]>();
  for (const item of fresh) {
    const list = byClient.get(item.id.client);
    if (list) list.push(item);
    else byClient.set(item.id.client, [item]);
  }
  const inUpdate = (id: Y.ID): Y.Item | undefined => {
    const list = byClient.get(id.client);
    if (!list) return undefined;
    let lo = 0;
    let hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = list[mid]!;
      if (id.clock < s.id.clock) hi = mid - 1;
      else if (id.clock >= s.id.clock + s.length) lo = mid + 1;
      else return s;
    }
    return undefined;
  };

  const docPlace = (item: Y.Item): Place => {
    const type = item.parent as Y.AbstractType<unknown> | null;
    if (!type) return { container: { kind: 'unknown' }, key: null };
    const key = item.parentSub;
    if (!type._item) {
      const name = rootNames.get(type);
      return { container: name ? { kind: 'root', name } : { kind: 'unknown' }, key };
    }
    return { container: containerOf(docPlace(type._item)), key };
  };
  const containerOf = (typePlace: Place): Container =>
    typePlace.container.kind === 'root' &&
    typePlace.container.name === 'cells' &&
    typePlace.key !== null
      ? { kind: 'cell', cellId: typePlace.key }
      : { kind: 'deep' };

  const memo = new Map<Y.Item, Place>();
  const placeOfId = (id: Y.ID): Place => {
    if (inDoc(id)) {
      const struct = Y.getItem(store, id);
      return struct instanceof Y.Item
        ? docPlace(struct)
        : { container: { kind: 'unknown' }, key: null };
    }
    const item = inUpdate(id);
    return item ? placeOf(item) : { container: { kind: 'unknown' }, key: null };
  };
  function placeOf(item: Y.Item): Place {
    const known = memo.get(item);
    if (known) return known;
    memo.set(item, { container: { kind: 'unknown' }, key: null }); // cycles resolve to unknown
    const parent = item.parent as unknown;
    let place: Place;
    const neighbour = item.origin ?? item.rightOrigin;
    if (neighbour && parent === null) place = placeOfId(neighbour);
    else if (typeof parent === 'string')
      place = { container: { kind: 'root', name: parent }, key: item.parentSub };
    else if (parent instanceof Y.ID)
      place = { container: containerOf(placeOfId(parent)), key: item.parentSub };
    else place = { container: { kind: 'unknown' }, key: null };
    memo.set(item, place);
    return place;
  }

  const cells = doc.getMap('cells');
  /** Cells this update writes a fresh Y.Map for (new, or replacing the one held). */
  const newMaps = new Set<string>();
  const added = new Set<string>();
  const changed = new Set<string>();
  const deleted = new Set<string>();
  /** Fields each touched cell receives in this update. */
  const written = new Map<string, Set<string>>();
  const shapeOf = (cellId: string): unknown => {
    const map = cells.get(cellId);
    return map instanceof Y.Map ? map.get('shape') : undefined;
  };
  const newShapes = new Map<string, unknown>();
  /** The kind of each `source`/`target` written (a flow's ends name cells, a line's are points). */
  const endKinds = new Map<string, Map<string, 'terminal' | 'point' | null>>();

  for (const item of fresh) {
    const { container, key } = placeOf(item);
    const content = item.content;
    const gone = content instanceof Y.ContentDeleted;
    if (container.kind === 'unknown') refuse('update refers to unknown content');
    if (container.kind === 'deep') refuse('nothing may be nested below a cell field');
    if (container.kind === 'root') {
      if (!ALLOWED_ROOTS.has(container.name)) refuse(`unknown root type ${container.name}`);
      if (SERVER_OWNED_ROOTS.has(container.name))
        refuse(`${container.name} is written by the server`);
      if (key === null || !isUuid(key)) refuse('cells are keyed by uuid');
      if (gone) continue;
      if (!(content instanceof Y.ContentType) || !(content.type instanceof Y.Map))
        refuse('a cell is a map');
      newMaps.add(key);
      if (!(cells.get(key) instanceof Y.Map)) added.add(key);
      else changed.add(key);
      continue;
    }
    const cellId = container.cellId;
    if (key === null || !FIELDS.has(key)) refuse(`unknown cell field ${String(key)}`);
    if (gone) continue;
    if (!(content instanceof Y.ContentAny) || content.arr.length !== 1)
      refuse(`${key} must be a plain value`);
    const value = (content as Y.ContentAny).arr[0];
    const problem = cellFieldError(key!, value);
    if (problem) refuse(`${key}: ${problem}`);
    if (key === 'shape') newShapes.set(cellId, value);
    if (key === 'source' || key === 'target') {
      let kinds = endKinds.get(cellId);
      if (!kinds) endKinds.set(cellId, (kinds = new Map()));
      kinds.set(key, endKind(value));
    }
    let fields = written.get(cellId);
    if (!fields) written.set(cellId, (fields = new Set()));
    fields.add(key!);
    if (!added.has(cellId)) changed.add(cellId);
  }

  // Deletions: of what the server holds, only what is live counts (a reconnecting client
  // repeats the deletions it knows). Clocks beyond the server's state would stay pending.
  const removedFields = new Map<string, Set<string>>();
  for (const [client, ranges] of ds.clients) {
    const known = Y.getState(store, client);
    const upTo = next.get(client) ?? known;
    for (const { clock, len } of ranges) {
      if (clock + len > upTo) refuse('update deletes content the server has not seen');
      let at = clock;
      while (at < clock + len && at < known) {
        const struct = Y.getItem(store, Y.createID(client, at));
        at = struct.id.clock + struct.length;
        if (!(struct instanceof Y.Item) || struct.deleted) continue;
        const { container, key } = docPlace(struct);
        if (container.kind === 'root') {
          if (SERVER_OWNED_ROOTS.has(container.name))
            refuse(`${container.name} is written by the server`);
          if (
            container.name === 'cells' &&
            key !== null &&
            cells.get(key) === struct.content.getContent()[0]
          ) {
            deleted.add(key);
          }
        } else if (container.kind === 'cell' && key !== null) {
          let fields = removedFields.get(container.cellId);
          if (!fields) removedFields.set(container.cellId, (fields = new Set()));
          fields.add(key);
        }
      }
    }
  }
  for (const id of newMaps) deleted.delete(id);

  // Whole cells: a new cell brings the fields its shape needs, an existing one keeps them.
  for (const id of new Set([...added, ...changed])) {
    if (deleted.has(id)) continue;
    const fields = written.get(id) ?? new Set<string>();
    const fresh = newMaps.has(id);
    const shape = newShapes.get(id) ?? (fresh ? undefined : shapeOf(id));
    if (shape === undefined) refuse('a new cell needs a shape');
    const required = requiredFields(shape);
    const existing = fresh ? undefined : cells.get(id);
    for (const field of required) {
      const kept =
        existing instanceof Y.Map && existing.has(field) && !removedFields.get(id)?.has(field);
      if (!fields.has(field) && !kept) refuse(`a ${String(shape)} needs ${field}`);
    }
    const wanted = typeof shape === 'string' ? END_KIND[shape] : undefined;
    for (const end of ['source', 'target'] as const) {
      const kind = endKinds.get(id)?.has(end)
        ? endKinds.get(id)!.get(end)
        : existing instanceof Y.Map && existing.has(end)
          ? endKind(existing.get(end))
          : undefined;
      if (kind === undefined) continue;
      if (kind !== wanted) refuse(`a ${String(shape)} cannot have that ${end}`);
    }
  }
  for (const [id, fields] of removedFields) {
    if (deleted.has(id) || newMaps.has(id)) continue;
    const shape = newShapes.get(id) ?? shapeOf(id);
    const required = requiredFields(shape);
    for (const field of fields) {
      if (required.includes(field) && !written.get(id)?.has(field))
        refuse(`a ${String(shape)} needs ${field}`);
      changed.add(id);
    }
  }

  if (cells.size + added.size - deleted.size > MAX_CELLS) refuse(`at most ${MAX_CELLS} cells`);
  return {
    added: [...added],
    changed: [...changed].filter((id) => !added.has(id) && !deleted.has(id)),
    deleted: [...deleted],
  };
}
