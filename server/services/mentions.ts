import type { Executor } from '../../db';
import * as accessRepo from '../../db/repositories/access.repository';
import * as usersRepo from '../../db/repositories/users.repository';
import type { UserRow } from '../../db/repositories/users.repository';

/** `@ada`, `@ada.lovelace`, `@ada@example.com`; a mention must start a word. */
const MENTION = /(?:^|[^\w@])@([A-Za-z0-9._%+-]+(?:@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)?)/g;
/** Bounds the work one comment can cause. */
const MAX_MENTIONS = 20;

/** The distinct handles mentioned in `body`, in order, trailing dots trimmed. */
export function parseMentions(body: string): string[] {
  const handles = new Set<string>();
  for (const match of body.matchAll(MENTION)) {
    const handle = match[1]!.replace(/\.+$/, '').toLowerCase();
    if (handle) handles.add(handle);
    if (handles.size >= MAX_MENTIONS) break;
  }
  return [...handles];
}

/**
 * The users a comment mentions who can see the model (any grant), excluding `authorId`.
 * Mentioning someone without access notifies nobody and reveals nothing.
 */
export async function resolveMentions(
  db: Executor,
  threatModelId: string,
  body: string,
  authorId: string,
): Promise<UserRow[]> {
  const handles = parseMentions(body);
  const candidates = (await usersRepo.findUsersByHandles(db, handles)).filter(
    (u) => u.id !== authorId,
  );
  const visible = new Set(
    await accessRepo.filterUsersWithAccess(
      db,
      threatModelId,
      candidates.map((u) => u.id),
    ),
  );
  return candidates.filter((u) => visible.has(u.id));
}
