import * as diagramsRepo from '../../db/repositories/diagrams.repository';
import * as dismissalsRepo from '../../db/repositories/suggestion-dismissals.repository';
import { adjustCounts, findThreatModel } from '../../db/repositories/threat-models.repository';
import * as threatsRepo from '../../db/repositories/threats.repository';
import type { NewThreat } from '../../db/repositories/threats.repository';
import type { FrameworkName } from '../../model/frameworks';
import { ruleById } from '../../model/threat-rules';
import {
  suggestionKey,
  suggestThreats,
  type SuggestionKey,
  type ThreatSuggestion,
} from '../../model/threat-suggestions';
import type { ServiceRequest } from '../context';
import { badRequest, notFound } from '../errors';
import { THREAT_AUDIT_FIELDS } from '../schemas/threats.schemas';
import { diffChanges, recordAudits } from './audit';
import { mirrorThreats, threatViews, type ThreatDeps } from './live-threats.service';
import { authorize } from './policy';

// Suggestions are computed, never stored: the rules (model/threat-rules) over the diagram's
// current cells — the live room's when it is loaded — under the model's framework. What is
// stored is what people decided: threats applied from them (rule_id on the threat, unique per
// diagram + cell + rule) and dismissals (with a reason).

export interface DiagramRef {
  threatModelId: string;
  diagramId: string;
}

export interface SuggestionView extends ThreatSuggestion {
  dismissed: { reason: string; by: { id: string; name: string } | null; at: string } | null;
}

/** The diagram's framework and current cells (404 when the diagram is not in the model). */
async function diagramState(deps: ThreatDeps, { threatModelId, diagramId }: DiagramRef) {
  const [diagram, model] = await Promise.all([
    diagramsRepo.findDiagram(deps.db, threatModelId, diagramId),
    findThreatModel(deps.db, threatModelId),
  ]);
  if (!diagram || !model) throw notFound('diagram');
  const cells = await deps.live.readCells(diagramId);
  return { framework: model.model.framework as FrameworkName, cells };
}

/** Every (cell, rule) a threat on the diagram already records. */
async function recordedKeys(deps: ThreatDeps, diagramId: string): Promise<SuggestionKey[]> {
  const rows = await threatsRepo.listRecordedRules(deps.db, diagramId);
  return rows.flatMap((r) =>
    (r.cellIds.length ? r.cellIds : r.cellId ? [r.cellId] : []).map((cell_id) => ({
      cell_id,
      rule_id: r.ruleId!,
    })),
  );
}

export async function listSuggestions(
  deps: ThreatDeps,
  request: ServiceRequest,
  { cellId, includeDismissed, ...ref }: DiagramRef & { cellId?: string; includeDismissed: boolean },
): Promise<SuggestionView[]> {
  await authorize(deps.db, request, ref.threatModelId, 'read');
  const { framework, cells } = await diagramState(deps, ref);
  const [recorded, dismissals] = await Promise.all([
    recordedKeys(deps, ref.diagramId),
    dismissalsRepo.listDismissals(deps.db, ref.diagramId),
  ]);
  const byKey = new Map(
    dismissals.map((d) => [suggestionKey({ cell_id: d.cellId, rule_id: d.ruleId }), d]),
  );
  const suggestions = suggestThreats(cells, framework, {
    cellIds: cellId ? [cellId] : undefined,
    exclude: includeDismissed
      ? recorded
      : [...recorded, ...dismissals.map((d) => ({ cell_id: d.cellId, rule_id: d.ruleId }))],
  });
  return suggestions.map((s) => {
    const d = byKey.get(suggestionKey(s));
    return {
      ...s,
      dismissed: d
        ? {
            reason: d.reason,
            by: d.dismissedBy ? { id: d.dismissedBy, name: d.dismissedByName ?? '' } : null,
            at: d.dismissedAt.toISOString(),
          }
        : null,
    };
  });
}

const dedupe = <T extends SuggestionKey>(items: readonly T[]): T[] => [
  ...new Map(items.map((i) => [suggestionKey(i), i])).values(),
];

