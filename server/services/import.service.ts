import * as Y from 'yjs';
import type { Executor, Tx } from '../../db';
import * as accessRepo from '../../db/repositories/access.repository';
import * as commentsRepo from '../../db/repositories/comments.repository';
import * as diagramsRepo from '../../db/repositories/diagrams.repository';
import * as metadataRepo from '../../db/repositories/metadata.repository';
import * as mitigationsRepo from '../../db/repositories/mitigations.repository';
import * as tmRepo from '../../db/repositories/threat-models.repository';
import * as threatsRepo from '../../db/repositories/threats.repository';
import type { NewThreat } from '../../db/repositories/threats.repository';
import { PRIORITIES, type MetadataEntityType } from '../../db/schema/enums';
import { withFreshIds } from '../../model/cells';
import {
  describe,
  IMPORT_FORMATS,
  importFile,
  ReportBuilder,
  type FidelityReport,
  type ImportFormat,
  type PortableMitigation,
  type PortableModel,
} from '../../model/interop';
import { replaceCells } from '../../model/ydoc';
import type { ServiceRequest } from '../context';
import { badRequest } from '../errors';
import { recordAudit } from './audit';
import { mirrorThreats, type ThreatDeps } from './live-threats.service';
import { getThreatModel } from './threat-models.service';

/** Rows per insert statement: far below Postgres's 65,535 bound parameters. */
const CHUNK = 500;

const chunks = <T>(rows: T[]): T[][] =>
  Array.from({ length: Math.ceil(rows.length / CHUNK) }, (_, i) =>
    rows.slice(i * CHUNK, (i + 1) * CHUNK),
  );

/** What the import stores for the mitigations of a file. */
export interface MitigationRows {
  mitigations: mitigationsRepo.NewMitigationRow[];
  links: { threatId: string; mitigationId: string; createdAt: Date }[];
}

/**
 * THE place where an imported file's mitigations become storage: every mitigation is a row
 * of its own (API.md "Threat knowledge"), linked to the threats whose `mitigations` hold it —
 * the same portable id on several threats (an OTM mitigation shared by threats, a Threatroom
 * row) is ONE row with several links. The same mitigation with different statuses on
 * different threats (OTM puts the state on the reference) keeps its first; the report says so.
 * `threatIds` maps the file's threat ids to the new rows'. Links and rows keep the file's
 * order (their created_at step by a millisecond).
 */
export function mitigationRows(
  portable: PortableModel,
  threatIds: Map<string, string>,
  owner: { threatModelId: string; createdBy: string },
  report: ReportBuilder,
): MitigationRows {
  const start = Date.now();
  const rowIds = new Map<string, string>();
  const statuses = new Map<string, string>();
  const out: MitigationRows = { mitigations: [], links: [] };
  const rowOf = (m: PortableMitigation): string => {
    let id = rowIds.get(m.id);
    if (!id) {
      id = crypto.randomUUID();
      rowIds.set(m.id, id);
      statuses.set(m.id, m.status);
      out.mitigations.push({
        id,
        threatModelId: owner.threatModelId,
        name: m.name,
        description: m.description,
        status: m.status,
        riskReduction: Math.round(Math.min(100, Math.max(0, m.risk_reduction ?? 0))),
        issueUrl: m.issue_url ?? null,
        ownerId: null,
        createdBy: owner.createdBy,
        createdAt: new Date(start + out.mitigations.length),
      });
    }
    return id;
  };
  portable.threats.forEach((t, i) => {
    const threatId = threatIds.get(t.id)!;
    const seen = new Set<string>();
    t.mitigations.forEach((m, k) => {
      const mitigationId = rowOf(m);
      if (seen.has(mitigationId)) return;
      seen.add(mitigationId);
      if (statuses.get(m.id) !== m.status)
        report.changed(
          `threats[${i}].mitigations[${k}]`,
          `mitigation "${m.name}" with status ${m.status} here and ${statuses.get(m.id)} on an earlier threat`,
          `one mitigation, status ${statuses.get(m.id)}`,
        );
      out.links.push({ threatId, mitigationId, createdAt: new Date(start + out.links.length) });
    });
  });
  for (const m of portable.unlinked_mitigations ?? []) rowOf(m);
  return out;
}

