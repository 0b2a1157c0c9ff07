import type { Executor } from '../../db';
import * as accessRepo from '../../db/repositories/access.repository';
import { can, type Action, type Role } from '../../model/roles';
import type { ServiceRequest } from '../context';
import { forbidden, notFound } from '../errors';

/**
 * The first line of every service function under a threat model: resolves the caller's role
 * and checks it against `action`. Invisible (no grant, or no such model) → 404, so existence
 * is never revealed; visible but too low → 403.
 */
export async function authorize(
  db: Executor,
  request: ServiceRequest,
  threatModelId: string,
  action: Action,
): Promise<Role> {
  const role = await accessRepo.findEffectiveRole(db, request.user.id, threatModelId);
  if (!role) throw notFound('threat model');
  if (!can(role, action)) throw forbidden(`Your role (${role}) does not allow this.`);
  return role;
}
