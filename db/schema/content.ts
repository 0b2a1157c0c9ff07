import { sql } from 'drizzle-orm';
import {
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { id, oneOf, timestamps } from './columns';
import { METADATA_ENTITY_TYPES, REPOSITORY_TYPES } from './enums';
import { threatModels } from './threat-models';
import { users } from './users';

export const documents = pgTable(
  'documents',
  {
    id: id(),
    threatModelId: uuid('threat_model_id')
      .notNull()
      .references(() => threatModels.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    url: text('url').notNull(),
    description: text('description'),
    version: integer('version').notNull().default(1),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    ...timestamps(),
  },
  (t) => [
    index('documents_threat_model_id_idx').on(t.threatModelId, t.createdAt),
    check('documents_name_not_empty', sql`length(${t.name}) > 0`),
    check('documents_url_not_empty', sql`length(${t.url}) > 0`),
  ],
);

/** TMI's "sources": source-code repositories the model covers. */
export const repositories = pgTable(
  'repositories',
  {
    id: id(),
    threatModelId: uuid('threat_model_id')
      .notNull()
      .references(() => threatModels.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    url: text('url').notNull(),
    description: text('description'),
    type: text('type', { enum: REPOSITORY_TYPES }).notNull().default('git'),
    parameters: jsonb('parameters').$type<Record<string, unknown>>(),
    version: integer('version').notNull().default(1),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    ...timestamps(),
  },
  (t) => [
    index('repositories_threat_model_id_idx').on(t.threatModelId, t.createdAt),
    check('repositories_name_not_empty', sql`length(${t.name}) > 0`),
    check('repositories_url_not_empty', sql`length(${t.url}) > 0`),
    check('repositories_type_check', oneOf('type', REPOSITORY_TYPES)),
  ],
);

/**
 * Key-value metadata on any entity of a threat model (cells included). `threat_model_id`
 * makes the whole set cascade with its model; `entity_id` is the entity's (or cell's) uuid.
 */
export const metadata = pgTable(
  'metadata',
  {
    id: id(),
    threatModelId: uuid('threat_model_id')
      .notNull()
      .references(() => threatModels.id, { onDelete: 'cascade' }),
    entityType: text('entity_type', { enum: METADATA_ENTITY_TYPES }).notNull(),
    entityId: uuid('entity_id').notNull(),
    key: text('key').notNull(),
    value: text('value').notNull(),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex('metadata_entity_type_entity_id_key_key').on(t.entityType, t.entityId, t.key),
    index('metadata_threat_model_id_idx').on(t.threatModelId),
    check('metadata_entity_type_check', oneOf('entity_type', METADATA_ENTITY_TYPES)),
    // Postgres regexes cap a repetition count at 255, so the length bound is separate.
    check('metadata_key_format', sql`${t.key} ~ '^[A-Za-z0-9_.:-]+$' and length(${t.key}) <= 256`),
    check('metadata_value_length', sql`length(${t.value}) <= 4096`),
  ],
);
