/**
 * Threat modelling frameworks and the threat types (categories) each offers, for pickers,
 * filters and the rule engine (threat-categories.ts says which apply to which element).
 *
 * DIE lists six categories, C, I, A plus Distributed, Immutable, Ephemeral, as Threat Dragon's
 * "CIA-DIE" model does: DIE (Sounil Yu) was proposed as a complement to the CIA triad for
 * resilient systems, not a replacement (a breach of confidentiality is still a threat in a DIE
 * review), and Threat Dragon opens a DIE model with the CIA-DIE categories, so a model
 * imported from it keeps its threats' types.
 */
export const FRAMEWORK_THREAT_TYPES = {
  STRIDE: [
    'Spoofing',
    'Tampering',
    'Repudiation',
    'Information Disclosure',
    'Denial of Service',
    'Elevation of Privilege',
  ],
  CIA: ['Confidentiality', 'Integrity', 'Availability'],
  LINDDUN: [
    'Linkability',
    'Identifiability',
    'Non-repudiation',
    'Detectability',
    'Disclosure of Information',
    'Unawareness',
    'Non-compliance',
  ],
  DIE: ['Confidentiality', 'Integrity', 'Availability', 'Distributed', 'Immutable', 'Ephemeral'],
  /** PLOT4ai v2 names; v1 names are accepted on input (threat-categories.ts). */
  PLOT4ai: [
    'Data & Data Governance',
    'Transparency & Accessibility',
    'Privacy & Data Protection',
    'Cybersecurity',
    'Safety & Environmental Impact',
    'Bias, Fairness & Discrimination',
    'Ethics & Human Rights',
    'Accountability & Human Oversight',
  ],
} as const;

export type FrameworkName = keyof typeof FRAMEWORK_THREAT_TYPES;
export const FRAMEWORK_NAMES = Object.keys(FRAMEWORK_THREAT_TYPES) as FrameworkName[];
/** A category of one framework (`ThreatCategory<'STRIDE'>` is 'Spoofing' | 'Tampering' | …). */
export type ThreatCategory<F extends FrameworkName = FrameworkName> =
  (typeof FRAMEWORK_THREAT_TYPES)[F][number];

export const isFrameworkName = (value: unknown): value is FrameworkName =>
  typeof value === 'string' && (FRAMEWORK_NAMES as string[]).includes(value);
