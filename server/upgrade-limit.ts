import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { Config } from './config';
import { ProblemError } from './errors';
import { clientAddress, proxyTrustOf } from './proxy-trust';
import type { Limit } from './rate-limits';

type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/**
 * Counts WebSocket upgrades per client address (COLLAB_UPGRADE_MAX_PER_IP per window, shared
 * through Redis like every limit) before collab sees them: a reconnect storm or a scripted
 * flood costs a counter, not an authentication and a database round trip each. Beyond the
 * limit the upgrade is answered `429` problem+json with `Retry-After` and closed. The client
 * address is the one REST uses (TRUST_PROXY). Should the limiter itself fail, the upgrade
 * goes on: authentication still guards it.
 */
export function limitUpgradesPerAddress(
  handle: UpgradeHandler,
  options: { limit: Limit; config: Config; logger: Logger },
): UpgradeHandler {
  const trust = proxyTrustOf(options.config);
  return (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    const forwarded = req.headers['x-forwarded-for'];
    const address = clientAddress(
      req.socket.remoteAddress,
      Array.isArray(forwarded) ? forwarded.join(', ') : forwarded,
      trust,
    );
    options.limit.consume(address).then(
      () => handle(req, socket, head),
      (err: unknown) => {
        if (err instanceof ProblemError && err.status === 429) return refuse(socket, err);
        options.logger.warn({ err }, 'upgrade rate limit unavailable; letting the upgrade on');
        handle(req, socket, head);
      },
    );
  };
}

function refuse(socket: Duplex, err: ProblemError): void {
  if (socket.destroyed) return;
  const body = JSON.stringify({
    type: `urn:threatroom:problem:${err.code}`,
    title: 'Too Many Requests',
    status: 429,
    detail: 'Too many WebSocket connections from this address; try again later.',
    code: err.code,
  });
  const retryAfter = err.headers?.['Retry-After'] ?? '1';
  socket.end(
    `HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\nRetry-After: ${retryAfter}\r\n` +
      `Content-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
