import type { Executor } from '../../db';
import * as tokensRepo from '../../db/repositories/api-tokens.repository';
import type { TokenScope } from '../../db/schema/enums';
import { API_TOKEN_PREFIX } from '../auth/authenticate';
import { hashSecret, randomSecret } from '../auth/tokens';
import { notFound } from '../errors';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Creates a 256-bit token; the plaintext is returned here once and only its hash is kept. */
export async function createApiToken(
  db: Executor,
  userId: string,
  input: { name: string; expires_in_days?: number; scope?: TokenScope },
) {
  const token = API_TOKEN_PREFIX + randomSecret(32);
  const row = await tokensRepo.insertApiToken(db, {
    userId,
    name: input.name,
    tokenHash: hashSecret(token),
    prefix: token.slice(0, API_TOKEN_PREFIX.length + 6),
    scope: input.scope ?? 'write',
    expiresAt: input.expires_in_days ? new Date(Date.now() + input.expires_in_days * DAY_MS) : null,
  });
  return { row, token };
}

export function listApiTokens(db: Executor, userId: string) {
  return tokensRepo.listApiTokens(db, userId);
}

export async function revokeApiToken(db: Executor, userId: string, id: string): Promise<void> {
  if (!(await tokensRepo.deleteApiToken(db, userId, id))) throw notFound('API token');
}
