import type { Database, Executor } from '../../db';
import * as tokensRepo from '../../db/repositories/api-tokens.repository';
import type { TokenScope } from '../../db/schema/enums';
import { API_TOKEN_PREFIX } from '../auth/authenticate';
import { hashSecret, randomSecret } from '../auth/tokens';
import type { ServiceRequest } from '../context';
import { badRequest, conflict, forbidden, notFound } from '../errors';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface TokenPolicy {
  /** Longest life of a token, and the life of one asked for without `expires_in_days`. */
  maxLifetimeDays: number;
  /** Live tokens one user may hold. */
  maxLivePerUser: number;
}

/**
 * Only a signed-in person manages credentials: a token that could mint tokens would let a
 * leaked short-lived token make itself permanent, and one that could revoke would let it lock
 * its owner's other integrations out.
 */
function requireSession(request: ServiceRequest): void {
  if (request.method !== 'session') {
    throw forbidden('API tokens are managed from a signed-in session, not with an API token.');
  }
}

/**
 * Creates a 256-bit token; the plaintext is returned here once and only its hash is kept.
 * Every token expires (at most `maxLifetimeDays` from now), and a user holds at most
 * `maxLivePerUser` live ones (409 beyond: revoke one first).
 */
export async function createApiToken(
  db: Database,
  request: ServiceRequest,
  {
    apiToken: input,
    policy,
  }: {
    apiToken: { name: string; expires_in_days?: number; scope?: TokenScope };
    policy: TokenPolicy;
  },
) {
  requireSession(request);
  const days = input.expires_in_days ?? policy.maxLifetimeDays;
  if (days > policy.maxLifetimeDays) {
    throw badRequest(`A token may live at most ${policy.maxLifetimeDays} days.`, [
      { path: 'expires_in_days', message: `at most ${policy.maxLifetimeDays}` },
    ]);
  }
  const token = API_TOKEN_PREFIX + randomSecret(32);
  const row = await db.transaction(async (tx) => {
    await tokensRepo.lockTokenOwner(tx, request.user.id);
    if ((await tokensRepo.countLiveApiTokens(tx, request.user.id)) >= policy.maxLivePerUser) {
      throw conflict(
        'token_limit',
        `You already have ${policy.maxLivePerUser} live API tokens; revoke one first.`,
      );
    }
    return tokensRepo.insertApiToken(tx, {
      userId: request.user.id,
      name: input.name,
      tokenHash: hashSecret(token),
      prefix: token.slice(0, API_TOKEN_PREFIX.length + 6),
      scope: input.scope ?? 'write',
      expiresAt: new Date(Date.now() + days * DAY_MS),
    });
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
  requireSession(request);
  if (!(await tokensRepo.deleteApiToken(db, request.user.id, tokenId))) {
    throw notFound('API token');
  }
}
