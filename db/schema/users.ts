import { sql } from 'drizzle-orm';
import {
  check,
  index,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { id, oneOf, timestamps } from './columns';
import { TEAM_ROLES, TOKEN_SCOPES } from './enums';

export const users = pgTable(
  'users',
  {
    id: id(),
    /** Stored lower-cased; the unique index is the duplicate-sign-up guard. */
    email: text('email').notNull(),
    name: text('name').notNull(),
    passwordHash: text('password_hash'),
    lastLogin: timestamp('last_login', { withTimezone: true }),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex('users_email_key').on(t.email),
    index('users_last_login_idx').on(t.lastLogin),
    check('users_name_not_empty', sql`length(${t.name}) > 0`),
    check('users_email_lowercase', sql`${t.email} = lower(${t.email})`),
  ],
);

/** Lucia-style sessions: `id` is sha256(token) in hex, so a leaked table yields no cookies. */
export const sessions = pgTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    ...timestamps(),
  },
  (t) => [index('sessions_user_id_idx').on(t.userId)],
);

export const apiTokens = pgTable(
  'api_tokens',
  {
    id: id(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** sha256 of the token in hex; the token itself is shown once and never stored. */
    tokenHash: text('token_hash').notNull(),
    /** The first characters of the token, safe to display so a user can tell tokens apart. */
    prefix: text('prefix').notNull(),
    scope: text('scope', { enum: TOKEN_SCOPES }).notNull().default('write'),
    /** Every token expires (at most API_TOKEN_MAX_LIFETIME_DAYS after creation). */
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex('api_tokens_token_hash_key').on(t.tokenHash),
    index('api_tokens_user_id_idx').on(t.userId),
    check('api_tokens_name_not_empty', sql`length(${t.name}) > 0`),
    check('api_tokens_scope_check', oneOf('scope', TOKEN_SCOPES)),
    check('api_tokens_expiry_after_creation', sql`${t.expiresAt} > ${t.createdAt}`),
  ],
);

export const teams = pgTable(
  'teams',
  {
    id: id(),
    name: text('name').notNull(),
    description: text('description'),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    ...timestamps(),
  },
  (t) => [check('teams_name_not_empty', sql`length(${t.name}) > 0`)],
);

export const teamMembers = pgTable(
  'team_members',
  {
    teamId: uuid('team_id')
      .notNull()
      .references(() => teams.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text('role', { enum: TEAM_ROLES }).notNull().default('member'),
    ...timestamps(),
  },
  (t) => [
    primaryKey({ columns: [t.teamId, t.userId] }),
    index('team_members_user_id_idx').on(t.userId),
    check('team_members_role_check', oneOf('role', TEAM_ROLES)),
  ],
);
