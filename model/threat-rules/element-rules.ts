import type { FrameworkName } from '../frameworks';
import { CATEGORIES_PER_ELEMENT, THREAT_ELEMENTS, type ThreatElement } from '../threat-categories';
import { capec, cwe } from './references';
import type { RuleReference, ThreatRule } from './types';

/**
 * Layer 1: one rule per framework category that applies to an element type (the standard
 * per-element tables, threat-categories.ts). Each is the category's question asked of one
 * element: generic on purpose, the starting point of a review. Suggested only under its own
 * framework, with Medium likelihood and impact until someone assesses it.
 */

interface Prompt {
  title: string;
  description: string;
  mitigations: string[];
  references?: RuleReference[];
}

const STRIDE: Record<string, Prompt> = {
  Spoofing: {
    title: 'Spoofing: a false identity is accepted',
    description:
      'Someone or something could pass itself off as this element, or as the party it talks to, and be trusted as if it were genuine.',
    mitigations: [
      'Authenticate every caller: strong credentials and MFA for people, mutual TLS or signed tokens for services',
    ],
    references: [cwe(287), capec(151)],
  },
  Tampering: {
    title: 'Tampering: data or code changed without authority',
    description:
      'The data this element holds, handles or carries, or the element itself, could be altered by someone who is not allowed to.',
    mitigations: [
      'Restrict write access to those who need it',
      'Protect integrity with signatures, MACs or checksums and verify them before use',
    ],
    references: [cwe(345), capec(75)],
  },
  Repudiation: {
    title: 'Repudiation: an action cannot be attributed',
    description:
      'Someone could deny having done something here, and nothing would show who did what and when.',
    mitigations: [
      'Record security-relevant actions with who, what and when in an append-only, tamper-evident log',
    ],
    references: [cwe(778)],
  },
  'Information Disclosure': {
    title: 'Information disclosure: data reaches the wrong party',
    description:
      'Information here could be read by people or systems not entitled to it, through the element itself, its errors or its side channels.',
    mitigations: [
      'Encrypt data in transit and at rest',
      'Grant read access on a need-to-know basis and keep errors free of internals',
    ],
    references: [cwe(200), capec(116)],
  },
  'Denial of Service': {
    title: 'Denial of service: the element stops serving',
    description:
      'The element could be overwhelmed, starved of a resource it depends on or crashed, so legitimate users cannot use it.',
    mitigations: [
      'Rate-limit and set quotas per client',
      'Bound every queue, buffer and request size; run redundant instances',
    ],
    references: [cwe(400), capec(125)],
  },
  'Elevation of Privilege': {
    title: 'Elevation of privilege: rights beyond those granted',
    description:
      'A caller could make this element do something on its behalf that the caller itself is not allowed to do, or take the element over.',
    mitigations: [
      'Authorise every action against the caller’s own rights',
      'Run with least privilege and isolate the element from what it does not need',
    ],
    references: [cwe(269), capec(233)],
  },
};

const LINDDUN: Record<string, Prompt> = {
  Linkability: {
    title: 'Linkability: records of one person can be tied together',
    description:
      'Data or actions concerning the same person could be linked across contexts, building a profile even without a name.',
    mitigations: ['Use separate pseudonyms per context and drop identifiers that are not needed'],
  },
  Identifiability: {
    title: 'Identifiability: a person can be singled out',
    description: 'Data here, alone or combined with other data, could reveal who a person is.',
    mitigations: ['Anonymise or pseudonymise; collect and keep only what the purpose needs'],
  },
  'Non-repudiation': {
    title: 'Non-repudiation: people cannot deny what they may need to',
    description:
      'Records here bind a person to an action they may legitimately want to be able to deny (a vote, a report, a sensitive lookup).',
    mitigations: [
      'Avoid binding personal identity to actions that need deniability; limit such records',
    ],
  },
  Detectability: {
    title: 'Detectability: the existence of data gives something away',
    description:
      'An observer could learn that data about a person exists here, or that a person takes part, without reading the data itself.',
    mitigations: [
      'Answer the same way whether or not a record exists; hide traffic patterns where it matters',
    ],
  },
  'Disclosure of Information': {
    title: 'Disclosure of information: personal data is exposed',
    description: 'Personal data here could be read by someone not entitled to it.',
    mitigations: ['Encrypt personal data and restrict access to it on a need-to-know basis'],
    references: [cwe(359)],
  },
  Unawareness: {
    title: 'Unawareness: people do not know or control what happens to their data',
    description:
      'The people concerned may not be told, may not understand, or may have no say in how their data is used here.',
    mitigations: [
      'Give clear notice, ask consent where needed and let people see and correct their data',
    ],
  },
  'Non-compliance': {
    title: 'Non-compliance: processing breaks law, policy or consent',
    description:
      'What happens here may not follow data protection law, the organisation’s policies or the consent people gave.',
    mitigations: [
      'Assess the processing (DPIA), set retention limits and keep a record of processing',
    ],
  },
};

