import { hasFlag, textProperty, PRIVILEGE_LEVEL_KEY } from '../dfd-properties';
import type { FlowCell, NodeCell } from '../cells';
import type { FrameworkName } from '../frameworks';
import type { ThreatElement } from '../threat-categories';
import { capec, cwe, oat } from './references';
import type { RuleReference, ThreatRule } from './types';

/**
 * Layer 2: the 27 property rules Threat Dragon derives from the OWASP Automated Threats (OAT)
 * list, firing on the same properties (an actor that provides authentication, a flow on a
 * public network, a store of credentials, …). Titles, descriptions and mitigations are ours.
 *
 * Categories: STRIDE files each threat where it belongs (Threat Dragon files denial of service
 * under information disclosure, and several others under LINDDUN names even in a STRIDE
 * model; we don't). LINDDUN keeps Threat Dragon's LINDDUN category, so both tools file a
 * LINDDUN model's threats alike. CIA and DIE name the property the threat breaks (DIE adds
 * Distributed where redundancy is the answer); PLOT4ai uses the v2 category.
 */

type Categories = Record<FrameworkName, readonly string[]>;

const cat = (
  stride: string[],
  linddun: string,
  cia: string,
  plot4ai: string[],
  die: string[] = [cia],
): Categories => ({
  STRIDE: stride,
  LINDDUN: [linddun],
  CIA: [cia],
  DIE: die,
  PLOT4ai: plot4ai,
});

interface Spec {
  id: string;
  element: ThreatElement;
  title: string;
  description: string;
  when: string;
  categories: Categories;
  likelihood: ThreatRule['likelihood'];
  impact: ThreatRule['impact'];
  mitigations: string[];
  references: RuleReference[];
  threatDragonRuleId: string;
  applies: (cell: NodeCell | FlowCell) => boolean;
}

const always = () => true;
const flagged = (key: string) => (cell: NodeCell | FlowCell) => hasFlag(cell, key);

