import * as Y from 'yjs';
import type { Executor, Tx } from '../../db';
import * as accessRepo from '../../db/repositories/access.repository';
import * as commentsRepo from '../../db/repositories/comments.repository';
import * as diagramsRepo from '../../db/repositories/diagrams.repository';
import * as metadataRepo from '../../db/repositories/metadata.repository';
import * as tmRepo from '../../db/repositories/threat-models.repository';
import * as threatsRepo from '../../db/repositories/threats.repository';
import type { NewThreat } from '../../db/repositories/threats.repository';
import { PRIORITIES, type MetadataEntityType } from '../../db/schema/enums';
import { withFreshIds } from '../../model/cells';
import { LIMITS, putMetadata } from '../../model/interop/clean';
import {
  describe,
  IMPORT_FORMATS,
  importFile,
  ReportBuilder,
  type FidelityReport,
  type ImportFormat,
  type PortableThreat,
} from '../../model/interop';
import { mitigationText } from '../../model/mitigations';
import { replaceCells } from '../../model/ydoc';
import type { ServiceRequest } from '../context';
import { badRequest } from '../errors';
import { recordAudit } from './audit';
import { getThreatModel } from './threat-models.service';

/** Rows per insert statement: far below Postgres's 65,535 bound parameters. */
const CHUNK = 500;

const chunks = <T>(rows: T[]): T[][] =>
  Array.from({ length: Math.ceil(rows.length / CHUNK) }, (_, i) =>
    rows.slice(i * CHUNK, (i + 1) * CHUNK),
  );

/**
 * THE place where an imported threat's mitigations become storage. Until mitigations are
 * rows of their own (API.md "Threat knowledge"), every one of them goes into the threat's
 * `mitigation` text (mitigationText: one line each) and each is also recorded in the threat's
 * metadata (`mitigation.N` = JSON {name, status, risk_reduction, source_id}), so nothing the
 * file said is lost. When the mitigations table lands, this function inserts rows and links
 * them instead.
 */
export function mitigationFields(
  threat: PortableThreat,
  path: string,
  report: ReportBuilder,
): { mitigation: string | null; metadata: Record<string, string> } {
  const metadata: Record<string, string> = {};
  if (threat.mitigations.length === 0) return { mitigation: threat.mitigation, metadata };
  const joined =
    threat.mitigation ??
    (threat.mitigations.length === 1
      ? (threat.mitigations[0]!.description ?? threat.mitigations[0]!.name)
      : mitigationText(threat.mitigations));
  let mitigation = joined;
  if (mitigation && mitigation.length > LIMITS.description) {
    report.changed(
      `${path}.mitigation`,
      'mitigation text longer than 4,096 characters',
      'cut; every mitigation is in the threat metadata',
    );
    mitigation = mitigation.slice(0, LIMITS.description);
  }
  if (threat.mitigations.length > 1 || threat.mitigations.some((m) => m.source_id))
    threat.mitigations.forEach((m, i) =>
      putMetadata(
        metadata,
        `mitigation.${i + 1}`,
        JSON.stringify({
          name: m.name,
          status: m.status,
          risk_reduction: m.risk_reduction,
          ...(m.source_id ? { source_id: m.source_id } : {}),
        }),
        path,
        report,
      ),
    );
  return { mitigation, metadata };
}

type Priority = (typeof PRIORITIES)[number];
const isPriority = (p: string | null): p is Priority =>
  (PRIORITIES as readonly (string | null)[]).includes(p);

/**
 * Imports a file as a new model owned by the caller: model, owner grant, diagrams with their
 * documents, threats, comments, metadata, counts and the audit entry in ONE transaction —
 * a failure anywhere leaves nothing behind. Returns the model and the fidelity report.
 */