/**
 * A threat's rule: kept unless an earlier threat of the file already records the same rule on
 * the same diagram and cell (a unique index holds one per cell); then dropped, and said.
 */
function ruleKeeper(report: ReportBuilder) {
  const recorded = new Set<string>();
  return (
    ruleId: string | null | undefined,
    diagramId: string | null,
    cellId: string | null,
    path: string,
  ) => {
    if (!ruleId) return null;
    if (!diagramId || !cellId) return ruleId;
    const key = `${diagramId}/${cellId}/${ruleId}`;
    if (!recorded.has(key)) {
      recorded.add(key);
      return ruleId;
    }
    report.changed(
      `${path}.rule_id`,
      `rule ${ruleId} recorded twice on one element`,
      'kept on the first threat only',
    );
    return null;
  };
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
  deps: ThreatDeps,
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
  const { db } = deps;
  const extra = new ReportBuilder(result.report.format);
  let mitigationCount = 0;
  const created = await db.transaction(async (tx) => {
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
    const keepRule = ruleKeeper(extra);
    const threatRows: NewThreat[] = portable.threats.map((t, i) => {
      const newId = crypto.randomUUID();
      threatIds.set(t.id, newId);
      const diagramId = t.diagram_id ? (diagramIds.get(t.diagram_id) ?? null) : null;
      addMeta('threat', newId, t.metadata);
      const cells = diagramId
        ? [...new Set(t.cell_ids ?? (t.cell_id ? [t.cell_id] : []))]
            .map((c) => cellIds.get(`${t.diagram_id}/${c}`))
            .filter((c): c is string => !!c)
        : [];
      return {
        id: newId,
        threatModelId: model.id,
        diagramId,
        cellId: cells[0] ?? null,
        cellIds: cells,
        ruleId: keepRule(t.rule_id, diagramId, cells[0] ?? null, `threats[${i}]`),
        name: t.name,
        description: t.description,
        threatType: t.threat_type,
        severity: t.severity,
        likelihood: t.likelihood,
        impact: t.impact,
        score: t.score,
        priority: isPriority(t.priority) ? (t.priority as Priority) : null,
        status: t.status,
        // The free-text note shows only while no mitigation is linked (TMI round trips).
        mitigation: t.mitigations.length ? null : t.mitigation,
        // Derived from the linked mitigations when read; stored as the file said.
        mitigated: t.mitigated,
        issueUrl: t.issue_url,
        createdBy: request.user.id,
      };
    });
    for (const rows of chunks(threatRows)) await threatsRepo.insertThreats(tx, rows);
    const knowledge = mitigationRows(
      portable,
      threatIds,
      { threatModelId: model.id, createdBy: request.user.id },
      extra,
    );
    mitigationCount = knowledge.mitigations.length;
    for (const rows of chunks(knowledge.mitigations))
      await mitigationsRepo.insertMitigations(tx, rows);
    for (const rows of chunks(knowledge.links)) await mitigationsRepo.insertLinks(tx, rows);
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
          after: {
            format: result.report.format,
            mapped: { ...result.report.mapped, mitigations: mitigationCount },
          },
        },
      },
    });
    return { id: model.id, threats: [...threatIds.values()] };
  });
  // The editor's threat marks read the live documents' threats map: fill it as any REST
  // write of a threat does (after the commit; a failure is logged and the next write heals it).
  await mirrorThreats(deps, created.id, created.threats);
  const id = created.id;
  const more = extra.build();
  const report: FidelityReport = {
    ...result.report,
    // Rows stored (an OTM mitigation several threats reference counts once).
    mapped: { ...result.report.mapped, mitigations: mitigationCount },
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
