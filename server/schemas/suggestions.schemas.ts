import { z } from '@hono/zod-openapi';
import { SEVERITIES } from '../../db/schema/enums';

export const MAX_SUGGESTION_ITEMS = 200;

const Key = {
  cell_id: z.uuid(),
  rule_id: z.string().trim().min(1).max(128).openapi({
    description: 'A rule id of docs/threat-rules.md',
    example: 'stride.flow.tampering',
  }),
};

export const SuggestionSchema = z
  .object({
    cell_id: z.uuid(),
    rule_id: z.string(),
    name: z.string(),
    description: z.string(),
    threat_type: z.array(z.string()),
    severity: z.enum(SEVERITIES),
    likelihood: z.enum(SEVERITIES),
    impact: z.enum(SEVERITIES),
    mitigations: z.array(z.string()),
    references: z.array(z.object({ id: z.string(), url: z.string() })),
    dismissed: z
      .object({
        reason: z.string(),
        by: z.object({ id: z.uuid(), name: z.string() }).nullable(),
        at: z.string(),
      })
      .nullable()
      .openapi({ description: 'Set only with `?include=dismissed`, on a dismissed suggestion' }),
  })
  .openapi('Suggestion');

export const SuggestionListSchema = z
  .object({ items: z.array(SuggestionSchema) })
  .openapi('SuggestionList');

export const SuggestionQuery = z.object({
  cell_id: z.uuid().optional().openapi({ description: 'Only this cell' }),
  include: z
    .enum(['dismissed'])
    .optional()
    .openapi({ description: '`dismissed`: list dismissed suggestions too, with who and why' }),
});

export const ApplySuggestionsSchema = z
  .object({ items: z.array(z.object(Key)).min(1).max(MAX_SUGGESTION_ITEMS) })
  .openapi('ApplySuggestions');

export const DismissSuggestionsSchema = z
  .object({
    items: z
      .array(z.object({ ...Key, reason: z.string().trim().min(1).max(1000) }))
      .min(1)
      .max(MAX_SUGGESTION_ITEMS),
  })
  .openapi('DismissSuggestions');