export async function importThreatModel(
  db: Executor,
  request: ServiceRequest,
  { file, format }: { file: unknown; format?: ImportFormat },
): Promise<{ detail: Awaited<ReturnType<typeof getThreatModel>>; report: FidelityReport }> {
  const result = importFile(file, format);
  if (!result) {
    throw badRequest(
      `Not a file Threatroom can import${format ? ` as ${format}` : ''}: expected ${IMPORT_FORMATS.join(', ')} (Threat Dragon v1 or v2 JSON, Open Threat Model 0.2.0, a Threatroom export); found ${describe(file)}.`,
    );
  }
  const { portable } = result;
  const extra = new ReportBuilder(result.report.format);
  const id = await db.transaction(async (tx) => {
    const model = await tmRepo.insertThreatModel(tx, {
      name: portable.model.name,
      description: portable.model.description,
      framework: portable.model.framework,
      issueUrl: portable.model.issue_url ?? null,
      ownerId: request.user.id,
      createdBy: request.user.id,
    });
    await accessRepo.insertGrant(tx, {
      threatModelId: model.id,
      principal: { type: 'user', id: request.user.id },
      role: 'owner',
      grantedBy: request.user.id,
    });
    const meta: (metadataRepo.MetadataOwner & { key: string; value: string })[] = [];
    const addMeta = (
      entityType: MetadataEntityType,
      entityId: string,
      m: Record<string, string>,
    ) => {
      for (const [key, value] of Object.entries(m))
        meta.push({ threatModelId: model.id, entityType, entityId, key, value });
    };
    addMeta('threat_model', model.id, portable.model.metadata);
    const diagramIds = new Map<string, string>();
    const cellIds = new Map<string, string>();
    for (const d of portable.diagrams) {
      const ids = new Map(d.cells.map((c) => [c.id, crypto.randomUUID()]));
      for (const [from, to] of ids) cellIds.set(`${d.id}/${from}`, to);
      const cells = withFreshIds(d.cells, ids);
      const doc = new Y.Doc();
      replaceCells(doc, cells, 'import');
      const row = await diagramsRepo.insertDiagram(tx, {
        threatModelId: model.id,
        name: d.name,
        type: 'DFD-1.0.0',
        description: d.description,
        createdBy: request.user.id,
        cells,
        ydocState: Y.encodeStateAsUpdate(doc),
      });
      doc.destroy();
      diagramIds.set(d.id, row.id);
      addMeta('diagram', row.id, d.metadata);
    }
    const threatIds = new Map<string, string>();
    const threatRows: NewThreat[] = portable.threats.map((t, i) => {
      const newId = crypto.randomUUID();
      threatIds.set(t.id, newId);
      const diagramId = t.diagram_id ? (diagramIds.get(t.diagram_id) ?? null) : null;
      const { mitigation, metadata } = mitigationFields(t, `threats[${i}]`, extra);
      addMeta('threat', newId, { ...t.metadata, ...metadata });
      return {
        id: newId,
        threatModelId: model.id,
        diagramId,
        cellId:
          diagramId && t.cell_id ? (cellIds.get(`${t.diagram_id}/${t.cell_id}`) ?? null) : null,
        name: t.name,
        description: t.description,
        threatType: t.threat_type,
        severity: t.severity,
        likelihood: t.likelihood,
        impact: t.impact,
        score: t.score,
        priority: isPriority(t.priority) ? (t.priority as Priority) : null,
        status: t.status,
        mitigation,
        mitigated: t.mitigated,
        issueUrl: t.issue_url,
        createdBy: request.user.id,
      };
    });
    for (const rows of chunks(threatRows)) await threatsRepo.insertThreats(tx, rows);
    await insertComments(tx, model.id, request.user.id, portable.comments, {
      diagramIds,
      cellIds,
      threatIds,
    });
    for (const rows of chunks(meta)) await metadataRepo.insertMetadataRows(tx, rows);
    await tmRepo.adjustCounts(tx, model.id, {
      diagramCount: diagramIds.size,
      threatCount: threatRows.length,
    });
    await recordAudit(tx, request, {
      action: 'import',
      entityType: 'threat_model',
      entityId: model.id,
      threatModelId: model.id,
      changes: {
        name: { before: null, after: model.name },
        import: {
          before: null,
          after: { format: result.report.format, mapped: result.report.mapped },
        },
      },
    });
    return model.id;
  });
  const more = extra.build();
  const report: FidelityReport = {
    ...result.report,
    lossy: [...result.report.lossy, ...more.lossy],
    skipped: [...result.report.skipped, ...more.skipped],
  };
  return { detail: await getThreatModel(db, request, { threatModelId: id }), report };
}

/** Top-level comments first, then replies (one level deep: a reply to a reply joins its root). */
async function insertComments(
  tx: Tx,
  threatModelId: string,
  authorId: string,
  comments: import('../../model/interop').PortableComment[],
  refs: {
    diagramIds: Map<string, string>;
    cellIds: Map<string, string>;
    threatIds: Map<string, string>;
  },
) {
  const ids = new Map(comments.map((c) => [c.id, crypto.randomUUID()]));
  const byId = new Map(comments.map((c) => [c.id, c]));
  const rootOf = (c: (typeof comments)[number]) => {
    let p = c.parent_id ? byId.get(c.parent_id) : undefined;
    const seen = new Set([c.id]);
    // A parent chain that loops (a hostile file) ends where it would repeat.
    while (p?.parent_id && byId.get(p.parent_id) && !seen.has(p.id)) {
      seen.add(p.id);
      p = byId.get(p.parent_id);
    }
    return p && p.id !== c.id ? p : undefined;
  };
  const start = Date.now();
  // A thread reads in order: the file's times where it has them, else the file's order.
  const createdAt = (c: (typeof comments)[number], i: number) => {
    const t = c.created_at ? Date.parse(c.created_at) : NaN;
    return new Date(Number.isFinite(t) && t <= start ? t : start + i);
  };
  const row = (c: (typeof comments)[number], i: number) => {
    const diagramId = c.diagram_id ? (refs.diagramIds.get(c.diagram_id) ?? null) : null;
    const root = rootOf(c);
    return {
      id: ids.get(c.id)!,
      threatModelId,
      diagramId,
      cellId:
        diagramId && c.cell_id ? (refs.cellIds.get(`${c.diagram_id}/${c.cell_id}`) ?? null) : null,
      threatId: c.threat_id ? (refs.threatIds.get(c.threat_id) ?? null) : null,
      parentId: root ? ids.get(root.id)! : null,
      authorId,
      body: c.body,
      resolvedAt: c.resolved ? new Date() : null,
      resolvedBy: c.resolved ? authorId : null,
      createdAt: createdAt(c, i),
    };
  };
  const rows = comments.map(row);
  for (const part of chunks(rows.filter((r) => !r.parentId)))
    await commentsRepo.insertComments(tx, part);
  for (const part of chunks(rows.filter((r) => r.parentId)))
    await commentsRepo.insertComments(tx, part);
}
