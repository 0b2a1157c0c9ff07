import { z } from '@hono/zod-openapi';
import type { LinkedMitigation } from '../../db/repositories/mitigations.repository';
import type { ThreatRow, ThreatValues } from '../../db/repositories/threats.repository';
import { isMitigatedBy, mitigationText } from '../../model/mitigations';
import { RISK_LEVELS, threatRisk, type ThreatRisk } from '../../model/risk';
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
    mitigation: z.string().max(4096).nullable().optional().openapi({
      description:
        'A free-text note kept for TMI clients; a response shows the linked mitigations instead while any (not rejected) is linked',
    }),
    mitigated: z.boolean().default(false).openapi({
      description: 'Accepted for TMI clients and ignored: derived from the linked mitigations',
    }),
    issue_url: HttpUrl.nullable().optional(),
    diagram_id: z.uuid().nullable().optional(),
    cell_id: z
      .uuid()
      .nullable()
      .optional()
      .openapi({ description: 'A cell of `diagram_id`; needs `diagram_id`' }),
    cell_ids: z.array(z.uuid()).max(100).optional().openapi({
      description:
        'Every cell the threat applies to (needs `diagram_id`); the first becomes `cell_id`. Absent: `[cell_id]`',
    }),
  })
  .refine((t) => !(t.cell_id || t.cell_ids?.length) || t.diagram_id, {
    path: ['cell_id'],
    message: 'cell_id needs diagram_id',
  })
  .openapi('ThreatInput');

export type ThreatInput = z.infer<typeof ThreatInputSchema>;

const RiskSchema = z
  .object({ score: z.number().min(0).max(100), level: z.enum(RISK_LEVELS) })
  .nullable()
  .openapi('Risk');

export const ThreatRiskSchema = z
  .object({ inherent: RiskSchema, current: RiskSchema, projected: RiskSchema })
  .openapi('ThreatRisk', {
    description:
      'Read-only: likelihood × impact (null while either is Unknown); current after implemented/verified mitigations, projected after all but rejected ones',
  });

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
    cell_ids: z.array(z.uuid()),
    rule_id: z
      .string()
      .nullable()
      .openapi({ description: 'The rule that suggested it (docs/threat-rules.md); read-only' }),
    mitigation_ids: z.array(z.uuid()).openapi({ description: 'Linked mitigations; read-only' }),
    risk: ThreatRiskSchema,
    unlinked: z.boolean().openapi({
      description: 'It names cells and none of them is in its diagram any more (deleted)',
    }),
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
    ...cellsOf(input),
  };
}

/**
 * The stored cells; `cell_id` is always the first of `cell_ids`. So that a TMI client that
 * only knows `cell_id` can PATCH or PUT it back: without `cell_ids` the cells are
 * `[cell_id]`; a `cell_id` of null clears them; a `cell_id` not in `cell_ids` replaces the
 * first; one in it moves to the front.
 */
function cellsOf(input: ThreatInput): { cellId: string | null; cellIds: string[] } {
  let ids = [...new Set(input.cell_ids ?? [])];
  if (input.cell_id === null) ids = [];
  else if (input.cell_id && !ids.length) ids = [input.cell_id];
  else if (input.cell_id) {
    const rest = ids.includes(input.cell_id)
      ? ids.filter((c) => c !== input.cell_id)
      : ids.slice(1);
    ids = [input.cell_id, ...rest];
  }
  return { cellId: ids[0] ?? null, cellIds: ids };
}

/** A stored threat's cells; rows from before `cell_ids` existed name only `cell_id`. */
export const cellIdsOf = (row: Pick<ThreatRow, 'cellId' | 'cellIds'>): string[] =>
  row.cellIds.length ? row.cellIds : row.cellId ? [row.cellId] : [];

/** What a response needs besides the row: its linked mitigations and whether its cells exist. */
export interface ThreatView {
  row: ThreatRow;
  links: readonly LinkedMitigation[];
  unlinked: boolean;
}

/** Risk from the row's likelihood × impact and its linked mitigations (model/risk.ts). */
export const riskOfThreat = (row: ThreatRow, links: readonly LinkedMitigation[]): ThreatRisk =>
  threatRisk(
    row,
    links.map((l) => ({ status: l.status, risk_reduction: l.riskReduction })),
  );

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
    cell_ids: cellIdsOf(row),
  };
}

/**
 * The response: TMI's `mitigated` and `mitigation` are derived from the linked mitigations
 * (model/mitigations.ts); the stored note shows only while none is linked.
 */
export function toThreat({ row, links, unlinked }: ThreatView): z.infer<typeof ThreatSchema> {
  const linked = links.map((l) => ({ ...l, risk_reduction: l.riskReduction }));
  return {
    id: row.id,
    threat_model_id: row.threatModelId,
    ...threatDocument(row),
    mitigation: mitigationText(linked) ?? (links.length ? null : row.mitigation),
    mitigated: isMitigatedBy(linked),
    rule_id: row.ruleId,
    mitigation_ids: links.map((l) => l.mitigationId),
    risk: riskOfThreat(row, links),
    unlinked,
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
  'cellIds',
] as const;
