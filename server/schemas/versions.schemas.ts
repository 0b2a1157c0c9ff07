import { z } from '@hono/zod-openapi';

/** A threat as a version keeps it (model/version-diff.ts `ThreatSnapshot`). */
export const ThreatSnapshotSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    status: z.string(),
    severity: z.string(),
    likelihood: z.string().nullable(),
    impact: z.string().nullable(),
    score: z.number().nullable(),
    cell_id: z.string().nullable(),
    diagram_id: z.string().nullable(),
    mitigated: z.boolean(),
    mitigation: z.string().nullable(),
    mitigations: z
      .array(z.object({ id: z.string(), name: z.string(), status: z.string() }))
      .optional(),
    risk: z.string().nullable().optional(),
  })
  .openapi('ThreatSnapshot');

const FieldChangeSchema = z.object({ from: z.unknown(), to: z.unknown() });
const CellRefSchema = z.object({ id: z.string(), shape: z.string(), label: z.string() });
const ThreatRefSchema = z.object({
  id: z.string(),
  name: z.string(),
  cell_id: z.string().nullable(),
});

export const VersionDiffSchema = z
  .object({
    from: z.object({ version_number: z.number().int() }),
    to: z.object({
      version_number: z.number().int().nullable().openapi({ description: 'null for live' }),
    }),
    cells: z.object({
      added: z.array(CellRefSchema),
      removed: z.array(CellRefSchema),
      changed: z.array(
        CellRefSchema.extend({
          kinds: z.array(z.enum(['label', 'moved', 'resized', 'reconnected', 'properties'])),
          fields: z.record(z.string(), FieldChangeSchema),
        }),
      ),
    }),
    threats: z.object({
      added: z.array(ThreatRefSchema),
      removed: z.array(ThreatRefSchema),
      changed: z.array(ThreatRefSchema.extend({ fields: z.record(z.string(), FieldChangeSchema) })),
    }),
    change_count: z.number().int(),
  })
  .openapi('VersionDiff');
