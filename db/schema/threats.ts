import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  index,
  integer,
  pgTable,
  primaryKey,
  real,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { id, oneOf, timestamps } from './columns';
import { diagrams } from './diagrams';
import { MITIGATION_STATUSES, PRIORITIES, SEVERITIES, THREAT_STATUSES } from './enums';
import { threatModels } from './threat-models';
import { users } from './users';

export const threats = pgTable(
  'threats',
  {
    id: id(),
    threatModelId: uuid('threat_model_id')
      .notNull()
      .references(() => threatModels.id, { onDelete: 'cascade' }),
    diagramId: uuid('diagram_id').references(() => diagrams.id, { onDelete: 'set null' }),
    /** The first of `cell_ids`, kept for TMI clients. */
    cellId: uuid('cell_id'),
    /** Every cell the threat applies to (first = `cell_id`). Not foreign keys: cells live in the document. */
    cellIds: text('cell_ids')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    /** The rule that suggested it (model/threat-rules), null when written by hand. */
    ruleId: text('rule_id'),
    name: text('name').notNull(),
    description: text('description'),
    threatType: text('threat_type')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    severity: text('severity', { enum: SEVERITIES }).notNull().default('Unknown'),
    likelihood: text('likelihood', { enum: SEVERITIES }),
    impact: text('impact', { enum: SEVERITIES }),
    score: real('score'),
    priority: text('priority', { enum: PRIORITIES }),
    status: text('status', { enum: THREAT_STATUSES }).notNull().default('open'),
    mitigation: text('mitigation'),
    mitigated: boolean('mitigated').notNull().default(false),
    issueUrl: text('issue_url'),
    version: integer('version').notNull().default(1),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    ...timestamps(),
  },
  (t) => [
    index('threats_threat_model_id_created_at_idx').on(t.threatModelId, t.createdAt),
    index('threats_diagram_id_cell_id_idx').on(t.diagramId, t.cellId),
    // Applying a suggestion twice, even concurrently, records it once (insert … on conflict).
    uniqueIndex('threats_diagram_cell_rule_unique')
      .on(t.diagramId, t.cellId, t.ruleId)
      .where(sql`rule_id is not null`),
    check('threats_name_not_empty', sql`length(${t.name}) > 0`),
    check('threats_severity_check', oneOf('severity', SEVERITIES)),
    check(
      'threats_likelihood_check',
      sql`likelihood is null or ${oneOf('likelihood', SEVERITIES)}`,
    ),
    check('threats_impact_check', sql`impact is null or ${oneOf('impact', SEVERITIES)}`),
    check('threats_priority_check', sql`priority is null or ${oneOf('priority', PRIORITIES)}`),
    check('threats_status_check', oneOf('status', THREAT_STATUSES)),
    check(
      'threats_score_range',
      sql`${t.score} is null or (${t.score} >= 0 and ${t.score} <= 100)`,
    ),
  ],
);

/** Mitigations as rows of their own (API.md "Threat knowledge"); many-to-many with threats. */
export const mitigations = pgTable(
  'mitigations',
  {
    id: id(),
    threatModelId: uuid('threat_model_id')
      .notNull()
      .references(() => threatModels.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    description: text('description'),
    status: text('status', { enum: MITIGATION_STATUSES }).notNull().default('proposed'),
    riskReduction: integer('risk_reduction').notNull().default(0),
    issueUrl: text('issue_url'),
    ownerId: uuid('owner_id').references(() => users.id, { onDelete: 'set null' }),
    version: integer('version').notNull().default(1),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    ...timestamps(),
  },
  (t) => [
    index('mitigations_threat_model_id_created_at_idx').on(t.threatModelId, t.createdAt),
    check('mitigations_name_not_empty', sql`length(${t.name}) > 0`),
    check('mitigations_status_check', oneOf('status', MITIGATION_STATUSES)),
    check(
      'mitigations_risk_reduction_range',
      sql`${t.riskReduction} >= 0 and ${t.riskReduction} <= 100`,
    ),
  ],
);

/** Which mitigations answer which threats (same model; enforced by the service). */
export const threatMitigations = pgTable(
  'threat_mitigations',
  {
    threatId: uuid('threat_id')
      .notNull()
      .references(() => threats.id, { onDelete: 'cascade' }),
    mitigationId: uuid('mitigation_id')
      .notNull()
      .references(() => mitigations.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.threatId, t.mitigationId] }),
    index('threat_mitigations_mitigation_id_idx').on(t.mitigationId),
  ],
);

/** A suggestion (cell + rule) someone decided not to record, with why; survives restarts. */
export const suggestionDismissals = pgTable(
  'suggestion_dismissals',
  {
    id: id(),
    diagramId: uuid('diagram_id')
      .notNull()
      .references(() => diagrams.id, { onDelete: 'cascade' }),
    cellId: uuid('cell_id').notNull(),
    ruleId: text('rule_id').notNull(),
    reason: text('reason').notNull(),
    dismissedBy: uuid('dismissed_by').references(() => users.id, { onDelete: 'set null' }),
    dismissedAt: timestamp('dismissed_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('suggestion_dismissals_diagram_cell_rule_unique').on(
      t.diagramId,
      t.cellId,
      t.ruleId,
    ),
    check('suggestion_dismissals_reason_length', sql`length(${t.reason}) between 1 and 1000`),
  ],
);
