import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { CollabAccess, CollabPeer } from '../collab';
import type { Executor } from '../db';
import * as accessRepo from '../db/repositories/access.repository';
import * as tokensRepo from '../db/repositories/api-tokens.repository';
import * as collabRepo from '../db/repositories/collaboration.repository';
import * as sessionsRepo from '../db/repositories/sessions.repository';
import * as usersRepo from '../db/repositories/users.repository';
import { authenticate } from './auth/authenticate';
import { hashSecret } from './auth/tokens';
import type { Config } from './config';
import { allowedOrigins, requestOrigin } from './middleware/request-guards';
import { peerIsTrustedProxy, proxyTrustOf } from './proxy-trust';

/**
 * Collab's access interface over this server's sign-in: the upgrade authenticates exactly
 * like a REST request (Bearer token, else session cookie), tickets are the ones
 * `POST /api/collab/tickets` issued, roles come from the one policy's grants.
 */
export function createCollabAccess(db: Executor, config: Config): CollabAccess {
  const extraOrigins = allowedOrigins(config);

  /** Cookie sessions must come from our own origin (or an allowed one): no cross-site hijack. */
  function originAllowed(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    if (origin === undefined) return true;
    const scheme = (req.socket as TLSSocket).encrypted ? 'https' : 'http';
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) {
      if (typeof v === 'string') headers.set(k, v);
    }
    const own = requestOrigin(
      `${scheme}://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`,
      headers,
      peerIsTrustedProxy(req.socket.remoteAddress, proxyTrustOf(config)),
    );
    return origin === own || extraOrigins.has(origin);
  }

  return {
    async authenticate(req) {
      const result = await authenticate(db, {
        authorization: req.headers.authorization,
        cookie: req.headers.cookie,
      });
      if (!result) return { ok: false, status: 401 };
      const { caller } = result;
      if (caller.method === 'session' && !originAllowed(req)) return { ok: false, status: 403 };
      const peer: CollabPeer = {
        user: { id: caller.user.id, name: caller.user.name },
        method: caller.method,
        readScopedToken: caller.method === 'token' && caller.scope === 'read',
        credentialKind: caller.method,
        credentialId: (caller.method === 'token' ? caller.tokenId : caller.sessionId) ?? null,
      };
      return { ok: true, peer };
    },

    async redeemTicket(ticket, diagramId) {
      const redeemed = await collabRepo.consumeCollabTicket(db, hashSecret(ticket));
      if (!redeemed || redeemed.diagramId !== diagramId) return null;
      const user = await usersRepo.findUserById(db, redeemed.userId);
      if (!user) return null;
      // A ticket is only as good as the credential that minted it: logged out or revoked since
      // means refused, even inside its 30 seconds.
      if (redeemed.credentialId !== null) {
        const ids = [redeemed.credentialId];
        const live =
          redeemed.credentialKind === 'token'
            ? await tokensRepo.findLiveApiTokenIds(db, ids)
            : await sessionsRepo.findLiveSessionIds(db, ids);
        if (!live.has(redeemed.credentialId)) return null;
      }
      return {
        user: { id: user.id, name: user.name },
        method: 'ticket',
        readScopedToken: false,
        credentialKind: redeemed.credentialKind,
        credentialId: redeemed.credentialId,
      };
    },

    async roleOnDiagram(userId, diagramId) {
      const access = await accessRepo.findEffectiveRoleOnDiagram(db, userId, diagramId);
      return access?.role ?? null;
    },

    async liveCredentials({ sessionIds, tokenIds }) {
      const [liveSessions, liveTokens] = await Promise.all([
        sessionsRepo.findLiveSessionIds(db, sessionIds),
        tokensRepo.findLiveApiTokenIds(db, tokenIds),
      ]);
      return { sessionIds: liveSessions, tokenIds: liveTokens };
    },
  };
}
