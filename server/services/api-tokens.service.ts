import type { Executor } from '../../db';
import * as tokensRepo from '../../db/repositories/api-tokens.repository';
import type { TokenScope } from '../../db/schema/enums';
import { API_TOKEN_PREFIX } from '../auth/authenticate';
import { hashSecret, randomSecret } from '../auth/tokens';
import type { ServiceRequest } from '../context';
import { notFound } from '../errors';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Creates a 256-bit token; the plaintext is returned here once and only its hash is kept. */
export async function createApiToken(
  db: Executor,
  request: ServiceRequest,
  { apiToken: input }: { apiToken: { name: string; expires_in_days?: number; scope?: TokenScope } },
) {
  const token = API_TOKEN_PREFIX + randomSecret(32);
  const row = await tokensRepo.insertApiToken(db, {
    userId: request.user.id,
    name: input.name,
    tokenHash: hashSecret(token),
    prefix: token.slice(0, API_TOKEN_PREFIX.length + 6),
    scope: input.scope ?? 'write',
    expiresAt: input.expires_in_days ? new Date(Date.now() + input.expires_in_days * DAY_MS) : null,
  });
  return { row, token };
}

/** The caller's own tokens; nobody sees another user's. */
export function listApiTokens(db: Executor, request: ServiceRequest) {
  return tokensRepo.listApiTokens(db, request.user.id);
}

export async function revokeApiToken(
  db: Executor,
  request: ServiceRequest,
  { tokenId }: { tokenId: string },
): Promise<void> {
  if (!(await tokensRepo.deleteApiToken(db, request.user.id, tokenId))) {
    throw notFound('API token');
  }
}