const SPECS: Spec[] = [
  // Actors that provide authentication (they sign in, so automation targets their sign-in).
  {
    id: 'oat.actor.captcha-defeat',
    element: 'actor',
    title: 'CAPTCHA defeat',
    description:
      'Bots solve or bypass the CAPTCHA or other human-presence checks in front of this actor’s sign-in, so automated traffic passes as human (OWASP OAT-009).',
    when: 'actor: provides authentication',
    categories: cat(['Spoofing'], 'Unawareness', 'Integrity', ['Cybersecurity']),
    likelihood: 'Medium',
    impact: 'Medium',
    mitigations: [
      'Do not rely on a CAPTCHA alone: add rate limits and device or behaviour signals',
      'Enforce the expected sequence of steps server-side',
    ],
    references: [oat(9), cwe(804)],
    threatDragonRuleId: '5b0d4c4e-8245-4bea-a2ad-cf0be0a441f5',
    applies: flagged('provides_authentication'),
  },
  {
    id: 'oat.actor.credential-stuffing',
    element: 'actor',
    title: 'Credential stuffing',
    description:
      'User names and passwords leaked from other sites are tried in bulk against this actor’s sign-in, taking over every account whose owner reused a password (OWASP OAT-008).',
    when: 'actor: provides authentication',
    categories: cat(['Spoofing'], 'Disclosure of Information', 'Confidentiality', [
      'Cybersecurity',
    ]),
    likelihood: 'High',
    impact: 'High',
    mitigations: [
      'Offer and encourage multi-factor authentication',
      'Throttle failed sign-ins per account and per source; check passwords against known breaches',
    ],
    references: [oat(8), cwe(307), capec(600)],
    threatDragonRuleId: 'da483c51-1891-46ac-8453-6b1706b2a3d6',
    applies: flagged('provides_authentication'),
  },
  // Flows.
  {
    id: 'oat.flow.use-encryption',
    element: 'flow',
    title: 'Unencrypted data on a public network',
    description:
      'This flow crosses a public network in clear text, so anyone on the path can read what it carries.',
    when: 'flow: crosses a public network and is not encrypted',
    categories: cat(['Information Disclosure'], 'Disclosure of Information', 'Confidentiality', [
      'Cybersecurity',
      'Privacy & Data Protection',
    ]),
    likelihood: 'High',
    impact: 'High',
    mitigations: [
      'Encrypt the flow at the transport level (TLS 1.2+) or encrypt the messages themselves',
    ],
    references: [cwe(319), capec(157)],
    threatDragonRuleId: '021ab22d-8d51-4501-9bb8-6dabf9c27f0d',
    applies: (cell) => hasFlag(cell, 'public_network') && !hasFlag(cell, 'encrypted'),
  },
  {
    id: 'oat.flow.vulnerable-transport-protocol',
    element: 'flow',
    title: 'Outdated transport protocol or cipher',
    description:
      'The flow is encrypted, but an old protocol version or a weak cipher suite can be negotiated down and broken.',
    when: 'flow: encrypted',
    categories: cat(['Information Disclosure'], 'Disclosure of Information', 'Confidentiality', [
      'Cybersecurity',
    ]),
    likelihood: 'Low',
    impact: 'High',
    mitigations: [
      'Allow only current protocol versions and cipher suites (TLS 1.2+, no downgrade)',
    ],
    references: [cwe(327), cwe(757), capec(620)],
    threatDragonRuleId: 'ff2fca4d-dedf-46f2-b9ac-aed70055bb4d',
    applies: flagged('encrypted'),
  },
  {
    id: 'oat.flow.fingerprinting',
    element: 'flow',
    title: 'Fingerprinting',
    description:
      'Probes sent over this public flow elicit versions, headers and error details that tell an attacker what software runs behind it (OWASP OAT-004).',
    when: 'flow: crosses a public network',
    categories: cat(['Information Disclosure'], 'Linkability', 'Confidentiality', [
      'Cybersecurity',
    ]),
    likelihood: 'High',
    impact: 'Low',
    mitigations: ['Remove version banners and detailed errors from public responses'],
    references: [oat(4), cwe(200), capec(541)],
    threatDragonRuleId: 'f5f817d5-a067-4415-a40a-b500cb2ab9ad',
    applies: flagged('public_network'),
  },
  // Processes.
  {
    id: 'oat.process.least-privilege',
    element: 'process',
    title: 'More privilege than the job needs',
    description:
      'This process runs with a stated privilege level; if it is taken over, everything that level may touch, including neighbouring processes, is exposed.',
    when: 'process: privilege level is set',
    categories: cat(['Elevation of Privilege'], 'Unawareness', 'Integrity', ['Cybersecurity']),
    likelihood: 'Medium',
    impact: 'High',
    mitigations: [
      'Run the process with the least privilege that works and separate it from other processes',
    ],
    references: [cwe(250), cwe(269), capec(233)],
    threatDragonRuleId: '6463e063-e7c5-4305-9d8d-0c8e978ab86b',
    applies: (cell) => textProperty(cell, PRIVILEGE_LEVEL_KEY) !== '',
  },
  {
    id: 'oat.process.expediting',
    element: 'process',
    title: 'Expediting',
    description:
      'Automation runs this process’s steps faster or in another order than a person would, skipping the waits and checks the design assumed, for unfair gain (OWASP OAT-006).',
    when: 'every process',
    categories: cat(['Tampering'], 'Non-compliance', 'Integrity', ['Cybersecurity']),
    likelihood: 'Medium',
    impact: 'Medium',
    mitigations: [
      'Enforce the workflow’s order and timing server-side',
      'Detect and slow down automation',
    ],
    references: [oat(6), cwe(799), cwe(841)],
    threatDragonRuleId: 'ea1adb4d-097d-45a8-8e48-b728a996f487',
    applies: always,
  },
  {
    id: 'oat.process.vulnerability-scanning',
    element: 'process',
    title: 'Vulnerability scanning',
    description:
      'The process is systematically probed for known weaknesses and misconfigurations to find a way in (OWASP OAT-014).',
    when: 'every process',
    categories: cat(['Information Disclosure'], 'Disclosure of Information', 'Confidentiality', [
      'Cybersecurity',
    ]),
    likelihood: 'High',
    impact: 'Medium',
    mitigations: ['Detect and block scanners', 'Patch promptly and scan yourself before others do'],
    references: [oat(14), capec(310)],
    threatDragonRuleId: 'd97bcb80-f96d-44af-869a-d0441761be05',
    applies: always,
  },
  {
    id: 'oat.process.denial-of-service',
    element: 'process',
    title: 'Denial of service by automated use',
    description:
      'Requests that each look legitimate arrive in such numbers that the process runs out of CPU, memory, connections or money (OWASP OAT-015).',
    when: 'every process',
    categories: cat(
      ['Denial of Service'],
      'Unawareness',
      'Availability',
      ['Cybersecurity'],
      ['Availability', 'Distributed'],
    ),
    likelihood: 'Medium',
    impact: 'High',
    mitigations: [
      'Rate-limit and set quotas per client; bound work per request',
      'Back off under load and scale out; avoid operations that can deadlock',
    ],
    references: [oat(15), cwe(400), cwe(770), capec(125)],
    threatDragonRuleId: 'ce2fe37e-0742-4278-8915-40dc2226150e',
    applies: always,
  },
  {
    id: 'oat.process.carding',
    element: 'process',
    title: 'Carding',
    description:
      'Stolen card numbers are tested in bulk through this payment process to learn which are still valid (OWASP OAT-001).',
    when: 'process: handles card payments',
    categories: cat(['Information Disclosure'], 'Disclosure of Information', 'Confidentiality', [
      'Cybersecurity',
    ]),
    likelihood: 'Medium',
    impact: 'High',
    mitigations: [
      'Limit payment attempts per client, card and account',
      'Make one authorisation per order and watch for bursts of small failures',
    ],
    references: [oat(1), cwe(799)],
    threatDragonRuleId: '6cc27f83-ae03-4589-8e9b-24d4c2d4d8cd',
    applies: flagged('handles_card_payment'),
  },
  {
    id: 'oat.process.card-cracking',
    element: 'process',
    title: 'Card cracking',
    description:
      'Missing card details (expiry date, security code) are guessed by brute force against this payment process (OWASP OAT-010).',
    when: 'process: handles card payments',
    categories: cat(['Information Disclosure'], 'Disclosure of Information', 'Confidentiality', [
      'Cybersecurity',
    ]),
    likelihood: 'Medium',
    impact: 'High',
    mitigations: [
      'Limit attempts per card and client; block brute-force patterns; add anti-automation',
    ],
    references: [oat(10), cwe(307)],
    threatDragonRuleId: '505afd31-7b3f-4733-b91c-71abb488d2eb',
    applies: flagged('handles_card_payment'),
  },
  {
    id: 'oat.process.cashing-out',
    element: 'process',
    title: 'Cashing out',
    description:
      'Validated stolen cards or taken-over accounts are used here to buy goods or move money, which the real owners then dispute (OWASP OAT-012).',
    when: 'process: handles card payments',
    categories: cat(['Spoofing', 'Repudiation'], 'Non-repudiation', 'Integrity', ['Cybersecurity']),
    likelihood: 'Medium',
    impact: 'High',
    mitigations: [
      'Step up authentication for high-value or unusual purchases',
      'Limit purchase frequency and watch for abuse patterns',
    ],
    references: [oat(12)],
    threatDragonRuleId: 'c7b098d3-34df-432a-ad52-8f10c4ef6b07',
    applies: flagged('handles_card_payment'),
  },
  {
    id: 'oat.process.footprinting',
    element: 'process',
    title: 'Footprinting',
    description:
      'The web application is mapped (endpoints, parameters, frameworks, security controls) to plan an attack (OWASP OAT-018).',
    when: 'process: is a web application',
    categories: cat(['Information Disclosure'], 'Disclosure of Information', 'Confidentiality', [
      'Cybersecurity',
    ]),
    likelihood: 'High',
    impact: 'Low',
    mitigations: [
      'Expose only the services and ports that are needed',
      'Leave identifying details out of responses, files and comments',
    ],
    references: [oat(18), capec(169)],
    threatDragonRuleId: '20527bee-aae7-4593-acac-7a07169ccc4f',
    applies: flagged('is_web_application'),
  },
  {
    id: 'oat.process.scalping',
    element: 'process',
    title: 'Scalping',
    description:
      'Bots buy up limited goods or services through this process faster than people can, to resell them (OWASP OAT-005).',
    when: 'process: handles goods or services',
    categories: cat(['Denial of Service'], 'Unawareness', 'Availability', ['Cybersecurity']),
    likelihood: 'Medium',
    impact: 'Medium',
    mitigations: ['Limit purchases per buyer, enforce one action per user and add anti-automation'],
    references: [oat(5), cwe(799)],
    threatDragonRuleId: 'c50e8d53-5e0a-45e7-8c69-be92492ad7dc',
    applies: flagged('handles_goods_or_services'),
  },
  {
    id: 'oat.process.sniping',
    element: 'process',
    title: 'Sniping',
    description:
      'Automation acts at the last possible moment of an auction or offer, exploiting the system’s latency so people cannot respond (OWASP OAT-013).',
    when: 'process: handles goods or services',
    categories: cat(['Tampering'], 'Unawareness', 'Integrity', ['Cybersecurity']),
    likelihood: 'Low',
    impact: 'Medium',
    mitigations: ['Extend deadlines on late activity and detect automated timing'],
    references: [oat(13)],
    threatDragonRuleId: 'd6d15882-15d5-4da1-88a5-dc3eae0b4a64',
    applies: flagged('handles_goods_or_services'),
  },
  {
    id: 'oat.process.denial-of-inventory',
    element: 'process',
    title: 'Denial of inventory',
    description:
      'Items are put in baskets or reserved and never bought, so the stock is held and real customers cannot have it (OWASP OAT-021).',
    when: 'process: handles goods or services',
    categories: cat(['Denial of Service'], 'Unawareness', 'Availability', ['Cybersecurity']),
    likelihood: 'Medium',
    impact: 'Medium',
    mitigations: [
      'Expire reservations quickly, limit reservations per buyer and detect automation',
    ],
    references: [oat(21)],
    threatDragonRuleId: '7403fdb4-9d89-4fb7-be5c-c37ce142af5e',
    applies: flagged('handles_goods_or_services'),
  },
  // Stores.
  {
    id: 'oat.store.scraping',
    element: 'store',
    title: 'Scraping',
    description:
      'The data this store serves is harvested in bulk through the application, page by page (OWASP OAT-011).',
    when: 'every data store',
    categories: cat(['Information Disclosure'], 'Linkability', 'Confidentiality', [
      'Privacy & Data Protection',
    ]),
    likelihood: 'High',
    impact: 'Medium',
    mitigations: [
      'Serve data only to authenticated, authorised users, with per-user limits',
      'Detect fake or compromised accounts harvesting data',
    ],
    references: [oat(11), cwe(799)],
    threatDragonRuleId: '80f32309-4f8a-4676-993b-7a37cbf62df1',
    applies: always,
  },
  {
    id: 'oat.store.skewing',
    element: 'store',
    title: 'Skewing',
    description:
      'Repeated automated clicks, votes or submissions distort the counts and metrics kept here (OWASP OAT-016).',
    when: 'every data store',
    categories: cat(['Tampering'], 'Unawareness', 'Integrity', ['Data & Data Governance']),
    likelihood: 'Medium',
    impact: 'Low',
    mitigations: [
      'Count one action per user, limit interaction frequency and discard automated traffic',
    ],
    references: [oat(16), cwe(799)],
    threatDragonRuleId: '40aee5ad-37ff-4c70-91d4-9ab6d91d1463',
    applies: always,
  },
  {
    id: 'oat.store.spamming',
    element: 'store',
    title: 'Spamming',
    description:
      'Malicious or unwanted content (malware, links, adverts, tracking code) is submitted and kept here, then served to others (OWASP OAT-017).',
    when: 'every data store',
    categories: cat(['Tampering'], 'Unawareness', 'Integrity', ['Cybersecurity']),
    likelihood: 'Medium',
    impact: 'Medium',
    mitigations: [
      'Scan and sanitise stored content; limit submissions per user; one action per user',
    ],
    references: [oat(17), cwe(79)],
    threatDragonRuleId: 'fe90a897-3ff2-47a5-94db-2a4d6f17bb57',
    applies: always,
  },
  {
    id: 'oat.store.credential-cracking',
    element: 'store',
    title: 'Credential cracking',
    description:
      'Passwords for the accounts kept here are found by brute force, dictionary or guessing attacks on the sign-in (OWASP OAT-007).',
    when: 'data store: stores credentials',
    categories: cat(['Spoofing'], 'Disclosure of Information', 'Confidentiality', [
      'Cybersecurity',
    ]),
    likelihood: 'High',
    impact: 'High',
    mitigations: [
      'Throttle and lock out repeated failures; require strong passwords and offer MFA',
    ],
    references: [oat(7), cwe(307), capec(49)],
    threatDragonRuleId: 'dc09cecf-cb06-455d-9e77-b9372bf6c8eb',
    applies: flagged('stores_credentials'),
  },
  {
    id: 'oat.store.account-creation',
    element: 'store',
    title: 'Mass account creation',
    description:
      'Accounts are created in bulk through sign-up, to be used later for spam, fraud or skewing (OWASP OAT-019).',
    when: 'data store: stores credentials',
    categories: cat(['Spoofing'], 'Unawareness', 'Integrity', ['Cybersecurity']),
    likelihood: 'Medium',
    impact: 'Medium',
    mitigations: [
      'Limit sign-ups per source, verify contact details and enforce the sign-up workflow',
    ],
    references: [oat(19), cwe(799)],
    threatDragonRuleId: 'd960d589-80da-41dc-a7c2-33136bdda7e0',
    applies: flagged('stores_credentials'),
  },
  {
    id: 'oat.store.account-aggregation',
    element: 'store',
    title: 'Account aggregation',
    description:
      'A third party collects users’ credentials and data from their accounts here into its own system (OWASP OAT-020).',
    when: 'data store: stores credentials',
    categories: cat(['Information Disclosure'], 'Identifiability', 'Confidentiality', [
      'Privacy & Data Protection',
    ]),
    likelihood: 'Low',
    impact: 'Medium',
    mitigations: [
      'Offer delegated access (OAuth) instead of shared passwords; limit request frequency',
    ],
    references: [oat(20)],
    threatDragonRuleId: '7b1c36b3-104a-4d82-97bb-a64c12284641',
    applies: flagged('stores_credentials'),
  },
  {
    id: 'oat.store.coupon-cracking',
    element: 'store',
    title: 'Coupon and token cracking',
    description:
      'Coupon numbers, voucher codes or discount tokens kept here are enumerated until valid ones are found (OWASP OAT-002).',
    when: 'data store: stores inventory',
    categories: cat(['Information Disclosure'], 'Non-compliance', 'Confidentiality', [
      'Cybersecurity',
    ]),
    likelihood: 'Medium',
    impact: 'Medium',
    mitigations: ['Use long random codes, limit redemption attempts and add anti-automation'],
    references: [oat(2), cwe(330), cwe(307)],
    threatDragonRuleId: '3853aaed-f262-4310-98df-484c5ef6609a',
    applies: flagged('stores_inventory'),
  },
  {
    id: 'oat.store.scalping',
    element: 'store',
    title: 'Scalping of inventory',
    description:
      'The limited stock recorded here is bought up by bots faster than people can, to resell it (OWASP OAT-005).',
    when: 'data store: stores inventory',
    categories: cat(['Denial of Service'], 'Unawareness', 'Availability', ['Cybersecurity']),
    likelihood: 'Medium',
    impact: 'Medium',
    mitigations: ['Limit purchases per buyer, enforce one action per user and add anti-automation'],
    references: [oat(5), cwe(799)],
    // Threat Dragon gives its process and store scalping rules one id; the element tells them apart.
    threatDragonRuleId: 'c50e8d53-5e0a-45e7-8c69-be92492ad7dc',
    applies: flagged('stores_inventory'),
  },
  {
    id: 'oat.store.weak-encryption',
    element: 'store',
    title: 'Outdated encryption algorithm',
    description:
      'The store is encrypted, but with an algorithm, mode or key length that is no longer strong enough.',
    when: 'data store: encrypted',
    categories: cat(['Information Disclosure'], 'Disclosure of Information', 'Confidentiality', [
      'Cybersecurity',
    ]),
    likelihood: 'Low',
    impact: 'High',
    mitigations: [
      'Use current algorithms and key lengths (AES-256-GCM), managed keys and a rotation plan',
    ],
    references: [cwe(327), cwe(326)],
    threatDragonRuleId: '4fb623f6-2896-4209-8689-ff1b8a932105',
    applies: flagged('encrypted'),
  },
  {
    id: 'oat.store.weak-signatures',
    element: 'store',
    title: 'Outdated signatures or checksums',
    description:
      'The store’s contents are signed or checksummed, but with a hash or signature scheme that can be forged today.',
    when: 'data store: signed',
    categories: cat(['Tampering'], 'Disclosure of Information', 'Integrity', ['Cybersecurity']),
    likelihood: 'Low',
    impact: 'High',
    mitigations: [
      'Use current signature and hash algorithms (Ed25519, SHA-256 or better) and verify on read',
    ],
    references: [cwe(328), cwe(347)],
    threatDragonRuleId: '034095d9-9012-4cb5-a7a8-1e19ab72bba3',
    applies: flagged('is_signed'),
  },
  {
    id: 'oat.store.sensitive-data-in-log',
    element: 'store',
    title: 'Sensitive data in the log',
    description:
      'The log records passwords, tokens or personal data, and logs are read by more people (and tools) than the data was meant for.',
    when: 'data store: is a log',
    categories: cat(['Information Disclosure'], 'Disclosure of Information', 'Confidentiality', [
      'Privacy & Data Protection',
    ]),
    likelihood: 'Medium',
    impact: 'Medium',
    mitigations: [
      'Keep secrets and personal data out of log lines (mask or omit); restrict and encrypt log access',
    ],
    references: [cwe(532)],
    threatDragonRuleId: '7942656e-51dd-4b15-a38d-deab704878e1',
    applies: flagged('is_a_log'),
  },
];

export const CONTEXT_RULES: readonly ThreatRule[] = SPECS.map((spec) => ({
  ...spec,
  layer: 'context' as const,
}));
