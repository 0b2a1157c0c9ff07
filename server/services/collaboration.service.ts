import type { Database } from '../../db';
import * as accessRepo from '../../db/repositories/access.repository';
import * as collabRepo from '../../db/repositories/collaboration.repository';
import * as diagramsRepo from '../../db/repositories/diagrams.repository';
import { hashSecret, randomSecret } from '../auth/tokens';
import type { Caller } from '../context';
import { notFound } from '../errors';
import { authorize } from './policy';

/** A ticket lives this long: enough to open a socket right after asking for it. */
export const TICKET_TTL_MS = 30_000;

/** Read access to the model and the diagram inside it; 404 hides either's existence. */
async function visibleDiagram(db: Database, caller: Caller, tmId: string, diagramId: string) {
  const role = await authorize(db, caller, tmId, 'read');
  const diagram = await diagramsRepo.findDiagram(db, tmId, diagramId);
  if (!diagram) throw notFound('diagram');
  return { role, diagram };
}

async function withParticipants(db: Database, session: collabRepo.CollaborationSessionRow) {
  const participants = await collabRepo.listActiveParticipants(db, [session.id]);
  return { session, participants };
}

/** The diagram's open session with its participants; 404 when none is open. */
export async function getSession(db: Database, caller: Caller, tmId: string, diagramId: string) {
  await visibleDiagram(db, caller, tmId, diagramId);
  const session = await collabRepo.findActiveSession(db, diagramId);
  if (!session) throw notFound('collaboration session');
  return withParticipants(db, session);
}

/**
 * Joins the diagram's session, opening it when none is open (`created` tells which). Readers
 * may join: they take part view-only.
 */
export async function joinSession(db: Database, caller: Caller, tmId: string, diagramId: string) {
  const { role } = await visibleDiagram(db, caller, tmId, diagramId);
  const { session, created } = await collabRepo.openSession(db, {
    threatModelId: tmId,
    diagramId,
  });
  await collabRepo.joinSession(db, { sessionId: session.id, userId: caller.user.id, role });
  return { ...(await withParticipants(db, session)), created };
}

/** Leaves the diagram's session; the last one out ends it. 404 when no session is open. */
export async function leaveSession(db: Database, caller: Caller, tmId: string, diagramId: string) {
  await visibleDiagram(db, caller, tmId, diagramId);
  const session = await collabRepo.findActiveSession(db, diagramId);
  if (!session) throw notFound('collaboration session');
  await collabRepo.leaveSession(db, session.id, caller.user.id);
  await collabRepo.endSessionIfEmpty(db, session.id);
}

/** Open sessions the caller takes part in, each with its participants (two queries). */
export async function listMySessions(db: Database, caller: Caller) {
  const rows = await collabRepo.listActiveSessionsOfUser(db, caller.user.id);
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
export async function createTicket(db: Database, caller: Caller, diagramId: string) {
  const access = await accessRepo.findEffectiveRoleOnDiagram(db, caller.user.id, diagramId);
  if (!access) throw notFound('diagram');
  const ticket = randomSecret(20);
  const expiresAt = new Date(Date.now() + TICKET_TTL_MS);
  await collabRepo.insertCollabTicket(db, {
    id: hashSecret(ticket),
    userId: caller.user.id,
    diagramId,
    expiresAt,
    credentialKind: caller.method,
    credentialId: (caller.method === 'token' ? caller.tokenId : caller.sessionId)!,
  });
  return { ticket, expiresAt };
}
