import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
import { id, oneOf, timestamps } from './columns';
import { diagrams } from './diagrams';
import { APPROVAL_KINDS, NOTIFICATION_TYPES, REVIEW_STATES } from './enums';
import { threatModels } from './threat-models';
import { threats } from './threats';
import { users } from './users';

export const comments = pgTable(
  'comments',
  {
    id: id(),
    threatModelId: uuid('threat_model_id')
      .notNull()
      .references(() => threatModels.id, { onDelete: 'cascade' }),
    diagramId: uuid('diagram_id').references(() => diagrams.id, { onDelete: 'cascade' }),
    /** Not a foreign key: a comment outlives its cell and is then shown as detached. */
    cellId: uuid('cell_id'),
    threatId: uuid('threat_id').references(() => threats.id, { onDelete: 'cascade' }),
    parentId: uuid('parent_id').references((): AnyPgColumn => comments.id, { onDelete: 'cascade' }),
    authorId: uuid('author_id').references(() => users.id, { onDelete: 'set null' }),
    body: text('body').notNull(),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
    resolvedBy: uuid('resolved_by').references(() => users.id, { onDelete: 'set null' }),
    version: integer('version').notNull().default(1),
    ...timestamps(),
  },
  (t) => [
    index('comments_threat_model_id_idx').on(t.threatModelId, t.createdAt),
    index('comments_diagram_id_cell_id_idx').on(t.diagramId, t.cellId),
    index('comments_threat_id_idx').on(t.threatId),
    index('comments_parent_id_idx').on(t.parentId),
    check('comments_body_length', sql`length(${t.body}) between 1 and 10000`),
    check('comments_cell_needs_diagram', sql`${t.cellId} is null or ${t.diagramId} is not null`),
  ],
);

export const reviews = pgTable(
  'reviews',
  {
    id: id(),
    threatModelId: uuid('threat_model_id')
      .notNull()
      .references(() => threatModels.id, { onDelete: 'cascade' }),
    requestedBy: uuid('requested_by').references(() => users.id, { onDelete: 'set null' }),
    reviewerId: uuid('reviewer_id').references(() => users.id, { onDelete: 'cascade' }),
    state: text('state', { enum: REVIEW_STATES }).notNull().default('requested'),
    note: text('note'),
    decidedBy: uuid('decided_by').references(() => users.id, { onDelete: 'set null' }),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    ...timestamps(),
  },
  (t) => [
    index('reviews_threat_model_id_idx').on(t.threatModelId, t.createdAt),
    index('reviews_reviewer_id_idx').on(t.reviewerId),
    check('reviews_state_check', oneOf('state', REVIEW_STATES)),
    check('reviews_decision_shape', sql`(${t.state} = 'requested') = (${t.decidedAt} is null)`),
  ],
);

/**
 * What an approval covered: a reviewer's sign-off or the owner's approval, each pinned to the
 * `approval` version it recorded of every diagram and to the threat register at that moment.
 * The model's drift is measured from its latest owner approval.
 */
export const approvals = pgTable(
  'approvals',
  {
    id: id(),
    threatModelId: uuid('threat_model_id')
      .notNull()
      .references(() => threatModels.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: APPROVAL_KINDS }).notNull(),
    approvedBy: uuid('approved_by').references(() => users.id, { onDelete: 'set null' }),
    note: text('note'),
    /** `{diagram id: version number}` of the approval versions. */
    versions: jsonb('versions').$type<Record<string, number>>().notNull(),
    /** The model's threats at that moment (`ThreatSnapshot[]`). */
    threats: jsonb('threats').$type<unknown[]>().notNull(),
    ...timestamps(),
  },
  (t) => [
    index('approvals_threat_model_id_idx').on(t.threatModelId, t.createdAt),
    check('approvals_kind_check', oneOf('kind', APPROVAL_KINDS)),
  ],
);

export const notifications = pgTable(
  'notifications',
  {
    id: id(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    threatModelId: uuid('threat_model_id').references(() => threatModels.id, {
      onDelete: 'cascade',
    }),
    type: text('type', { enum: NOTIFICATION_TYPES }).notNull(),
    title: text('title').notNull(),
    data: jsonb('data')
      .$type<Record<string, unknown>>()
      .notNull()
      .default(sql`'{}'::jsonb`),
    readAt: timestamp('read_at', { withTimezone: true }),
    ...timestamps(),
  },
  (t) => [
    index('notifications_user_id_read_at_idx').on(t.userId, t.readAt, t.createdAt),
    check('notifications_type_check', oneOf('type', NOTIFICATION_TYPES)),
    check('notifications_title_not_empty', sql`length(${t.title}) > 0`),
  ],
);
