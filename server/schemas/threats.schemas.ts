import { z } from '@hono/zod-openapi';
import type { ThreatRow, ThreatValues } from '../../db/repositories/threats.repository';
import { PRIORITIES, SEVERITIES, THREAT_STATUSES } from '../../db/schema/enums';
import { Description, HttpUrl, Name } from '../routes/model-scoped';

const Severity = z.enum(SEVERITIES);

/** A threat as clients write it (POST, PUT, bulk, and the result of a PATCH). TMI's fields. */
export const ThreatInputSchema = z
  .object({
    name: Name,
    description: Description,
    threat_type: z.array(z.string().trim().min(1).max(256)).max(50).default([]),
    severity: Severity.default('Unknown'),
    likelihood: Severity.nullable().optional(),
    impact: Severity.nullable().optional(),
    // Two decimals: finer scores mean nothing, and tiny values (5e-324) underflow `real`.
    score: z
      .number()
      .min(0)
      .max(100)
      .transform((v) => Math.round(v * 100) / 100)
      .nullable()
      .optional(),
    priority: z.enum(PRIORITIES).nullable().optional(),
    status: z.enum(THREAT_STATUSES).default('open'),
    mitigation: z.string().max(4096).nullable().optional(),
    mitigated: z.boolean().default(false),
    issue_url: HttpUrl.nullable().optional(),
    diagram_id: z.uuid().nullable().optional(),
    cell_id: z
      .uuid()
      .nullable()
      .optional()
      .openapi({ description: 'A cell of `diagram_id`; needs `diagram_id`' }),
  })
  .refine((t) => !t.cell_id || t.diagram_id, {
    path: ['cell_id'],
    message: 'cell_id needs diagram_id',
  })
  .openapi('ThreatInput');

export type ThreatInput = z.infer<typeof ThreatInputSchema>;

export const ThreatSchema = z
  .object({
    id: z.uuid(),
    threat_model_id: z.uuid(),
    name: z.string(),
    description: z.string().nullable(),
    threat_type: z.array(z.string()),
    severity: Severity,
    likelihood: Severity.nullable(),
    impact: Severity.nullable(),
    score: z.number().nullable(),
    priority: z.enum(PRIORITIES).nullable(),
    status: z.enum(THREAT_STATUSES),
    mitigation: z.string().nullable(),
    mitigated: z.boolean(),
    issue_url: z.string().nullable(),
    diagram_id: z.uuid().nullable(),
    cell_id: z.uuid().nullable(),
    version: z.number().int(),
    created_by: z.uuid().nullable(),
    created_at: z.string(),
    modified_at: z.string(),
  })
  .openapi('Threat');

/** Storage values from validated input; absent optional fields are cleared (PUT replaces). */
export function threatValues(input: ThreatInput): ThreatValues {
  return {
    name: input.name,
    description: input.description ?? null,
    threatType: input.threat_type,
    severity: input.severity,
    likelihood: input.likelihood ?? null,
    impact: input.impact ?? null,
    score: input.score ?? null,
    priority: input.priority ?? null,
    status: input.status,
    mitigation: input.mitigation ?? null,
    mitigated: input.mitigated,
    issueUrl: input.issue_url ?? null,
    diagramId: input.diagram_id ?? null,
    cellId: input.cell_id ?? null,
  };
}

/** The writable part of a stored threat, as the document a JSON Patch applies to. */
export function threatDocument(row: ThreatRow) {
  return {
    name: row.name,
    description: row.description,
    threat_type: row.threatType,
    severity: row.severity,
    likelihood: row.likelihood,
    impact: row.impact,
    score: row.score,
    priority: row.priority,
    status: row.status,
    mitigation: row.mitigation,
    mitigated: row.mitigated,
    issue_url: row.issueUrl,
    diagram_id: row.diagramId,
    cell_id: row.cellId,
  };
}

export function toThreat(row: ThreatRow): z.infer<typeof ThreatSchema> {
  return {
    id: row.id,
    threat_model_id: row.threatModelId,
    ...threatDocument(row),
    version: row.version,
    created_by: row.createdBy,
    created_at: row.createdAt.toISOString(),
    modified_at: row.modifiedAt.toISOString(),
  };
}

/** Fields the audit log compares on update. */
export const THREAT_AUDIT_FIELDS = [
  'name',
  'description',
  'threatType',
  'severity',
  'likelihood',
  'impact',
  'score',
  'priority',
  'status',
  'mitigation',
  'mitigated',
  'issueUrl',
  'diagramId',
  'cellId',
] as const;
