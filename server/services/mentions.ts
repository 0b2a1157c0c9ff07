import type { Executor } from '../../db';
import * as accessRepo from '../../db/repositories/access.repository';
import * as usersRepo from '../../db/repositories/users.repository';
import type { UserRow } from '../../db/repositories/users.repository';
import { parseMentions } from '../../model/mentions';

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

/** Someone a comment can mention, with the handle that reaches them and nobody else. */
export interface MentionablePerson {
  id: string;
  name: string;
  email: string;
  handle: string;
}

const localPart = (email: string) => email.split('@')[0]!;
const nameHandle = (name: string) => name.replace(/ /g, '').toLowerCase();

/**
 * People who can see the model (own or team grant) matching `q`, for @-autocomplete. Each
 * gets the short handle (`@ada`) when it names only them among the people with access, else
 * the whole e-mail (`@ada@example.com`), so the inserted handle notifies exactly that person.
 */
export async function suggestMentions(
  db: Executor,
  threatModelId: string,
  q: string,
  limit: number,
): Promise<MentionablePerson[]> {
  const people = await accessRepo.searchPeopleWithAccess(db, threatModelId, q, limit);
  const shorts = [...new Set(people.map((p) => localPart(p.email)))];
  const sameHandle = await usersRepo.findUsersByHandles(db, shorts);
  const visible = new Set(
    await accessRepo.filterUsersWithAccess(
      db,
      threatModelId,
      sameHandle.map((u) => u.id),
    ),
  );
  const holders = sameHandle.filter((u) => visible.has(u.id));
  return people.map((p) => {
    const short = localPart(p.email);
    const others = holders.filter(
      (u) => u.id !== p.id && (localPart(u.email) === short || nameHandle(u.name) === short),
    );
    return { ...p, handle: others.length ? p.email : short };
  });
}
