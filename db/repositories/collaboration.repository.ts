import { and, asc, desc, eq, gt, inArray, isNull, lt, sql } from 'drizzle-orm';
import type { Executor } from '../client';
import {
  collabTickets,
  collaborationSessions,
  diagrams,
  sessionParticipants,
  users,
} from '../schema';
import type { Role } from '../schema/enums';

export type CollaborationSessionRow = typeof collaborationSessions.$inferSelect;

/** Stores a WebSocket ticket by its hash. */
export async function insertCollabTicket(
  db: Executor,
  values: {
    id: string;
    userId: string;
    diagramId: string;
    expiresAt: Date;
    credentialKind: 'session' | 'token';
    credentialId: string;
  },
): Promise<void> {
  await db.insert(collabTickets).values(values);
}

/**
 * Redeems a ticket: deletes it and returns its binding in one statement, so two upgrades
 * racing with the same ticket cannot both succeed. Expired tickets do not redeem.
 */
export async function consumeCollabTicket(db: Executor, id: string) {
  const [row] = await db
    .delete(collabTickets)
    .where(and(eq(collabTickets.id, id), gt(collabTickets.expiresAt, sql`now()`)))
    .returning({
      userId: collabTickets.userId,
      diagramId: collabTickets.diagramId,
      credentialKind: collabTickets.credentialKind,
      credentialId: collabTickets.credentialId,
    });
  return row ?? null;
}

/** Housekeeping: drops tickets that can no longer be redeemed. */
export async function deleteExpiredCollabTickets(db: Executor): Promise<void> {
  await db.delete(collabTickets).where(lt(collabTickets.expiresAt, sql`now()`));
}

/** The diagram's open session, if any. */
export async function findActiveSession(
  db: Executor,
  diagramId: string,
): Promise<CollaborationSessionRow | null> {
  const [row] = await db
    .select()
    .from(collaborationSessions)
    .where(
      and(eq(collaborationSessions.diagramId, diagramId), isNull(collaborationSessions.endedAt)),
    );
  return row ?? null;
}

/**
 * Opens the diagram's session, or returns the one already open (the partial unique index
 * allows one open session per diagram, so concurrent openers converge on one row).
 */
export async function openSession(
  db: Executor,
  values: { threatModelId: string; diagramId: string },
): Promise<{ session: CollaborationSessionRow; created: boolean }> {
  const [created] = await db
    .insert(collaborationSessions)
    .values(values)
    .onConflictDoNothing()
    .returning();
  if (created) return { session: created, created: true };
  const existing = await findActiveSession(db, values.diagramId);
  if (!existing) throw new Error(`session for diagram ${values.diagramId} vanished while opening`);
  return { session: existing, created: false };
}

/** Records a participant's join; a no-op while they already have an active row. */
export async function joinSession(
  db: Executor,
  values: { sessionId: string; userId: string; role: Role },
): Promise<void> {
  await db.insert(sessionParticipants).values(values).onConflictDoNothing();
}

/** Records a participant's leave (their active row gets `left_at`). */
export async function leaveSession(db: Executor, sessionId: string, userId: string) {
  const rows = await db
    .update(sessionParticipants)
    .set({ leftAt: sql`now()`, modifiedAt: sql`now()` })
    .where(
      and(
        eq(sessionParticipants.sessionId, sessionId),
        eq(sessionParticipants.userId, userId),
        isNull(sessionParticipants.leftAt),
      ),
    )
    .returning({ id: sessionParticipants.id });
  return rows.length > 0;
}

/** Marks every remaining participant of a session as left. */
export async function leaveSessionAll(db: Executor, sessionId: string): Promise<void> {
  await db
    .update(sessionParticipants)
    .set({ leftAt: sql`now()`, modifiedAt: sql`now()` })
    .where(and(eq(sessionParticipants.sessionId, sessionId), isNull(sessionParticipants.leftAt)));
}

/**
 * Ends a session when no participant is active any more; returns whether it ended (false
 * also when it had already ended).
 */
export async function endSessionIfEmpty(db: Executor, sessionId: string): Promise<boolean> {
  const rows = await db
    .update(collaborationSessions)
    .set({ endedAt: sql`now()`, modifiedAt: sql`now()` })
    .where(
      and(
        eq(collaborationSessions.id, sessionId),
        isNull(collaborationSessions.endedAt),
        sql`not exists (select 1 from ${sessionParticipants} where ${sessionParticipants.sessionId} = ${sessionId} and ${sessionParticipants.leftAt} is null)`,
      ),
    )
    .returning({ id: collaborationSessions.id });
  return rows.length > 0;
}

/**
 * Ends every open session and its participants: a standalone node calls this at start-up,
 * when no room can be live, to close what a crash left open.
 */
export async function endAllOpenSessions(db: Executor): Promise<number> {
  await db
    .update(sessionParticipants)
    .set({ leftAt: sql`now()`, modifiedAt: sql`now()` })
    .where(isNull(sessionParticipants.leftAt));
  const rows = await db
    .update(collaborationSessions)
    .set({ endedAt: sql`now()`, modifiedAt: sql`now()` })
    .where(isNull(collaborationSessions.endedAt))
    .returning({ id: collaborationSessions.id });
  return rows.length;
}

/** Active participants of the given sessions with their users, earliest join first. */
export async function listActiveParticipants(db: Executor, sessionIds: string[]) {
  if (!sessionIds.length) return [];
  return db
    .select({
      sessionId: sessionParticipants.sessionId,
      role: sessionParticipants.role,
      joinedAt: sessionParticipants.joinedAt,
      user: { id: users.id, email: users.email, name: users.name },
    })
    .from(sessionParticipants)
    .innerJoin(users, eq(users.id, sessionParticipants.userId))
    .where(
      and(inArray(sessionParticipants.sessionId, sessionIds), isNull(sessionParticipants.leftAt)),
    )
    .orderBy(asc(sessionParticipants.joinedAt));
}

/** Open sessions in which `userId` is an active participant, newest first. */
export async function listActiveSessionsOfUser(db: Executor, userId: string) {
  return db
    .select({
      session: collaborationSessions,
      diagramName: diagrams.name,
    })
    .from(collaborationSessions)
    .innerJoin(
      sessionParticipants,
      and(
        eq(sessionParticipants.sessionId, collaborationSessions.id),
        eq(sessionParticipants.userId, userId),
        isNull(sessionParticipants.leftAt),
      ),
    )
    .innerJoin(diagrams, eq(diagrams.id, collaborationSessions.diagramId))
    .where(isNull(collaborationSessions.endedAt))
    .orderBy(desc(collaborationSessions.createdAt));
}
