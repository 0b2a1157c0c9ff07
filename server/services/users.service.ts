import type { Executor } from '../../db';
import * as usersRepo from '../../db/repositories/users.repository';
import type { ServiceRequest } from '../context';

/**
 * Users matching `q` for sharing dialogs. Any signed-in user may look others up (sharing needs
 * it); the result is bounded, so it cannot page through the whole directory cheaply.
 */
export async function lookUpUsers(
  db: Executor,
  _request: ServiceRequest,
  { q, limit }: { q: string; limit: number },
) {
  return usersRepo.searchUsers(db, q, limit);
}
