import { describe, expect, it } from 'vitest';
import {
  categoriesFor,
  FRAMEWORK_NAMES,
  normalizeThreatType,
  PLOT4AI_V1_TO_V2,
  suggestThreats,
  type Cell,
  type FrameworkName,
} from '../../model';

/**
 * Acceptance 1 (issue 12): the categories per element type, written out here as the issue
 * states them (the tables Threat Dragon and TMI ship), against what the engine offers.
 */
const STRIDE_ALL = [
  'Spoofing',
  'Tampering',
  'Repudiation',
  'Information Disclosure',
  'Denial of Service',
  'Elevation of Privilege',
];
const LINDDUN_NON_ACTOR = [
  'Linkability',
  'Identifiability',
  'Non-repudiation',
  'Detectability',
  'Disclosure of Information',
  'Non-compliance',
];
const CIA = ['Confidentiality', 'Integrity', 'Availability'];
const DIE = [...CIA, 'Distributed', 'Immutable', 'Ephemeral'];
/** PLOT4ai in the v1 names of Threat Dragon and TMI; Threatroom shows them mapped to v2. */
const PLOT4AI_V1 = {
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
const v2 = (v1: string[]) => [...new Set(v1.map((c) => normalizeThreatType('PLOT4ai', c)))];

const EXPECTED: Record<FrameworkName, Record<'actor' | 'process' | 'store' | 'flow', string[]>> = {
  STRIDE: {
    actor: ['Spoofing', 'Repudiation'],
    process: STRIDE_ALL,
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
    actor: v2(PLOT4AI_V1.actor),
    process: v2(PLOT4AI_V1.process),
    store: v2(PLOT4AI_V1.store),
    flow: v2(PLOT4AI_V1.flow),
  },
};

const A = '00000000-0000-4000-8000-0000000000a1';
const B = '00000000-0000-4000-8000-0000000000b1';
const F = '00000000-0000-4000-8000-0000000000f1';
const node = (shape: Cell['shape'], id = A, data: Record<string, unknown> = {}): Cell =>
  ({ id, shape, x: 0, y: 0, width: 100, height: 60, label: shape, data }) as Cell;
/** The cell alone (or a flow between two processes): only per-element rules can fire here. */
const diagramOf = (shape: string, data: Record<string, unknown> = {}): Cell[] =>
  shape === 'flow'
    ? [
        node('process', A),
        { ...node('process', B), x: 300 } as Cell,
        { id: F, shape: 'flow', source: { cell: A }, target: { cell: B }, data },
      ]
    : [node(shape as Cell['shape'], A, data)];
const subjectOf = (shape: string) => (shape === 'flow' ? F : A);

const ROWS = FRAMEWORK_NAMES.flatMap((framework) =>
  (['actor', 'process', 'store', 'flow'] as const).map((element) => ({
    framework,
    element,
    expected: EXPECTED[framework][element],
  })),
);

describe('categories per element type (acceptance 1)', () => {
  it.each(ROWS)('$framework $element', ({ framework, element, expected }) => {
    const cells = diagramOf(element);
    const subject = cells.find((c) => c.id === subjectOf(element))!;
    expect([...categoriesFor(framework, subject)].sort()).toEqual([...expected].sort());

    // The per-element rules suggest exactly one threat per category, nothing else.
    const perElement = suggestThreats(cells, framework, { cellIds: [subject.id] }).filter((s) =>
      s.rule_id.startsWith(`${framework.toLowerCase()}.`),
    );
    expect(perElement.flatMap((s) => s.threat_type).sort()).toEqual([...expected].sort());
    expect(perElement.every((s) => s.threat_type.length === 1)).toBe(true);
  });

  it.each(
    FRAMEWORK_NAMES.flatMap((framework) =>
      [
        { what: 'a trust boundary', cell: node('security-boundary') },
        { what: 'a text box', cell: node('text-box') },
        ...(['actor', 'process', 'store'] as const).map((s) => ({
          what: `an out-of-scope ${s}`,
          cell: node(s, A, { out_of_scope: true, provides_authentication: true }),
        })),
      ].map((row) => ({ framework, ...row })),
    ),
  )('$framework: $what gets no categories and no suggestions', ({ framework, cell }) => {
    expect(categoriesFor(framework, cell)).toEqual([]);
    expect(suggestThreats([cell], framework)).toEqual([]);
  });

  it.each(FRAMEWORK_NAMES)('%s: an out-of-scope flow gets none, even on a public network', (f) => {
    const cells = diagramOf('flow', { out_of_scope: true, public_network: true });
    expect(categoriesFor(f, cells[2]!)).toEqual([]);
    expect(suggestThreats(cells, f, { cellIds: [F] })).toEqual([]);
  });
});

describe('PLOT4ai names', () => {
  it('shows v2 names and maps every v1 name, accepting v1 on input', () => {
    expect(EXPECTED.PLOT4ai.actor).toEqual([
      'Transparency & Accessibility',
      'Privacy & Data Protection',
      'Cybersecurity',
      'Safety & Environmental Impact',
      'Ethics & Human Rights',
    ]);
    expect(EXPECTED.PLOT4ai.flow).toEqual([
      'Data & Data Governance',
      'Privacy & Data Protection',
      'Cybersecurity',
      'Accountability & Human Oversight',
    ]);
    for (const element of ['process', 'store'] as const) {
      expect(EXPECTED.PLOT4ai[element]).toEqual([
        'Data & Data Governance',
        'Transparency & Accessibility',
        'Privacy & Data Protection',
        'Cybersecurity',
        'Accountability & Human Oversight',
      ]);
    }
    expect(Object.keys(PLOT4AI_V1_TO_V2)).toHaveLength(8);
    expect(normalizeThreatType('PLOT4ai', 'security')).toBe('Cybersecurity');
    expect(normalizeThreatType('PLOT4ai', 'Non-compliance')).toBe(
      'Accountability & Human Oversight',
    );
    // Under other frameworks v1 PLOT4ai words are not rewritten.
    expect(normalizeThreatType('LINDDUN', 'Non-compliance')).toBe('Non-compliance');
  });

  it('forgives case and spacing, keeps unknown types as they are', () => {
    expect(normalizeThreatType('STRIDE', 'Information  disclosure')).toBe('Information Disclosure');
    expect(normalizeThreatType('LINDDUN', 'disclosure of information')).toBe(
      'Disclosure of Information',
    );
    expect(normalizeThreatType('STRIDE', ' Supply chain ')).toBe('Supply chain');
  });
});