/**
 * Records the named suggestions as threats in one transaction. Each item must be something the
 * rules suggest for the diagram's current cells (else 400, nothing stored). An item already
 * recorded is skipped: the unique index on (diagram, cell, rule) makes a second apply — even
 * a concurrent one — a no-op. Returns the threats created.
 */
export async function applySuggestions(
  deps: ThreatDeps,
  request: ServiceRequest,
  { items, ...ref }: DiagramRef & { items: readonly SuggestionKey[] },
) {
  const { db } = deps;
  await authorize(db, request, ref.threatModelId, 'edit');
  const { framework, cells } = await diagramState(deps, ref);
  const wanted = dedupe(items);
  const possible = new Map(
    suggestThreats(cells, framework, { cellIds: wanted.map((i) => i.cell_id) }).map((s) => [
      suggestionKey(s),
      s,
    ]),
  );
  const errors = items.flatMap((item, i) =>
    possible.has(suggestionKey(item))
      ? []
      : [{ path: `items.${i}`, message: 'the rules do not suggest this for that cell now' }],
  );
  if (errors.length) throw badRequest('An item is not a current suggestion.', errors);
  const rows: NewThreat[] = wanted.map((item) => {
    const s = possible.get(suggestionKey(item))!;
    return {
      threatModelId: ref.threatModelId,
      diagramId: ref.diagramId,
      cellId: s.cell_id,
      cellIds: [s.cell_id],
      ruleId: s.rule_id,
      name: s.name,
      description: s.description,
      threatType: s.threat_type,
      severity: s.severity,
      likelihood: s.likelihood,
      impact: s.impact,
      mitigation: s.mitigations.length ? s.mitigations.join('\n') : null,
      createdBy: request.user.id,
    };
  });
  const created = await db.transaction(async (tx) => {
    const inserted = await threatsRepo.insertThreatsSkippingRecorded(tx, rows);
    if (inserted.length) {
      await adjustCounts(tx, ref.threatModelId, { threatCount: inserted.length });
      await recordAudits(
        tx,
        request,
        inserted.map((row) => ({
          action: 'threat.create',
          entityType: 'threat',
          entityId: row.id,
          threatModelId: ref.threatModelId,
          changes: {
            ...diffChanges(null, row, THREAT_AUDIT_FIELDS),
            ruleId: { before: null, after: row.ruleId },
          },
        })),
      );
    }
    return inserted;
  });
  await mirrorThreats(
    deps,
    ref.threatModelId,
    created.map((r) => r.id),
  );
  return threatViews(deps, created);
}

/**
 * Records dismissals with their reasons (dismissing again replaces the reason), audited as
 * `suggestion.dismiss` on the diagram. Rule ids must be known; the cell need not still exist.
 */
export async function dismissSuggestions(
  deps: ThreatDeps,
  request: ServiceRequest,
  { items, ...ref }: DiagramRef & { items: readonly (SuggestionKey & { reason: string })[] },
): Promise<void> {
  const { db } = deps;
  await authorize(db, request, ref.threatModelId, 'edit');
  if (!(await diagramsRepo.findDiagram(db, ref.threatModelId, ref.diagramId))) {
    throw notFound('diagram');
  }
  const errors = items.flatMap((item, i) =>
    ruleById(item.rule_id) ? [] : [{ path: `items.${i}.rule_id`, message: 'no such rule' }],
  );
  if (errors.length) throw badRequest('An item names an unknown rule.', errors);
  const wanted = dedupe(items);
  await db.transaction(async (tx) => {
    await dismissalsRepo.upsertDismissals(
      tx,
      wanted.map((i) => ({
        diagramId: ref.diagramId,
        cellId: i.cell_id,
        ruleId: i.rule_id,
        reason: i.reason,
        dismissedBy: request.user.id,
      })),
    );
    await recordAudits(
      tx,
      request,
      wanted.map((i) => ({
        action: 'suggestion.dismiss',
        entityType: 'diagram',
        entityId: ref.diagramId,
        threatModelId: ref.threatModelId,
        changes: {
          cell_id: { before: null, after: i.cell_id },
          rule_id: { before: null, after: i.rule_id },
          reason: { before: null, after: i.reason },
        },
      })),
    );
  });
}
