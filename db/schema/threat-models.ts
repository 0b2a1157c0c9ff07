import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  index,
  integer,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { id, oneOf, timestamps } from './columns';
import { FRAMEWORKS, MODEL_STATUSES, PRINCIPAL_TYPES, ROLES } from './enums';
import { teams, users } from './users';

export const threatModels = pgTable(
  'threat_models',
  {
    id: id(),
    name: text('name').notNull(),
    description: text('description'),
    ownerId: uuid('owner_id')
      .notNull()
      .references(() => users.id, { onDelete: 'restrict' }),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    framework: text('framework', { enum: FRAMEWORKS }).notNull().default('STRIDE'),
    status: text('status', { enum: MODEL_STATUSES }).notNull().default('draft'),
    statusUpdatedAt: timestamp('status_updated_at', { withTimezone: true }),
    issueUrl: text('issue_url'),
    /** When reviewers were asked, the owner's approval waits for one reviewer's sign-off. */
    requireReviewerSignoff: boolean('require_reviewer_signoff').notNull().default(true),
    version: integer('version').notNull().default(1),
    threatCount: integer('threat_count').notNull().default(0),
    diagramCount: integer('diagram_count').notNull().default(0),
    documentCount: integer('document_count').notNull().default(0),
    repositoryCount: integer('repository_count').notNull().default(0),
    ...timestamps(),
  },
  (t) => [
    index('threat_models_owner_id_idx').on(t.ownerId),
    index('threat_models_modified_at_idx').on(t.modifiedAt),
    check('threat_models_name_not_empty', sql`length(${t.name}) > 0`),
    check('threat_models_framework_check', oneOf('framework', FRAMEWORKS)),
    check('threat_models_status_check', oneOf('status', MODEL_STATUSES)),
    check(
      'threat_models_counts_non_negative',
      sql`${t.threatCount} >= 0 and ${t.diagramCount} >= 0 and ${t.documentCount} >= 0 and ${t.repositoryCount} >= 0`,
    ),
  ],
);

/**
 * Access grants. A principal is a user, a team, or everyone (any signed-in user); each kind
 * has its own column so that deleting a user or team cascades to its grants.
 */
export const threatModelAccess = pgTable(
  'threat_model_access',
  {
    id: id(),
    threatModelId: uuid('threat_model_id')
      .notNull()
      .references(() => threatModels.id, { onDelete: 'cascade' }),
    principalType: text('principal_type', { enum: PRINCIPAL_TYPES }).notNull(),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'cascade' }),
    teamId: uuid('team_id').references(() => teams.id, { onDelete: 'cascade' }),
    role: text('role', { enum: ROLES }).notNull(),
    grantedBy: uuid('granted_by').references(() => users.id, { onDelete: 'set null' }),
    grantedAt: timestamp('granted_at', { withTimezone: true }).notNull().defaultNow(),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex('threat_model_access_user_key')
      .on(t.threatModelId, t.userId)
      .where(sql`${t.userId} is not null`),
    uniqueIndex('threat_model_access_team_key')
      .on(t.threatModelId, t.teamId)
      .where(sql`${t.teamId} is not null`),
    uniqueIndex('threat_model_access_everyone_key')
      .on(t.threatModelId)
      .where(sql`${t.principalType} = 'everyone'`),
    index('threat_model_access_user_id_idx').on(t.userId),
    index('threat_model_access_team_id_idx').on(t.teamId),
    check('threat_model_access_role_check', oneOf('role', ROLES)),
    check('threat_model_access_principal_type_check', oneOf('principal_type', PRINCIPAL_TYPES)),
    check(
      'threat_model_access_principal_shape',
      sql`(${t.principalType} = 'user' and ${t.userId} is not null and ${t.teamId} is null)
       or (${t.principalType} = 'team' and ${t.teamId} is not null and ${t.userId} is null)
       or (${t.principalType} = 'everyone' and ${t.userId} is null and ${t.teamId} is null)`,
    ),
  ],
);

/**
 * Pending grants for people without an account: a role granted to an e-mail address. When
 * someone signs up with that address the invitation becomes a user grant and is deleted; an
 * owner can revoke it before. Expired invitations are never accepted.
 */
export const accessInvitations = pgTable(
  'access_invitations',
  {
    id: id(),
    threatModelId: uuid('threat_model_id')
      .notNull()
      .references(() => threatModels.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    role: text('role', { enum: ROLES }).notNull(),
    invitedBy: uuid('invited_by').references(() => users.id, { onDelete: 'set null' }),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex('access_invitations_model_email_key').on(t.threatModelId, t.email),
    index('access_invitations_email_idx').on(t.email),
    check('access_invitations_email_lowercase', sql`${t.email} = lower(${t.email})`),
    check('access_invitations_role_check', oneOf('role', ROLES)),
  ],
);
