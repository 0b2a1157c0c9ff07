import { bigint, index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from './users';

/**
 * Append-only audit trail. Deliberately not cascaded from `threat_models` (and without
 * `modified_at`): the record that a model was deleted must outlive the model.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    /** Monotonic id, also the pagination cursor (newest first). */
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    actorId: uuid('actor_id').references(() => users.id, { onDelete: 'set null' }),
    action: text('action').notNull(),
    entityType: text('entity_type').notNull(),
    entityId: text('entity_id').notNull(),
    threatModelId: uuid('threat_model_id'),
    changes: jsonb('changes').$type<Record<string, { before: unknown; after: unknown }>>(),
    requestId: text('request_id'),
    ip: text('ip'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('audit_log_threat_model_id_id_idx').on(t.threatModelId, t.id),
    index('audit_log_actor_id_idx').on(t.actorId),
  ],
);
