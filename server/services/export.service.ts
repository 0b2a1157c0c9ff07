import type { DbHandle } from '../../db';
import * as commentsRepo from '../../db/repositories/comments.repository';
import * as diagramsRepo from '../../db/repositories/diagrams.repository';
import * as metadataRepo from '../../db/repositories/metadata.repository';
import * as approvalsRepo from '../../db/repositories/approvals.repository';
import * as mitigationsRepo from '../../db/repositories/mitigations.repository';
import type { LinkedMitigation, MitigationRow } from '../../db/repositories/mitigations.repository';
import * as reviewsRepo from '../../db/repositories/reviews.repository';
import * as threatsRepo from '../../db/repositories/threats.repository';
import * as versionsRepo from '../../db/repositories/diagram-versions.repository';
import type { ThreatRow } from '../../db/repositories/threats.repository';
import type { Cell } from '../../model/cells';
import type { FrameworkName } from '../../model/frameworks';
import type { PortableMitigation, PortableModel, PortableThreat } from '../../model/interop';
import { isMitigatedBy } from '../../model/mitigations';
import { cellIdsOf, riskOfThreat } from '../schemas/threats.schemas';
import type { LiveDiagrams, ServiceRequest } from '../context';
import { badRequest, notFound } from '../errors';
import { getThreatModel } from './threat-models.service';

const ALL = { limit: 10_000, offset: 0, sort: 'created_at:asc' };

/**
 * The counterpart of import.service's mitigationRows: the mitigations linked to a threat (in
 * link order) as the export formats want them, read from the rows.
 */
export function mitigationsOf(
  links: readonly LinkedMitigation[],
  rows: ReadonlyMap<string, MitigationRow>,
): PortableMitigation[] {
  return links.map((l) => portableMitigation(rows.get(l.mitigationId), l));
}

function portableMitigation(
  row: MitigationRow | undefined,
  link: Pick<
    LinkedMitigation,
    'mitigationId' | 'name' | 'description' | 'status' | 'riskReduction'
  >,
): PortableMitigation {
  return {
    id: link.mitigationId,
    name: link.name,
    description: link.description,
    status: link.status,
    risk_reduction: link.riskReduction,
    issue_url: row?.issueUrl ?? null,
  };
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
  const [diagrams, threats, mitigationRows, comments, reviews, metadataRows] = await Promise.all([
    diagramsRepo.listDiagrams(db, threatModelId, ALL),
    threatsRepo.listAllThreats(db, threatModelId),
    mitigationsRepo.listMitigations(db, threatModelId, ALL),
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
  const links = await mitigationsRepo.listLinksOfThreats(
    db,
    threats.map((t) => t.id),
  );
  const linksOf = new Map<string, LinkedMitigation[]>();
  for (const l of links) linksOf.set(l.threatId, [...(linksOf.get(l.threatId) ?? []), l]);
  const rowsById = new Map(mitigationRows.map((r) => [r.id, r]));
  const linked = new Set(links.map((l) => l.mitigationId));
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
      const mine = linksOf.get(t.id) ?? [];
      return {
        id: t.id,
        diagram_id: t.diagramId,
        cell_id: t.cellId,
        cell_ids: cellIdsOf(t),
        rule_id: t.ruleId,
        name: t.name,
        description: t.description,
        threat_type: t.threatType,
        severity: t.severity,
        likelihood: t.likelihood,
        impact: t.impact,
        score: t.score,
        priority: t.priority,
        status: t.status,
        // As the threats service answers them: the stored note only while nothing is linked,
        // `mitigated` and `risk` derived from the linked mitigations.
        mitigation: mine.length ? null : t.mitigation,
        mitigated: isMitigatedBy(mine),
        issue_url: t.issueUrl,
        metadata: tm,
        mitigations: mitigationsOf(mine, rowsById),
        risk: riskOfThreat(t, mine),
      };
    }),
    unlinked_mitigations: mitigationRows
      .filter((r) => !linked.has(r.id))
      .map((r) => portableMitigation(r, { ...r, mitigationId: r.id })),
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
