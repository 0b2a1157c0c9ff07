import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, pgTable, real, text, uuid } from 'drizzle-orm/pg-core';
import { id, oneOf, timestamps } from './columns';
import { diagrams } from './diagrams';
import { PRIORITIES, SEVERITIES, THREAT_STATUSES } from './enums';
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
    cellId: uuid('cell_id'),
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
