import { sql } from 'drizzle-orm';
import {
  bigint,
  check,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { id, oneOf, timestamps } from './columns';
import { DIAGRAM_TYPES, VERSION_KINDS } from './enums';
import { threatModels } from './threat-models';
import { users } from './users';

/** `bytea` as a Uint8Array on both drivers (postgres.js gives Buffer, a Uint8Array subclass). */
export const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => 'bytea',
});

export const diagrams = pgTable(
  'diagrams',
  {
    id: id(),
    threatModelId: uuid('threat_model_id')
      .notNull()
      .references(() => threatModels.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    type: text('type', { enum: DIAGRAM_TYPES }).notNull().default('DFD-1.0.0'),
    description: text('description'),
    /** Projection of `ydoc_state` as `Cell[]`, rewritten by every compaction. */
    cells: jsonb('cells')
      .$type<unknown[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    /** The last compacted Yjs state (`Y.encodeStateAsUpdate`); null until the first edit. */
    ydocState: bytea('ydoc_state'),
    /** Highest `diagram_updates.seq` folded into `ydoc_state`. */
    compactedSeq: bigint('compacted_seq', { mode: 'number' }).notNull().default(0),
    version: integer('version').notNull().default(1),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    ...timestamps(),
  },
  (t) => [
    index('diagrams_threat_model_id_idx').on(t.threatModelId, t.createdAt),
    check('diagrams_name_not_empty', sql`length(${t.name}) > 0`),
    check('diagrams_type_check', oneOf('type', DIAGRAM_TYPES)),
  ],
);

/**
 * Append-only Yjs update log. Deliberately no `modified_at`: rows are never modified, only
 * deleted once compacted into `diagrams.ydoc_state`.
 */
export const diagramUpdates = pgTable(
  'diagram_updates',
  {
    seq: bigint('seq', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    diagramId: uuid('diagram_id')
      .notNull()
      .references(() => diagrams.id, { onDelete: 'cascade' }),
    update: bytea('update').notNull(),
    /** Node that accepted the update (for cross-node diagnosis). */
    origin: text('origin').notNull(),
    /** Authenticated author, or null for server-origin writes. */
    userId: uuid('user_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('diagram_updates_diagram_id_seq_idx').on(t.diagramId, t.seq)],
);

export const diagramVersions = pgTable(
  'diagram_versions',
  {
    id: id(),
    diagramId: uuid('diagram_id')
      .notNull()
      .references(() => diagrams.id, { onDelete: 'cascade' }),
    versionNumber: integer('version_number').notNull(),
    kind: text('kind', { enum: VERSION_KINDS }).notNull(),
    ydocState: bytea('ydoc_state').notNull(),
    cells: jsonb('cells').$type<unknown[]>().notNull(),
    /** The threats on this diagram at that moment (model/version-diff.ts `ThreatSnapshot`). */
    threats: jsonb('threats')
      .$type<unknown[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    changeDescription: text('change_description'),
    /** For `restore` versions: the version number that was restored. */
    restoredFrom: integer('restored_from'),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex('diagram_versions_diagram_id_version_number_key').on(t.diagramId, t.versionNumber),
    check('diagram_versions_kind_check', oneOf('kind', VERSION_KINDS)),
    check('diagram_versions_version_number_positive', sql`${t.versionNumber} > 0`),
  ],
);
