import type { Cell, FlowCell, NodeCell } from '../cells';
import type { DirectedFlow, TrustZones } from '../boundaries';
import type { FrameworkName } from '../frameworks';
import type { Rating } from '../risk';
import type { ThreatElement } from '../threat-categories';

/** The three layers of rules (docs/threat-rules.md). */
export type RuleLayer = 'element' | 'context' | 'interaction';

/** A CWE, CAPEC or OWASP Automated Threat (OAT) entry a rule refers to. */
export interface RuleReference {
  /** `CWE-319`, `CAPEC-94`, `OAT-008`. */
  id: string;
  url: string;
}

/** What a rule may look at besides the cell it is about: the whole diagram, read once. */
export interface DiagramFacts {
  cells: ReadonlyMap<string, Cell>;
  zones: TrustZones;
  /** Flows carrying data into the node (a bidirectional flow counts both ways). */
  inbound(nodeId: string): readonly DirectedFlow[];
  /** Flows carrying data out of the node. */
  outbound(nodeId: string): readonly DirectedFlow[];
  /** Both readings of the flow (one unless it is bidirectional). */
  directions(flowId: string): readonly DirectedFlow[];
}

export interface ThreatRule {
  /** Stable: threats record it as `rule_id`, dismissals refer to it. Never reuse or rename. */
  id: string;
  layer: RuleLayer;
  /** The element type the rule is about; the suggestion is recorded against such a cell. */
  element: ThreatElement;
  title: string;
  description: string;
  /** When it fires, in words (docs/threat-rules.md). */
  when: string;
  /** Its category under each framework; a rule is suggested only under the frameworks listed. */
  categories: Partial<Record<FrameworkName, readonly string[]>>;
  likelihood: Rating;
  impact: Rating;
  mitigations: readonly string[];
  references: readonly RuleReference[];
  /** The rule's id in Threat Dragon, where it has one (imports map it back). */
  threatDragonRuleId?: string;
  /** A modelling problem of the diagram rather than a threat to the system. */
  diagramSmell?: boolean;
  /** Whether the rule fires for this (in-scope) cell of type `element`. */
  applies(cell: NodeCell | FlowCell, facts: DiagramFacts): boolean;
}
