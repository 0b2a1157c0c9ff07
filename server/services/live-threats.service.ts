import type { Executor } from '../../db';
import * as mitigationsRepo from '../../db/repositories/mitigations.repository';
import type { LinkedMitigation } from '../../db/repositories/mitigations.repository';
import * as threatsRepo from '../../db/repositories/threats.repository';
import type { ThreatRow } from '../../db/repositories/threats.repository';
import { removeLiveThreats, writeLiveThreat, type LiveThreat } from '../../model/live-threats';
import { isMitigatedBy } from '../../model/mitigations';
import type { AppDeps } from '../context';
import { cellIdsOf, riskOfThreat, type ThreatView } from '../schemas/threats.schemas';

// Threats as responses and as the live documents' `threats` maps. The database is the source
// of truth; after each committed change the summaries are mirrored into the diagram's live
// document as a server transaction, so every participant sees threats appear, change and
// disappear without a reload (like comments).

/** What threat services need: the database, the live documents, and a logger for mirroring. */
export interface ThreatDeps {
  db: AppDeps['db']['db'];
  live: AppDeps['live'];
  logger: AppDeps['logger'];
}

const linksByThreat = (links: readonly LinkedMitigation[]) => {
  const by = new Map<string, LinkedMitigation[]>();
  for (const l of links) {
    const list = by.get(l.threatId);
    if (list) list.push(l);
    else by.set(l.threatId, [l]);
  }
  return by;
};

/** A threat's live summary (model/live-threats.ts). */
export function toLiveThreat(row: ThreatRow, links: readonly LinkedMitigation[]): LiveThreat {
  return {
    id: row.id,
    name: row.name,
    threat_type: row.threatType,
    severity: row.severity,
    status: row.status,
    cell_ids: cellIdsOf(row),
    rule_id: row.ruleId,
    risk_level: riskOfThreat(row, links).current?.level ?? null,
    mitigated: isMitigatedBy(links),
    modified_at: row.modifiedAt.toISOString(),
  };
}

/** The cell ids of each diagram, read once per diagram (live room's when loaded). */
async function cellsByDiagram(deps: ThreatDeps, diagramIds: Iterable<string>) {
  const out = new Map<string, Set<string>>();
  for (const id of new Set(diagramIds)) {
    try {
      out.set(id, new Set((await deps.live.readCells(id)).map((c) => c.id)));
    } catch {
      out.set(id, new Set()); // deleted meanwhile: its cells are gone
    }
  }
  return out;
}

/**
 * Responses for `rows`: the linked mitigations (one query) and whether their cells still
 * exist (each diagram's cells read once).
 */
export async function threatViews(
  deps: ThreatDeps,
  rows: readonly ThreatRow[],
  db: Executor = deps.db,
): Promise<ThreatView[]> {
  const links = linksByThreat(
    await mitigationsRepo.listLinksOfThreats(
      db,
      rows.map((r) => r.id),
    ),
  );
  const withCells = rows.filter((r) => cellIdsOf(r).length);
  const cells = await cellsByDiagram(
    deps,
    withCells.flatMap((r) => (r.diagramId ? [r.diagramId] : [])),
  );
  return rows.map((row) => {
    const ids = cellIdsOf(row);
    const present = row.diagramId ? cells.get(row.diagramId) : undefined;
    return {
      row,
      links: links.get(row.id) ?? [],
      unlinked: ids.length > 0 && !ids.some((id) => present?.has(id)),
    };
  });
}

export async function threatView(deps: ThreatDeps, row: ThreatRow): Promise<ThreatView> {
  return (await threatViews(deps, [row]))[0]!;
}

/** Threats to take out of a diagram's live map (deleted, or moved to another diagram). */
export interface LiveRemoval {
  diagramId: string;
  threatIds: string[];
}

/**
 * Mirrors the current state of `threatIds` into their diagrams' live documents and takes
 * `removed` out of theirs, one server transaction per diagram. Called after the database
 * committed; a failure is logged, never undone (the next write or a reload catches up).
 */
export async function mirrorThreats(
  deps: ThreatDeps,
  threatModelId: string,
  threatIds: readonly string[],
  removed: readonly LiveRemoval[] = [],
): Promise<void> {
  try {
    const rows = await threatsRepo.findThreatsByIds(deps.db, threatModelId, threatIds);
    const links = linksByThreat(
      await mitigationsRepo.listLinksOfThreats(
        deps.db,
        rows.map((r) => r.id),
      ),
    );
    const byDiagram = new Map<string, { write: LiveThreat[]; remove: string[] }>();
    const entry = (id: string) => {
      let e = byDiagram.get(id);
      if (!e) byDiagram.set(id, (e = { write: [], remove: [] }));
      return e;
    };
    for (const row of rows) {
      if (row.diagramId)
        entry(row.diagramId).write.push(toLiveThreat(row, links.get(row.id) ?? []));
    }
    for (const r of removed) entry(r.diagramId).remove.push(...r.threatIds);
    for (const [diagramId, { write, remove }] of byDiagram) {
      await mirrorInto(deps, diagramId, (doc) => {
        removeLiveThreats(doc, remove);
        for (const t of write) writeLiveThreat(doc, t);
      });
    }
  } catch (err) {
    deps.logger.warn({ err, threatModelId }, 'could not mirror threats into the live documents');
  }
}

async function mirrorInto(
  deps: ThreatDeps,
  diagramId: string,
  change: Parameters<ThreatDeps['live']['transact']>[1],
) {
  try {
    await deps.live.transact(diagramId, change, null);
  } catch (err) {
    deps.logger.warn({ err, diagramId }, 'could not mirror threats into a live document');
  }
}
