import { z } from '@hono/zod-openapi';
import type { MitigationRow, MitigationValues } from '../../db/repositories/mitigations.repository';
import { MITIGATION_STATUSES } from '../../db/schema/enums';
import { Description, HttpUrl, Name } from '../routes/model-scoped';

/** A mitigation as clients write it (POST, PUT). */
export const MitigationInputSchema = z
  .object({
    name: Name,
    description: Description,
    status: z.enum(MITIGATION_STATUSES).default('proposed'),
    risk_reduction: z
      .number()
      .int()
      .min(0)
      .max(100)
      .default(0)
      .openapi({ description: 'How much it lowers the score of each threat it answers (%)' }),
    issue_url: HttpUrl.nullable().optional(),
    owner_id: z.uuid().nullable().optional().openapi({ description: 'Who carries it out' }),
  })
  .openapi('MitigationInput');

export type MitigationInput = z.infer<typeof MitigationInputSchema>;

export const MitigationSchema = z
  .object({
    id: z.uuid(),
    threat_model_id: z.uuid(),
    name: z.string(),
    description: z.string().nullable(),
    status: z.enum(MITIGATION_STATUSES),
    risk_reduction: z.number().int(),
    issue_url: z.string().nullable(),
    owner_id: z.uuid().nullable(),
    threat_ids: z.array(z.uuid()).openapi({ description: 'The threats it answers; read-only' }),
    version: z.number().int(),
    created_by: z.uuid().nullable(),
    created_at: z.string(),
    modified_at: z.string(),
  })
  .openapi('Mitigation');

export function mitigationValues(input: MitigationInput): MitigationValues {
  return {
    name: input.name,
    description: input.description ?? null,
    status: input.status,
    riskReduction: input.risk_reduction,
    issueUrl: input.issue_url ?? null,
    ownerId: input.owner_id ?? null,
  };
}

/** A mitigation and the threats linked to it. */
export interface MitigationView {
  row: MitigationRow;
  threatIds: string[];
}

export function toMitigation({ row, threatIds }: MitigationView): z.infer<typeof MitigationSchema> {
  return {
    id: row.id,
    threat_model_id: row.threatModelId,
    name: row.name,
    description: row.description,
    status: row.status,
    risk_reduction: row.riskReduction,
    issue_url: row.issueUrl,
    owner_id: row.ownerId,
    threat_ids: threatIds,
    version: row.version,
    created_by: row.createdBy,
    created_at: row.createdAt.toISOString(),
    modified_at: row.modifiedAt.toISOString(),
  };
}

export const MITIGATION_AUDIT_FIELDS = [
  'name',
  'description',
  'status',
  'riskReduction',
  'issueUrl',
  'ownerId',
] as const;
