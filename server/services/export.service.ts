import type { DbHandle } from '../../db';
import * as commentsRepo from '../../db/repositories/comments.repository';
import * as diagramsRepo from '../../db/repositories/diagrams.repository';
import * as metadataRepo from '../../db/repositories/metadata.repository';
import * as approvalsRepo from '../../db/repositories/approvals.repository';
import * as reviewsRepo from '../../db/repositories/reviews.repository';
import * as threatsRepo from '../../db/repositories/threats.repository';
import * as versionsRepo from '../../db/repositories/diagram-versions.repository';
import type { ThreatRow } from '../../db/repositories/threats.repository';
import type { Cell } from '../../model/cells';
import type { FrameworkName } from '../../model/frameworks';
import type { PortableMitigation, PortableModel, PortableThreat } from '../../model/interop';
import { MITIGATION_STATUSES, type MitigationStatus } from '../../model/mitigations';
import type { LiveDiagrams, ServiceRequest } from '../context';
import { badRequest, notFound } from '../errors';
import { getThreatModel } from './threat-models.service';

const ALL = { limit: 10_000, offset: 0, sort: 'created_at:asc' };

/**
 * The counterpart of import.service's mitigationFields: a threat's mitigations as the export
 * formats want them — from the `mitigation.N` metadata an import recorded, else the free
 * text as one mitigation. When mitigations are rows, this reads the linked rows instead.
 */
export function mitigationsOf(
  row: ThreatRow,
  metadata: Record<string, string>,
): PortableMitigation[] {
  const recorded = Object.keys(metadata)
    .filter((k) => /^mitigation\.\d+$/.test(k))
    .sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]));
  const lines = (row.mitigation ?? '').split('\n');
  if (recorded.length) {
    return recorded.map((k, i) => {
      let m: Record<string, unknown> = {};
      try {
        m = JSON.parse(metadata[k]!) as Record<string, unknown>;
      } catch {
        m = {};
      }
      const name = typeof m.name === 'string' ? m.name : `Mitigation ${i + 1}`;
      const line = recorded.length === 1 ? row.mitigation : lines[i];
      const description =
        line && line.startsWith(`${name} — `) ? line.slice(name.length + 3) : (line ?? null);
      return {
        name,
        description,
        status: (MITIGATION_STATUSES as readonly unknown[]).includes(m.status)
          ? (m.status as MitigationStatus)
          : 'proposed',
        risk_reduction: typeof m.risk_reduction === 'number' ? m.risk_reduction : null,
        ...(typeof m.source_id === 'string' ? { source_id: m.source_id } : {}),
      };
    });
  }
  if (!row.mitigation) return [];
  const first = lines.find((l) => l.trim()) ?? 'Mitigation';
  return [
    {
      name: first.slice(0, 256),
      description: row.mitigation,
      status: row.mitigated ? 'implemented' : 'proposed',
      risk_reduction: null,
    },
  ];
}

/** What an export, an image or a report reads: the portable model plus the stored extras. */
export interface LoadedModel {
  portable: PortableModel;
  detail: Awaited<ReturnType<typeof getThreatModel>>;
  threats: ThreatRow[];
  comments: Awaited<ReturnType<typeof commentsRepo.listAllComments>>;
  reviews: Awaited<ReturnType<typeof reviewsRepo.listReviews>>;
  /** Sign-offs and approvals, newest first, each with the diagram versions it pinned. */
  approvals: Awaited<ReturnType<typeof approvalsRepo.listApprovals>>;
  versions: Record<string, unknown[]>;
}

/**
 * Reads a whole model the caller may see (reader+): diagrams with their current cells (the
 * live room's when one is open, or version `version` of one diagram), threats, comments,
 * reviews, metadata and each diagram's version list.
 */
export async function loadModel(
  { db, live }: { db: DbHandle['db']; live: LiveDiagrams },
  request: ServiceRequest,
  {
    threatModelId,
    version,
  }: { threatModelId: string; version?: { diagramId?: string; number: number } },
): Promise<LoadedModel> {
  const detail = await getThreatModel(db, request, { threatModelId });
  const [diagrams, threats, comments, reviews, metadataRows] = await Promise.all([
    diagramsRepo.listDiagrams(db, threatModelId, ALL),
    threatsRepo.listAllThreats(db, threatModelId),
    commentsRepo.listAllComments(db, threatModelId),
    reviewsRepo.listReviews(db, threatModelId),
    metadataRepo.listModelMetadata(db, threatModelId),
  ]);
  const approvals = await approvalsRepo.listApprovals(db, threatModelId);
  if (version && !version.diagramId) {
    // `version` alone names a version of the model's only diagram.
    if (diagrams.length !== 1)
      throw badRequest(
        'This model has several diagrams: name the one `version` belongs to (diagram_id).',
      );
    version = { ...version, diagramId: diagrams[0]!.id };
  }
  const meta = (type: string, id: string) =>
    Object.fromEntries(
      metadataRows
        .filter((m) => m.entityType === type && m.entityId === id)
        .map((m) => [m.key, m.value]),
    );
  const versions: Record<string, unknown[]> = {};
  const portableDiagrams = [];
  for (const d of diagrams) {
    let cells: Cell[];
    if (version && version.diagramId === d.id) {
      const v = await versionsRepo.findDiagramVersion(db, d.id, version.number);
      if (!v) throw notFound('version');
      cells = v.cells as Cell[];
    } else cells = await live.readCells(d.id);
    versions[d.id] = (
      await versionsRepo.listDiagramVersions(db, d.id, { limit: 500, offset: 0 })
    ).map((v) => ({
      version_number: v.versionNumber,
      kind: v.kind,
      change_description: v.changeDescription,
      created_by: v.createdBy,
      created_at: v.createdAt.toISOString(),
    }));
    portableDiagrams.push({
      id: d.id,
      name: d.name,
      description: d.description,
      cells,
      metadata: meta('diagram', d.id),
    });
  }
  if (version && !diagrams.some((d) => d.id === version.diagramId)) throw notFound('diagram');
  const m = detail.model;
  const portable: PortableModel = {
    model: {
      name: m.name,
      description: m.description,
      framework: m.framework as FrameworkName,
      status: m.status,
      issue_url: m.issueUrl,
      metadata: meta('threat_model', m.id),
    },
    diagrams: portableDiagrams,
    threats: threats.map((t): PortableThreat => {
      const tm = meta('threat', t.id);
      return {
        id: t.id,
        diagram_id: t.diagramId,
        cell_id: t.cellId,
        name: t.name,
        description: t.description,
        threat_type: t.threatType,
        severity: t.severity,
        likelihood: t.likelihood,
        impact: t.impact,
        score: t.score,
        priority: t.priority,
        status: t.status,
        mitigation: t.mitigation,
        mitigated: t.mitigated,
        issue_url: t.issueUrl,
        metadata: tm,
        mitigations: mitigationsOf(t, tm),
      };
    }),
    comments: comments.map(({ comment: c, author }) => ({
      id: c.id,
      diagram_id: c.diagramId,
      cell_id: c.cellId,
      threat_id: c.threatId,
      parent_id: c.parentId,
      author: author?.name ?? null,
      body: c.body,
      resolved: c.resolvedAt !== null,
      created_at: c.createdAt.toISOString(),
    })),
  };
  return { portable, detail, threats, comments, reviews, approvals, versions };
}
