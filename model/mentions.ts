/**
 * @-mentions in comment bodies: `@ada`, `@ada.lovelace`, `@ada@example.com`. The server
 * notifies from `parseMentions`; the editor's autocomplete finds what is being typed with
 * `mentionAt`, so both read a handle the same way.
 */

/** One handle: a word of e-mail local-part characters, optionally a whole e-mail address. */
const HANDLE = '[A-Za-z0-9._%+-]+(?:@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)+)?';
/** A mention must start a word (so `me@example.com` in prose is not a mention of `example`). */
const MENTION = new RegExp(`(?:^|[^\\w@])@(${HANDLE})`, 'g');
/** Bounds the work one comment can cause. */
export const MAX_MENTIONS = 20;

/** The distinct handles mentioned in `body`, in order, lower-cased, trailing dots trimmed. */
export function parseMentions(body: string): string[] {
  const handles = new Set<string>();
  for (const match of body.matchAll(MENTION)) {
    const handle = match[1]!.replace(/\.+$/, '').toLowerCase();
    if (handle) handles.add(handle);
    if (handles.size >= MAX_MENTIONS) break;
  }
  return [...handles];
}

/** A mention being typed: where its `@` is and the text typed after it so far. */
export interface MentionInProgress {
  /** Index of the `@` in the text. */
  start: number;
  query: string;
}

/**
 * The mention the caret is at the end of, if any: `@` at a word start followed by up to 64
 * handle characters (none yet is a query too: the menu opens on the `@`).
 */
export function mentionAt(text: string, caret: number): MentionInProgress | null {
  const before = text.slice(0, caret);
  const match = /(?:^|[^\w@])@([A-Za-z0-9._%+-]{0,64})$/.exec(before);
  if (!match) return null;
  const query = match[1]!;
  return { start: caret - query.length - 1, query };
}

/** `text` with the mention at `at` replaced by `@handle` and a space, and where the caret goes after it. */
export function insertMention(
  text: string,
  caret: number,
  at: MentionInProgress,
  handle: string,
): { text: string; caret: number } {
  const after = text.slice(caret).replace(/^[A-Za-z0-9._%+@-]*/, '');
  // One space after the handle: the one already there, or a new one.
  const inserted = /^\s/.test(after) ? `@${handle}` : `@${handle} `;
  return {
    text: text.slice(0, at.start) + inserted + after,
    caret: at.start + inserted.length + (inserted.endsWith(' ') ? 0 : 1),
  };
}
