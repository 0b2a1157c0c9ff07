import type { Executor } from '../../db';
import * as usersRepo from '../../db/repositories/users.repository';
import type { ServiceRequest } from '../context';

/**
 * Users matching `q` for sharing dialogs: among the people the caller already shares a model
 * or a team with, plus the one account whose e-mail is exactly `q` (so a new collaborator can
 * be invited by address). Anyone else stays invisible: signing up must not open the directory.
 */
export async function lookUpUsers(
  db: Executor,
  request: ServiceRequest,
  { q, limit }: { q: string; limit: number },
) {
  return usersRepo.searchUsersKnownTo(db, request.user.id, q, limit);
}
