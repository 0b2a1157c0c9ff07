import * as Y from 'yjs';

/** Top-level maps of the live document that only the server writes (ARCHITECTURE.md §4). */
export const SERVER_OWNED_ROOTS: ReadonlySet<string> = new Set(['comments', 'threats']);

type DecodedItem = Y.Item;

/**
 * True when a client's update would add, change or delete anything under a server-owned map
 * (`comments`, `threats`: REST is their source of truth, the maps are the server's mirror). Such an update is
 * refused whole, so nobody can forge or erase a comment by editing the document directly.
 *
 * Decides from the update's structs without applying it: a struct names its parent either
 * directly (a root key or a parent type's id) or through its left/right neighbour, which is
 * found in the document or earlier in the same update. Deletions count only for items that
 * are live in the document, so a reconnecting client's full delete set (which repeats the
 * server's own comment deletions) is not mistaken for a write.
 */
export function touchesServerOwnedRoots(
  doc: Y.Doc,
  update: Uint8Array,
  roots: ReadonlySet<string> = SERVER_OWNED_ROOTS,
): boolean {
  const { structs, ds } = Y.decodeUpdate(update);
  const store = doc.store;
  const fresh = structs.filter((s): s is DecodedItem => s instanceof Y.Item);
  const memo = new Map<DecodedItem, string | null>();

  const inDoc = (id: Y.ID) => id.clock < Y.getState(store, id.client);

  /** The decoded struct of this update that covers `id`, if any. */
  const inUpdate = (id: Y.ID): DecodedItem | undefined =>
    fresh.find(
      (s) =>
        s.id.client === id.client && s.id.clock <= id.clock && id.clock < s.id.clock + s.length,
    );

  /** The root key of an item already integrated in the document (null for GC'd content). */
  const rootOfDocItem = (id: Y.ID): string | null => {
    const struct = Y.getItem(store, id);
    return struct instanceof Y.Item ? rootKeyOf(struct) : null;
  };

  /** The root key under which the item with `id` lives, or null when it cannot be told. */
  const rootOfId = (id: Y.ID): string | null => {
    if (inDoc(id)) return rootOfDocItem(id);
    const item = inUpdate(id);
    return item ? rootOfDecoded(item) : null;
  };

  function rootOfDecoded(item: DecodedItem): string | null {
    if (memo.has(item)) return memo.get(item)!;
    memo.set(item, null); // a reference cycle in a forged update resolves to "unknown"
    const parent = item.parent as unknown;
    let root: string | null;
    if (typeof parent === 'string') root = parent;
    else if (parent instanceof Y.ID) root = rootOfId(parent);
    else {
      const neighbour = item.origin ?? item.rightOrigin;
      root = neighbour ? rootOfId(neighbour) : null;
    }
    memo.set(item, root);
    return root;
  }

  for (const item of fresh) {
    const root = rootOfDecoded(item);
    if (root !== null && roots.has(root)) return true;
  }

  for (const [client, ranges] of ds.clients) {
    const known = Y.getState(store, client);
    for (const { clock, len } of ranges) {
      let at = clock;
      while (at < clock + len && at < known) {
        const struct = Y.getItem(store, Y.createID(client, at));
        if (struct instanceof Y.Item && !struct.deleted) {
          const root = rootKeyOf(struct);
          if (root !== null && roots.has(root)) return true;
        }
        at = struct.id.clock + struct.length;
      }
    }
  }
  return false;
}

/** The key of the top-level type an integrated item lives under (findRootTypeKey wants a root). */
function rootKeyOf(item: Y.Item): string | null {
  let type = item.parent as Y.AbstractType<unknown> | null;
  while (type?._item) type = type._item.parent as Y.AbstractType<unknown> | null;
  if (!type) return null;
  for (const [key, value] of type.doc?.share ?? []) if (value === type) return key;
  return null;
}
