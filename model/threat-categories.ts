import type { CellShape } from './cells';
import { FRAMEWORK_THREAT_TYPES, type FrameworkName, type ThreatCategory } from './frameworks';

/** The cell shapes threats are recorded against; boundaries and text boxes get none. */
export const THREAT_ELEMENTS = ['actor', 'process', 'store', 'flow'] as const;
export type ThreatElement = (typeof THREAT_ELEMENTS)[number];

export const isThreatElement = (shape: CellShape | string): shape is ThreatElement =>
  (THREAT_ELEMENTS as readonly string[]).includes(shape);

/**
 * PLOT4ai v1 category names, as Threat Dragon and TMI still use them. Threatroom shows the
 * v2 names (frameworks.ts) and maps v1 → v2 with PLOT4AI_V1_TO_V2.
 */
export const PLOT4AI_V1_CATEGORIES = [
  'Technique & Processes',
  'Accessibility',
  'Identifiability & Linkability',
  'Security',
  'Safety',
  'Unawareness',
  'Ethics & Human Rights',
  'Non-compliance',
] as const;
export type Plot4aiV1Category = (typeof PLOT4AI_V1_CATEGORIES)[number];

/**
 * Where each PLOT4ai v1 category went in v2 (the v2 deck regrouped the cards):
 * - Technique & Processes → Data & Data Governance: v1's card group about how data is
 *   collected, labelled and processed; v2 gathers those questions under data governance.
 * - Accessibility → Transparency & Accessibility, and Unawareness → the same: v2 merged "are
 *   people informed?" into the transparency category.
 * - Identifiability & Linkability → Privacy & Data Protection.
 * - Security → Cybersecurity.
 * - Safety → Safety & Environmental Impact.
 * - Ethics & Human Rights → Ethics & Human Rights (v2 split bias and fairness out into a new
 *   category, which therefore has no v1 counterpart and no per-element default).
 * - Non-compliance → Accountability & Human Oversight: v1's legal and regulatory obligations
 *   are v2's accountability questions.
 */
export const PLOT4AI_V1_TO_V2: Readonly<Record<Plot4aiV1Category, ThreatCategory<'PLOT4ai'>>> = {
  'Technique & Processes': 'Data & Data Governance',
  Accessibility: 'Transparency & Accessibility',
  'Identifiability & Linkability': 'Privacy & Data Protection',
  Security: 'Cybersecurity',
  Safety: 'Safety & Environmental Impact',
  Unawareness: 'Transparency & Accessibility',
  'Ethics & Human Rights': 'Ethics & Human Rights',
  'Non-compliance': 'Accountability & Human Oversight',
};

/** The PLOT4ai per-element table in v1 names, as Threat Dragon and TMI ship it (a fact). */
export const PLOT4AI_V1_PER_ELEMENT: Readonly<Record<ThreatElement, readonly Plot4aiV1Category[]>> =
  {
    actor: [
      'Accessibility',
      'Identifiability & Linkability',
      'Security',
      'Safety',
      'Unawareness',
      'Ethics & Human Rights',
    ],
    process: [
      'Technique & Processes',
      'Accessibility',
      'Identifiability & Linkability',
      'Security',
      'Non-compliance',
    ],
    store: [
      'Technique & Processes',
      'Accessibility',
      'Identifiability & Linkability',
      'Security',
      'Non-compliance',
    ],
    flow: ['Technique & Processes', 'Identifiability & Linkability', 'Security', 'Non-compliance'],
  };

/** v1 names mapped to v2, duplicates (Accessibility + Unawareness) kept once, in v2 order. */
function plot4aiV2(element: ThreatElement): ThreatCategory<'PLOT4ai'>[] {
  const mapped = new Set(PLOT4AI_V1_PER_ELEMENT[element].map((c) => PLOT4AI_V1_TO_V2[c]));
  return FRAMEWORK_THREAT_TYPES.PLOT4ai.filter((c) => mapped.has(c));
}

type PerElementTable = {
  [F in FrameworkName]: Record<ThreatElement, readonly ThreatCategory<F>[]>;
};

const CIA = FRAMEWORK_THREAT_TYPES.CIA;
const DIE = FRAMEWORK_THREAT_TYPES.DIE;
const LINDDUN_NON_ACTOR = [
  'Linkability',
  'Identifiability',
  'Non-repudiation',
  'Detectability',
  'Disclosure of Information',
  'Non-compliance',
] as const;

/**
 * The categories each framework offers per element type: STRIDE-per-element, LINDDUN per
 * element, CIA and CIA-DIE on every element, PLOT4ai through the v1 → v2 mapping. These are
 * the standard tables Threat Dragon and TMI ship; the category picker shows exactly these.
 */
export const CATEGORIES_PER_ELEMENT: PerElementTable = {
  STRIDE: {
    actor: ['Spoofing', 'Repudiation'],
    process: [
      'Spoofing',
      'Tampering',
      'Repudiation',
      'Information Disclosure',
      'Denial of Service',
      'Elevation of Privilege',
    ],
    store: ['Tampering', 'Repudiation', 'Information Disclosure', 'Denial of Service'],
    flow: ['Tampering', 'Information Disclosure', 'Denial of Service'],
  },
  LINDDUN: {
    actor: ['Linkability', 'Identifiability', 'Unawareness'],
    process: LINDDUN_NON_ACTOR,
    store: LINDDUN_NON_ACTOR,
    flow: LINDDUN_NON_ACTOR,
  },
  CIA: { actor: CIA, process: CIA, store: CIA, flow: CIA },
  DIE: { actor: DIE, process: DIE, store: DIE, flow: DIE },
  PLOT4ai: {
    actor: plot4aiV2('actor'),
    process: plot4aiV2('process'),
    store: plot4aiV2('store'),
    flow: plot4aiV2('flow'),
  },
};

/** The cell's `data.out_of_scope` flag: such elements get no threats. */
const outOfScope = (data: Record<string, unknown> | undefined) => data?.out_of_scope === true;

/**
 * The categories that apply to a cell under a framework (empty for boundaries, text boxes and
 * out-of-scope elements) — what the category picker offers.
 */
export function categoriesFor(
  framework: FrameworkName,
  cell: { shape: CellShape | string; data?: Record<string, unknown> },
): readonly string[] {
  if (!isThreatElement(cell.shape) || outOfScope(cell.data)) return [];
  return CATEGORIES_PER_ELEMENT[framework][cell.shape];
}

const fold = (s: string) => s.trim().toLowerCase().replace(/\s+/g, ' ');

/**
 * The framework's own spelling of a category name given on input: case and spacing are
 * forgiven ("Information disclosure" → "Information Disclosure", Threat Dragon's spelling),
 * and PLOT4ai v1 names become v2 ("Security" → "Cybersecurity"). Unknown names come back
 * unchanged (threat types stay open text, as in TMI).
 */
export function normalizeThreatType(framework: FrameworkName, name: string): string {
  const wanted = fold(name);
  const own = (FRAMEWORK_THREAT_TYPES[framework] as readonly string[]).find(
    (c) => fold(c) === wanted,
  );
  if (own) return own;
  if (framework === 'PLOT4ai') {
    const v1 = PLOT4AI_V1_CATEGORIES.find((c) => fold(c) === wanted);
    if (v1) return PLOT4AI_V1_TO_V2[v1];
  }
  return name.trim();
}