const CIA: Record<string, Prompt> = {
  Confidentiality: {
    title: 'Confidentiality: information disclosed without authority',
    description:
      'Information could be disclosed to people, systems or processes not authorised to see it.',
    mitigations: ['Encrypt, and restrict read access to those authorised'],
    references: [cwe(200)],
  },
  Integrity: {
    title: 'Integrity: information or the element modified without authority',
    description:
      'Information, or the element itself, could be modified by someone not authorised to.',
    mitigations: ['Restrict write access and verify integrity (signatures, checksums) before use'],
    references: [cwe(345)],
  },
  Availability: {
    title: 'Availability: not there when needed',
    description:
      'The element or its information might not be available to authorised users when they need it.',
    mitigations: ['Rate limits, quotas, redundancy and tested backups'],
    references: [cwe(400)],
  },
};

const DIE: Record<string, Prompt> = {
  ...CIA,
  Distributed: {
    title: 'Distributed: a single zone or instance can take it down',
    description:
      'If this element runs in one place, the loss of one host, zone or dependency stops it; is it spread so that it survives one?',
    mitigations: ['Run several instances across failure zones, with no shared single dependency'],
  },
  Immutable: {
    title: 'Immutable: changed in place instead of replaced',
    description:
      'If this element is patched and configured by hand it drifts from its definition, and a compromise can hide in the drift.',
    mitigations: [
      'Build it from code (images, infrastructure as code), replace instead of patching, refuse in-place changes',
    ],
  },
  Ephemeral: {
    title: 'Ephemeral: long-lived enough for an attacker to settle in',
    description:
      'The longer this element and its credentials live, the longer an intruder can persist; can it be thrown away and reprovisioned?',
    mitigations: [
      'Keep instances and credentials short-lived; reprovision and rotate on a schedule',
    ],
  },
};

const PLOT4AI: Record<string, Prompt> = {
  'Data & Data Governance': {
    title: 'Data & data governance: data of unknown quality or origin',
    description:
      'Is the data this element uses or produces collected lawfully, representative, labelled correctly, traceable to its source and kept no longer than needed?',
    mitigations: [
      'Document data sources and lineage; check quality and representativeness; set retention',
    ],
  },
  'Transparency & Accessibility': {
    title: 'Transparency & accessibility: people cannot see or use what happens',
    description:
      'Do the people affected know that this element is involved and what it does, can they understand its results, and can everyone use it, including people with disabilities?',
    mitigations: [
      'Explain the system and its outputs in plain language; design and test for accessibility',
    ],
  },
  'Privacy & Data Protection': {
    title: 'Privacy & data protection: personal data linked, identified or reused',
    description:
      'Could personal data here be linked to people, re-identified, inferred or used beyond the purpose it was collected for?',
    mitigations: ['Minimise and pseudonymise personal data; enforce purpose limitation'],
  },
  Cybersecurity: {
    title: 'Cybersecurity: the element can be attacked or abused',
    description:
      'Could this element be attacked: its data poisoned, its model evaded or extracted, its interfaces abused or its supply chain compromised?',
    mitigations: [
      'Threat-model the AI-specific attacks (poisoning, evasion, extraction) and test against them',
    ],
  },
  'Safety & Environmental Impact': {
    title: 'Safety & environmental impact: failure or misuse causes harm',
    description:
      'Could a failure, an error or misuse here harm people physically or mentally, or cost a disproportionate amount of energy and resources?',
    mitigations: ['Define safe failure modes and human fallback; measure and limit resource use'],
  },
  'Ethics & Human Rights': {
    title: 'Ethics & human rights: people’s rights or autonomy are affected',
    description:
      'Could what happens here affect people’s rights, autonomy, dignity or freedom of choice?',
    mitigations: ['Assess the human rights impact and involve the people affected'],
  },
  'Accountability & Human Oversight': {
    title: 'Accountability & human oversight: nobody answers for it',
    description:
      'Is someone accountable for what this element does, can a human oversee and override it, and does it meet the regulations that apply?',
    mitigations: [
      'Name an owner, keep a human in the loop for consequential decisions and record compliance',
    ],
  },
};

