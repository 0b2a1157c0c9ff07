import { directedFlows, trustZones, type DirectedFlow } from './boundaries';
import type { Cell, FlowCell, NodeCell } from './cells';
import { isOutOfScope } from './dfd-properties';
import type { FrameworkName } from './frameworks';
import { severityOf, type Rating } from './risk';
import { isThreatElement } from './threat-categories';
import {
  THREAT_RULES,
  type DiagramFacts,
  type RuleReference,
  type ThreatRule,
} from './threat-rules';

/**
 * A threat the rules suggest for one cell: the API's suggestion item (API.md, snake_case), so
 * the editor can show locally computed suggestions and server ones with the same code.
 */
export interface ThreatSuggestion {
  cell_id: string;
  rule_id: string;
  name: string;
  description: string;
  /** The rule's categories under the model's framework. */
  threat_type: string[];
  severity: Rating;
  likelihood: Rating;
  impact: Rating;
  mitigations: string[];
  references: RuleReference[];
}

/** A (cell, rule) pair: what a recorded threat, a dismissal or an apply request names. */
export interface SuggestionKey {
  cell_id: string;
  rule_id: string;
}

/** One string per (cell, rule), for sets and maps. */
export const suggestionKey = (k: SuggestionKey): string => `${k.cell_id}\u0000${k.rule_id}`;

/** Reads the diagram once: trust zones and flows by direction, for every rule to ask. */
export function diagramFacts(cells: readonly Cell[]): DiagramFacts {
  const byId = new Map(cells.map((c) => [c.id, c]));
  const inbound = new Map<string, DirectedFlow[]>();
  const outbound = new Map<string, DirectedFlow[]>();
  const directions = new Map<string, DirectedFlow[]>();
  const push = (m: Map<string, DirectedFlow[]>, key: string, d: DirectedFlow) => {
    const list = m.get(key);
    if (list) list.push(d);
    else m.set(key, [d]);
  };
  for (const d of directedFlows(cells)) {
    push(inbound, d.target.id, d);
    push(outbound, d.source.id, d);
    push(directions, d.flow.id, d);
  }
  return {
    cells: byId,
    zones: trustZones(cells),
    inbound: (id) => inbound.get(id) ?? [],
    outbound: (id) => outbound.get(id) ?? [],
    directions: (id) => directions.get(id) ?? [],
  };
}

export function suggestionFor(
  rule: ThreatRule,
  cellId: string,
  framework: FrameworkName,
): ThreatSuggestion {
  return {
    cell_id: cellId,
    rule_id: rule.id,
    name: rule.title,
    description: rule.description,
    threat_type: [...(rule.categories[framework] ?? [])],
    severity: severityOf(rule.likelihood, rule.impact),
    likelihood: rule.likelihood,
    impact: rule.impact,
    mitigations: [...rule.mitigations],
    references: rule.references.map((r) => ({ ...r })),
  };
}

export interface SuggestOptions {
  /** Only these cells (the rules still see the whole diagram). */
  cellIds?: Iterable<string>;
  /** Leave these out: threats already recorded and dismissed suggestions. */
  exclude?: Iterable<SuggestionKey>;
}

/**
 * What the rules suggest for a diagram's cells under a framework: per-element, context and
 * interaction rules, in cell order then rule order. Trust boundaries, text boxes and
 * out-of-scope elements get nothing. Pure and fast enough to run on every edit in the
 * editor (one pass over the diagram for boundaries and flows, then each rule per cell).
 */
export function suggestThreats(
  cells: readonly Cell[],
  framework: FrameworkName,
  options: SuggestOptions = {},
): ThreatSuggestion[] {
  const only = options.cellIds ? new Set(options.cellIds) : null;
  const excluded = new Set([...(options.exclude ?? [])].map(suggestionKey));
  const facts = diagramFacts(cells);
  const rulesByElement = new Map<string, ThreatRule[]>();
  for (const rule of THREAT_RULES) {
    if (!rule.categories[framework]?.length) continue;
    const list = rulesByElement.get(rule.element);
    if (list) list.push(rule);
    else rulesByElement.set(rule.element, [rule]);
  }
  const out: ThreatSuggestion[] = [];
  for (const cell of cells) {
    if (only && !only.has(cell.id)) continue;
    if (!isThreatElement(cell.shape) || isOutOfScope(cell)) continue;
    for (const rule of rulesByElement.get(cell.shape) ?? []) {
      if (excluded.has(suggestionKey({ cell_id: cell.id, rule_id: rule.id }))) continue;
      if (rule.applies(cell as NodeCell | FlowCell, facts))
        out.push(suggestionFor(rule, cell.id, framework));
    }
  }
  return out;
}
