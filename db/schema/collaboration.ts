import { sql } from 'drizzle-orm';
import { check, index, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { id, oneOf, timestamps } from './columns';
import { diagrams } from './diagrams';
import { ROLES } from './enums';
import { threatModels } from './threat-models';
import { users } from './users';

/** A live editing session on one diagram: opens with the first participant, ends with the last. */
export const collaborationSessions = pgTable(
  'collaboration_sessions',
  {
    id: id(),
    threatModelId: uuid('threat_model_id')
      .notNull()
      .references(() => threatModels.id, { onDelete: 'cascade' }),
    diagramId: uuid('diagram_id')
      .notNull()
      .references(() => diagrams.id, { onDelete: 'cascade' }),
    endedAt: timestamp('ended_at', { withTimezone: true }),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex('collaboration_sessions_one_active_per_diagram')
      .on(t.diagramId)
      .where(sql`${t.endedAt} is null`),
    index('collaboration_sessions_threat_model_id_idx').on(t.threatModelId),
    check(
      'collaboration_sessions_ended_after_start',
      sql`${t.endedAt} is null or ${t.endedAt} >= ${t.createdAt}`,
    ),
  ],
);

export const sessionParticipants = pgTable(
  'session_participants',
  {
    id: id(),
    sessionId: uuid('session_id')
      .notNull()
      .references(() => collaborationSessions.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text('role', { enum: ROLES }).notNull(),
    joinedAt: timestamp('joined_at', { withTimezone: true }).notNull().defaultNow(),
    leftAt: timestamp('left_at', { withTimezone: true }),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex('session_participants_unique_active')
      .on(t.sessionId, t.userId)
      .where(sql`${t.leftAt} is null`),
    index('session_participants_user_id_idx').on(t.userId),
    check('session_participants_role_check', oneOf('role', ROLES)),
    check(
      'session_participants_left_after_join',
      sql`${t.leftAt} is null or ${t.leftAt} >= ${t.joinedAt}`,
    ),
  ],
);

/**
 * One-shot WebSocket tickets for clients that cannot send the session cookie. Stored (hashed)
 * in the database rather than in memory so that any node can redeem a ticket another issued.
 */
export const collabTickets = pgTable(
  'collab_tickets',
  {
    id: text('id').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    diagramId: uuid('diagram_id')
      .notNull()
      .references(() => diagrams.id, { onDelete: 'cascade' }),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    /**
     * The credential the ticket was issued under (a session id or an API token id), so a live
     * connection opened with the ticket closes when that session logs out or the token goes.
     */
    credentialKind: text('credential_kind', { enum: ['session', 'token'] }),
    credentialId: text('credential_id'),
    ...timestamps(),
  },
  (t) => [
    index('collab_tickets_expires_at_idx').on(t.expiresAt),
    check(
      'collab_tickets_credential_shape',
      sql`(${t.credentialKind} is null) = (${t.credentialId} is null) and (${t.credentialKind} is null or ${t.credentialKind} in ('session', 'token'))`,
    ),
  ],
);