const PROMPTS: Record<FrameworkName, Record<string, Prompt>> = {
  STRIDE,
  LINDDUN,
  CIA,
  DIE,
  PLOT4ai: PLOT4AI,
};

/** Threat Dragon's per-element rule ids (one per category, shared by all element types). */
const THREAT_DRAGON_IDS: Partial<Record<FrameworkName, Record<string, string>>> = {
  STRIDE: {
    Spoofing: 'b2a6d40d-d3f8-4750-8e4d-c02cc84b13dc',
    Tampering: '4adaa48a-0345-4533-a189-64c98c4420dd',
    Repudiation: '87bc37e2-798e-4d68-bb96-feb1da26da48',
    'Information Disclosure': '13000296-b17d-4b72-9cc4-f5cc33f80e4c',
    'Denial of Service': 'edb05d76-a695-455f-947b-7d67b78bc31d',
    'Elevation of Privilege': 'c1377855-ea20-4c97-8861-f95c364fb8d2',
  },
  LINDDUN: {
    Linkability: '896abdef-0e7e-46ec-aeaa-b8e70c233d57',
    Identifiability: '9128c587-bc76-41d0-a02d-5de3b539ecc0',
    'Non-repudiation': '74834f24-8f89-40bb-b0c6-d1fdd8b8accc',
    Detectability: 'df43b091-9ffb-44e3-9eb9-471b9ee56d39',
    'Disclosure of Information': '9d576610-5c53-4f84-90c5-ec70751a339d',
    Unawareness: '8d0993c0-9d92-4c51-99f5-6772270a7d88',
    'Non-compliance': '6e80d2fc-747a-4ae8-a435-acce06617139',
  },
  CIA: {
    Confidentiality: '0f20e64c-5d03-42ac-b0ae-ed105a38ee1f',
    Integrity: '42511938-37d9-4bb6-866c-947a7c776e7e',
    Availability: '52453492-f49f-411e-a59d-5fc2dd98664b',
  },
  DIE: {
    Confidentiality: '0f20e64c-5d03-42ac-b0ae-ed105a38ee1f',
    Integrity: '42511938-37d9-4bb6-866c-947a7c776e7e',
    Availability: '52453492-f49f-411e-a59d-5fc2dd98664b',
    Distributed: 'f3fb94f4-7a4d-4271-80f4-01c450003128',
    Immutable: '8dc67be7-1f2d-45b6-afb9-d44564871f28',
    Ephemeral: '4c09f8a2-e738-432f-a378-08bc9e53a63f',
  },
};

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/&/g, 'and')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/** `stride.process.spoofing`, `plot4ai.flow.data-and-data-governance`. */
export const elementRuleId = (framework: FrameworkName, element: ThreatElement, category: string) =>
  `${framework.toLowerCase()}.${element}.${slug(category)}`;

const ELEMENT_NOUN: Record<ThreatElement, string> = {
  actor: 'actor',
  process: 'process',
  store: 'data store',
  flow: 'data flow',
};

function buildElementRules(): ThreatRule[] {
  const rules: ThreatRule[] = [];
  for (const framework of Object.keys(PROMPTS) as FrameworkName[]) {
    for (const element of THREAT_ELEMENTS) {
      for (const category of CATEGORIES_PER_ELEMENT[framework][element]) {
        const prompt = PROMPTS[framework][category];
        if (!prompt) throw new Error(`no prompt for ${framework} ${category}`);
        const threatDragonRuleId = THREAT_DRAGON_IDS[framework]?.[category];
        rules.push({
          id: elementRuleId(framework, element, category),
          layer: 'element',
          element,
          title: prompt.title,
          description: prompt.description,
          when: `every ${ELEMENT_NOUN[element]} (${framework} per element)`,
          categories: { [framework]: [category] },
          likelihood: 'Medium',
          impact: 'Medium',
          mitigations: prompt.mitigations,
          references: prompt.references ?? [],
          ...(threatDragonRuleId ? { threatDragonRuleId } : {}),
          applies: () => true,
        });
      }
    }
  }
  return rules;
}

export const ELEMENT_RULES: readonly ThreatRule[] = buildElementRules();
