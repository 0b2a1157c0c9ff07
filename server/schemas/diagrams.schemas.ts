import { z } from '@hono/zod-openapi';
import type { DiagramSummaryRow } from '../../db/repositories/diagrams.repository';
import { CELL_SHAPES, MAX_CELLS, type Cell } from '../../model/cells';
import { Description, Name } from '../routes/model-scoped';

/** A DFD-1.0.0 cell (API.md "Cells"); the server validates cells with model/cells.ts. */
export const CellSchema = z
  .looseObject({
    id: z.uuid(),
    shape: z.enum(CELL_SHAPES),
    x: z.number().optional(),
    y: z.number().optional(),
    width: z.number().optional(),
    height: z.number().optional(),
    label: z.string().optional(),
    parent: z.uuid().nullable().optional(),
    source: z.object({ cell: z.uuid(), port: z.string().optional() }).optional(),
    target: z.object({ cell: z.uuid(), port: z.string().optional() }).optional(),
    vertices: z.array(z.object({ x: z.number(), y: z.number() })).optional(),
    z_index: z.number().int().optional(),
    style: z.record(z.string(), z.unknown()).optional(),
    data: z.record(z.string(), z.unknown()).optional(),
  })
  .openapi('Cell', {
    description:
      'Nodes (actor, process, store, security-boundary, text-box) carry x, y, width, height ' +
      "(TMI's nested position {x, y} and size {width, height} are accepted on input); flows " +
      'carry source and target.',
  });

/**
 * Cells on input are checked by model/cells.ts, which reports every problem with its path
 * (`cells[3].source.cell`); the schema only bounds the array.
 */
const CellsInput = z
  .array(z.record(z.string(), z.unknown()).openapi({ description: 'A Cell' }))
  .max(MAX_CELLS);

export const DiagramCreateSchema = z
  .object({
    name: Name,
    type: z.literal('DFD-1.0.0'),
    description: Description,
    cells: CellsInput.optional(),
  })
  .openapi('DiagramCreate');

export const DiagramDuplicateSchema = z
  .object({
    name: Name.optional().openapi({ description: 'Defaults to "<source name> (copy)"' }),
    with_threats: z
      .boolean()
      .default(false)
      .openapi({ description: 'Also copy the threats recorded against the diagram' }),
  })
  .openapi('DiagramDuplicate');

/** The non-cell fields a PATCH result must satisfy. */
export const DiagramFieldsSchema = z.object({ name: Name, description: Description });

/**
 * PUT replaces the diagram: `cells` is required so that a rename never wipes a drawing;
 * `type` may be repeated but not changed.
 */
export const DiagramReplaceSchema = DiagramCreateSchema.extend({
  type: z.literal('DFD-1.0.0').optional().openapi({ description: 'Cannot change' }),
  cells: CellsInput,
}).openapi('DiagramReplace');

const VERSION_DESCRIPTION =
  'Counts REST writes to the diagram: name, description, and cells written through PUT or ' +
  'PATCH. Live (WebSocket) edits merge field by field and do not change it, so If-Match ' +
  'guards against concurrent REST writers, not against live participants.';

export const DiagramSummarySchema = z
  .object({
    id: z.uuid(),
    threat_model_id: z.uuid(),
    name: z.string(),
    type: z.literal('DFD-1.0.0'),
    description: z.string().nullable(),
    version: z.number().int().openapi({ description: VERSION_DESCRIPTION }),
    created_by: z.uuid().nullable(),
    created_at: z.string(),
    modified_at: z.string(),
  })
  .openapi('DiagramSummary');

export const DiagramSchema = DiagramSummarySchema.extend({
  cells: z
    .array(CellSchema)
    .openapi({ description: 'From the live document when a session is open' }),
}).openapi('Diagram');

export function toDiagramSummary(row: DiagramSummaryRow): z.infer<typeof DiagramSummarySchema> {
  return {
    id: row.id,
    threat_model_id: row.threatModelId,
    name: row.name,
    type: row.type,
    description: row.description,
    version: row.version,
    created_by: row.createdBy,
    created_at: row.createdAt.toISOString(),
    modified_at: row.modifiedAt.toISOString(),
  };
}

export function toDiagram(row: DiagramSummaryRow, cells: readonly Cell[]) {
  return { ...toDiagramSummary(row), cells: cells as z.infer<typeof CellSchema>[] };
}
