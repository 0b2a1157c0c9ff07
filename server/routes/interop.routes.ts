import { z } from '@hono/zod-openapi';
import {
  exportCsv,
  exportOtm,
  exportThreatDragon,
  exportThreatroom,
  IMPORT_FORMATS,
} from '../../model/interop';
import { renderDiagramSvg } from '../../model/render/diagram-svg';
import type { AppDeps } from '../context';
import { notFound } from '../errors';
import { etag, serviceRequest } from '../http';
import { createRouter, jsonBody, operation, problems } from '../openapi';
import { svgToPng } from '../render/png';
import { marksOf, reportHtml, reportPdf } from '../render/report';
import { toThreatModel, ThreatModelSchema } from '../schemas/threat-models.schemas';
import { loadModel } from '../services/export.service';
import { importThreatModel } from '../services/import.service';
import { reportInput } from '../services/report.service';
import { ModelParams } from './model-scoped';

const ReportSchema = z
  .object({
    format: z.string(),
    mapped: z.record(z.string(), z.number()),
    lossy: z.array(z.object({ path: z.string(), what: z.string(), how: z.string() })),
    skipped: z.array(z.object({ path: z.string(), what: z.string(), reason: z.string() })),
  })
  .openapi('ImportReport');

const importRoute = operation('import and export', {
  method: 'post',
  path: '/import',
  operationId: 'importThreatModel',
  summary: 'Import a Threat Dragon (v1/v2), Open Threat Model or Threatroom file as a new model',
  description:
    'The body is the file (JSON). The format is detected unless `format` names it. One transaction: the model (owned by the caller), its diagrams, threats, mitigations with their links, comments and metadata — never a half-created model. The `report` says what was mapped, what was not kept as is (`lossy`) and what was left out (`skipped`). Not a known format → 400 naming the formats expected and what was found; larger than IMPORT_BODY_LIMIT_BYTES → 413.',
  request: {
    query: z.object({ format: z.enum(IMPORT_FORMATS).optional() }),
    body: jsonBody(z.looseObject({}).openapi({ description: 'The file to import' })),
  },
  responses: {
    201: {
      description: 'Imported',
      content: {
        'application/json': {
          schema: z.object({ threat_model: ThreatModelSchema, report: ReportSchema }),
        },
      },
    },
    ...problems(400, 401, 403, 413, 415),
  },
});

const EXPORT_FORMATS = ['threat-dragon', 'otm', 'threatroom', 'csv'] as const;

const fileResponse = (description: string, types: string[]) => ({
  description,
  content: Object.fromEntries(
    types.map((t) => [t, { schema: z.string().openapi({ format: 'binary' }) }]),
  ),
});

const exportRoute = operation('import and export', {
  method: 'get',
  path: '/{tm}/export',
  operationId: 'exportThreatModel',
  summary:
    'Download the model as Threat Dragon v2, OTM 0.2.0, Threatroom JSON or a CSV threat register',
  description:
    '`threat-dragon` validates against Threat Dragon’s v2 schema; `otm` against the OTM schema; `threatroom` holds everything (diagrams, threats, mitigations, comments, reviews, metadata, version list) and imports back losslessly; `csv` is the threat register (RFC 4180, columns in docs/api.md). Reader+. Sent as an attachment.',
  request: { params: ModelParams, query: z.object({ format: z.enum(EXPORT_FORMATS) }) },
  responses: {
    200: {
      description: 'The file (JSON for the three model formats, CSV for the register)',
      content: {
        'application/json': { schema: z.looseObject({}) },
        'text/csv': { schema: z.string() },
      },
    },
    ...problems(400, 401, 404),
  },
});

const VersionQuery = z.coerce.number().int().min(1).max(1_000_000).optional();

const imageRoute = operation('import and export', {
  method: 'get',
  path: '/{tm}/diagrams/{diagram_id}/image',
  operationId: 'getDiagramImage',
  summary: 'The diagram as an SVG or PNG image, drawn on the server',
  description:
    'Shapes, boundaries (boxes and lines), labels, arrows and threat marks, from the current cells (the live document when a session is open) or from `version`. Reader+.',
  request: {
    params: ModelParams.extend({ diagram_id: z.uuid() }),
    query: z.object({ format: z.enum(['svg', 'png']).default('svg'), version: VersionQuery }),
  },
  responses: {
    200: fileResponse('The image', ['image/svg+xml', 'image/png']),
    ...problems(400, 401, 404),
  },
});

const reportRoute = operation('import and export', {
  method: 'get',
  path: '/{tm}/report',
  operationId: 'getThreatModelReport',
  summary: 'The threat model report as printable HTML or PDF',
  description:
    'Cover (name, owner, reviewers, status, approvals), executive summary (counts by severity, status and current risk; the risk heat map), each diagram’s image, a threat table per element with mitigations, open review comments and review history. `omit_mitigated`, `omit_out_of_scope` and `omit_comments` leave those out; `version` draws the model’s diagram as of that version (with several diagrams, `diagram_id` names which). Reader+.',
  request: {
    params: ModelParams,
    query: z.object({
      format: z.enum(['html', 'pdf']).default('html'),
      diagram_id: z.uuid().optional(),
      version: VersionQuery,
      omit_mitigated: z.enum(['true', 'false']).optional(),
      omit_out_of_scope: z.enum(['true', 'false']).optional(),
      omit_comments: z.enum(['true', 'false']).optional(),
    }),
  },
  responses: {
    200: fileResponse('The report', ['text/html', 'application/pdf']),
    ...problems(400, 401, 404),
  },
});

