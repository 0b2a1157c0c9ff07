import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { Role } from '../model/roles';
import { colorForUser } from '../model/user-color';
import type { CollabAccess, CollabPeer } from './access';
import type { ConnectionIdentity } from './collab-connection';

export interface UpgradeHandlerOptions {
  access: CollabAccess;
  logger: Logger;
  /** True once the server is shutting down: new upgrades are refused with 503. */
  isClosing(): boolean;
  /** Takes over an upgrade that is authenticated and may see the diagram. */
  admit(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    identity: ConnectionIdentity,
    role: Role,
  ): void;
}

const COLLAB_PATH =
  /^\/collab\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/?$/i;
const TICKET_MAX_LENGTH = 128;

type Verdict = { ok: true; peer: CollabPeer } | { ok: false; status: 401 | 403 };

/**
 * Node's http 'upgrade' listener for `/collab/<diagramId>`: who is this (a `?ticket=` or the
 * request's own credentials), may they see the diagram, then hand over. Refusals are plain
 * HTTP answers before any WebSocket exists.
 */
export function createUpgradeHandler(
  options: UpgradeHandlerOptions,
): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  const { access, logger } = options;

  async function identify(req: IncomingMessage, url: URL, diagramId: string): Promise<Verdict> {
    const ticket = url.searchParams.get('ticket');
    if (ticket === null) return access.authenticate(req);
    if (!ticket || ticket.length > TICKET_MAX_LENGTH) return { ok: false, status: 401 };
    const peer = await access.redeemTicket(ticket, diagramId);
    return peer ? { ok: true, peer } : { ok: false, status: 401 };
  }

  async function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const match = COLLAB_PATH.exec(url.pathname);
    if (options.isClosing()) return refuse(socket, 503);
    if (!match) return refuse(socket, 404);
    const diagramId = match[1]!.toLowerCase();
    const verdict = await identify(req, url, diagramId);
    if (!verdict.ok) return refuse(socket, verdict.status);
    const { peer } = verdict;
    const role = await access.roleOnDiagram(peer.user.id, diagramId);
    // Unknown and invisible look the same: existence is never revealed.
    if (!role) return refuse(socket, 404);
    if (socket.destroyed) return;
    const user = { id: peer.user.id, name: peer.user.name, color: colorForUser(peer.user.id) };
    const notices = url.searchParams.get('notices') === '1';
    options.admit(req, socket, head, { ...peer, user, diagramId, notices }, role);
  }

  return (req, socket, head) => {
    // A client resetting the connection during authentication must not crash the process.
    socket.on('error', () => socket.destroy());
    upgrade(req, socket, head).catch((err) => {
      logger.warn({ err }, 'collab upgrade failed');
      refuse(socket, 503);
    });
  };
}

const STATUS_TEXT = {
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  503: 'Service Unavailable',
} as const;

function refuse(socket: Duplex, status: keyof typeof STATUS_TEXT): void {
  if (socket.destroyed) return;
  const text = STATUS_TEXT[status];
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${text.length}\r\n\r\n${text}`,
  );
}
