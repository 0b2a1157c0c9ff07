import type { FrameworkName } from '../frameworks';
import { PLOT4AI_V1_TO_V2, type Plot4aiV1Category, type ThreatElement } from '../threat-categories';
import { CONTEXT_RULES } from './context-rules';
import { ELEMENT_RULES, elementRuleId } from './element-rules';
import { INTERACTION_RULES } from './interaction-rules';
import type { ThreatRule } from './types';

export type { DiagramFacts, RuleLayer, RuleReference, ThreatRule } from './types';
export { elementRuleId } from './element-rules';

/** Every rule, element rules first, then context, then interaction (docs order). */
export const THREAT_RULES: readonly ThreatRule[] = [
  ...ELEMENT_RULES,
  ...CONTEXT_RULES,
  ...INTERACTION_RULES,
];

const BY_ID = new Map(THREAT_RULES.map((r) => [r.id, r]));
if (BY_ID.size !== THREAT_RULES.length) throw new Error('duplicate threat rule id');

export const ruleById = (id: string): ThreatRule | undefined => BY_ID.get(id);

/** The rules that can fire for an element type under a framework. */
export function rulesFor(framework: FrameworkName, element: ThreatElement): ThreatRule[] {
  return THREAT_RULES.filter(
    (r) => r.element === element && (r.categories[framework]?.length ?? 0) > 0,
  );
}

/** Threat Dragon's PLOT4ai per-element rule ids, which are keyed by v1 category. */
const THREAT_DRAGON_PLOT4AI: Record<string, Plot4aiV1Category> = {
  '7f26d4ca-597f-4523-b718-fd00f6b5eab0': 'Technique & Processes',
  '4e188e3e-1e91-4b92-909a-d40d8c39e8ee': 'Accessibility',
  'a44e067f-8f1b-4c0b-9bf0-fdd90235469b': 'Identifiability & Linkability',
  'b3ae581d-a9df-4597-8e65-c308badae03b': 'Security',
  '9b534b87-e41d-45a9-89a0-5452b7fdf30f': 'Safety',
  '0aae25b8-9bd6-40da-bf5a-df6c90156b1c': 'Unawareness',
  '0aee0047-54b9-4627-a551-0ddf3557af52': 'Ethics & Human Rights',
  'b0f987e2-885b-4759-aaa8-2279ba2798c7': 'Non-compliance',
};

/**
 * Our rule id for a threat Threat Dragon generated (its `ruleId`) on an element of this type
 * under this framework, so an imported threat counts as "recorded" and is not suggested
 * again. Threat Dragon shares one id across element types (and CIA with CIA-DIE), hence the
 * element and framework. Null when Threat Dragon's id is not one of its rules.
 */
export function ruleIdFromThreatDragon(
  threatDragonRuleId: string,
  element: ThreatElement,
  framework: FrameworkName,
): string | null {
  const plot4ai = THREAT_DRAGON_PLOT4AI[threatDragonRuleId];
  if (plot4ai) {
    const id = elementRuleId('PLOT4ai', element, PLOT4AI_V1_TO_V2[plot4ai]);
    return BY_ID.has(id) ? id : null;
  }
  const candidates = THREAT_RULES.filter(
    (r) => r.threatDragonRuleId === threatDragonRuleId && r.element === element,
  );
  return (
    candidates.find((r) => r.layer !== 'element' || r.categories[framework])?.id ??
    candidates[0]?.id ??
    null
  );
}
