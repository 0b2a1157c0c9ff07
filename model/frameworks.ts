/** Threat modelling frameworks and the threat types each offers (for pickers and filters). */
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
  DIE: ['Distributed', 'Immutable', 'Ephemeral'],
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