/** A file name from a model name: letters, digits and dashes. */
const fileName = (name: string, ext: string) =>
  `${
    name
      .normalize('NFKD')
      .replace(/[^A-Za-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 80)
      .toLowerCase() || 'threat-model'
  }.${ext}`;

const attachment = (name: string) => `attachment; filename="${name}"`;

/** `/api/threat_models/import`, `…/{tm}/export`, `…/{tm}/diagrams/{d}/image`, `…/{tm}/report`. */
export function interopRoutes(deps: AppDeps) {
  const db = deps.db.db;
  const load = { db, live: deps.live };
  return createRouter()
    .openapi(importRoute, async (c) => {
      const { detail, report } = await importThreatModel(
        { db, live: deps.live, logger: deps.logger },
        serviceRequest(c),
        {
          file: c.req.valid('json'),
          format: c.req.valid('query').format,
        },
      );
      return c.json(
        { threat_model: toThreatModel(detail), report },
        201,
        etag(detail.model.version),
      );
    })
    .openapi(exportRoute, async (c) => {
      const { tm } = c.req.valid('param');
      const { format } = c.req.valid('query');
      const loaded = await loadModel(load, serviceRequest(c), { threatModelId: tm });
      const name = loaded.portable.model.name;
      if (format === 'csv') {
        return c.body(`\ufeff${exportCsv(loaded.portable)}`, 200, {
          'Content-Type': 'text/csv; charset=utf-8; header=present',
          'Content-Disposition': attachment(fileName(name, 'csv')),
        });
      }
      const body =
        format === 'threat-dragon'
          ? exportThreatDragon(loaded.portable)
          : format === 'otm'
            ? exportOtm(loaded.portable, tm)
            : exportThreatroom(loaded.portable, {
                exported_at: new Date().toISOString(),
                status: loaded.detail.model.status,
                reviews: loaded.reviews.map((r) => ({
                  ...r.review,
                  requested_by: r.requestedBy,
                  reviewer: r.reviewer,
                  decided_by: r.decidedBy,
                })),
                versions: loaded.versions,
              });
      const ext =
        format === 'threat-dragon'
          ? 'threat-dragon.json'
          : format === 'otm'
            ? 'otm.json'
            : 'threatroom.json';
      return c.body(JSON.stringify(body, null, 2), 200, {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Disposition': attachment(fileName(name, ext)),
      });
    })
    .openapi(imageRoute, async (c) => {
      const { tm, diagram_id } = c.req.valid('param');
      const { format, version } = c.req.valid('query');
      const loaded = await loadModel(load, serviceRequest(c), {
        threatModelId: tm,
        ...(version ? { version: { diagramId: diagram_id, number: version } } : {}),
      });
      const diagram = loaded.portable.diagrams.find((d) => d.id === diagram_id);
      if (!diagram) throw notFound('diagram');
      const svg = renderDiagramSvg(diagram.cells, {
        marks: marksOf(loaded.portable.threats, diagram.id),
      });
      const base = fileName(
        `${loaded.portable.model.name}-${diagram.name}${version ? `-v${version}` : ''}`,
        format,
      );
      if (format === 'png')
        return c.body(new Uint8Array(svgToPng(svg)), 200, {
          'Content-Type': 'image/png',
          'Content-Disposition': attachment(base),
        });
      return c.body(svg, 200, {
        'Content-Type': 'image/svg+xml; charset=utf-8',
        'Content-Disposition': attachment(base),
      });
    })
    .openapi(reportRoute, async (c) => {
      const { tm } = c.req.valid('param');
      const q = c.req.valid('query');
      const loaded = await loadModel(load, serviceRequest(c), {
        threatModelId: tm,
        ...(q.version ? { version: { diagramId: q.diagram_id, number: q.version } } : {}),
      });
      const input = reportInput(loaded, {
        omitMitigated: q.omit_mitigated === 'true',
        omitOutOfScope: q.omit_out_of_scope === 'true',
        omitComments: q.omit_comments === 'true',
      });
      const name = fileName(`${loaded.portable.model.name}-report`, q.format);
      if (q.format === 'pdf')
        return c.body(new Uint8Array(await reportPdf(input)), 200, {
          'Content-Type': 'application/pdf',
          'Content-Disposition': attachment(name),
        });
      return c.body(reportHtml(input), 200, {
        'Content-Type': 'text/html; charset=utf-8',
        'Content-Disposition': `inline; filename="${name}"`,
        // The report is a standalone document: its own inline styles and SVG, nothing else.
        'Content-Security-Policy':
          "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'",
      });
    });
}
