import type { Database } from '../../db';
import * as accessRepo from '../../db/repositories/access.repository';
import * as collabRepo from '../../db/repositories/collaboration.repository';
import * as diagramsRepo from '../../db/repositories/diagrams.repository';
import { hashSecret, randomSecret } from '../auth/tokens';
import type { ServiceRequest } from '../context';
import { notFound } from '../errors';
import type { DiagramRef } from './diagrams.service';
import { authorize } from './policy';

/** A ticket lives this long: enough to open a socket right after asking for it. */
export const TICKET_TTL_MS = 30_000;

/** Read access to the model and the diagram inside it; 404 hides either's existence. */
async function visibleDiagram(
  db: Database,
  request: ServiceRequest,
  { threatModelId, diagramId }: DiagramRef,
) {
  const role = await authorize(db, request, threatModelId, 'read');
  const diagram = await diagramsRepo.findDiagram(db, threatModelId, diagramId);
  if (!diagram) throw notFound('diagram');
  return { role, diagram };
}

async function withParticipants(db: Database, session: collabRepo.CollaborationSessionRow) {
  const participants = await collabRepo.listActiveParticipants(db, [session.id]);
  return { session, participants };
}

/** The diagram's open session with its participants; 404 when none is open. */
export async function getSession(db: Database, request: ServiceRequest, ref: DiagramRef) {
  await visibleDiagram(db, request, ref);
  const session = await collabRepo.findActiveSession(db, ref.diagramId);
  if (!session) throw notFound('collaboration session');
  return withParticipants(db, session);
}

/**
 * Joins the diagram's session, opening it when none is open (`created` tells which). Readers
 * may join: they take part view-only.
 */
export async function joinSession(db: Database, request: ServiceRequest, ref: DiagramRef) {
  const { role } = await visibleDiagram(db, request, ref);
  const { session, created } = await collabRepo.openSession(db, {
    threatModelId: ref.threatModelId,
    diagramId: ref.diagramId,
  });
  await collabRepo.joinSession(db, { sessionId: session.id, userId: request.user.id, role });
  return { ...(await withParticipants(db, session)), created };
}

/** Leaves the diagram's session; the last one out ends it. 404 when no session is open. */
export async function leaveSession(db: Database, request: ServiceRequest, ref: DiagramRef) {
  await visibleDiagram(db, request, ref);
  const session = await collabRepo.findActiveSession(db, ref.diagramId);
  if (!session) throw notFound('collaboration session');
  await collabRepo.leaveSession(db, session.id, request.user.id);
  await collabRepo.endSessionIfEmpty(db, session.id);
}

/** Open sessions the caller takes part in, each with its participants (two queries). */
export async function listMySessions(db: Database, request: ServiceRequest) {
  const rows = await collabRepo.listActiveSessionsOfUser(db, request.user.id);
  const participants = await collabRepo.listActiveParticipants(
    db,
    rows.map((r) => r.session.id),
  );
  return rows.map((r) => ({
    session: r.session,
    diagramName: r.diagramName,
    participants: participants.filter((p) => p.sessionId === r.session.id),
  }));
}

/**
 * Issues a single-use WebSocket ticket bound to the caller and the diagram, for clients that
 * cannot send the session cookie. Only its hash is stored.
 */
export async function createTicket(
  db: Database,
  request: ServiceRequest,
  { diagramId }: { diagramId: string },
) {
  const access = await accessRepo.findEffectiveRoleOnDiagram(db, request.user.id, diagramId);
  if (!access) throw notFound('diagram');
  const ticket = randomSecret(20);
  const expiresAt = new Date(Date.now() + TICKET_TTL_MS);
  await collabRepo.insertCollabTicket(db, {
    id: hashSecret(ticket),
    userId: request.user.id,
    diagramId,
    expiresAt,
    credentialKind: request.method,
    credentialId: (request.method === 'token' ? request.tokenId : request.sessionId)!,
  });
  return { ticket, expiresAt };
}
