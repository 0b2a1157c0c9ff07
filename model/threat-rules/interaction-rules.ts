import type { DirectedFlow } from '../boundaries';
import { hasFlag, isElevatedPrivilege, isOutOfScope, PRIVILEGE_LEVEL_KEY } from '../dfd-properties';
import type { FlowCell, NodeCell } from '../cells';
import { capec, cwe } from './references';
import type { DiagramFacts, ThreatRule } from './types';

/**
 * Layer 3: rules over source → flow → target that know which trust boundaries a flow crosses
 * (boundaries.ts, by geometry). A bidirectional flow is read in both directions. Rules about
 * a flow are recorded against the flow; rules about what reaches a process or store, against
 * that node (one suggestion however many flows reach it).
 */

/** The flow's readings whose target is entered from another trust zone. */
const crossingInto = (facts: DiagramFacts, d: DirectedFlow) =>
  facts.zones.enteredAt(d.flow, d.target.id).length > 0;

/** Does the source vouch for who it is? Only an actor that provides authentication does. */
const authenticates = (node: NodeCell) =>
  node.shape === 'actor' && hasFlag(node, 'provides_authentication');

/** Readings of this flow that enter an in-scope process from outside its boundary. */
const entriesIntoProcess = (cell: NodeCell | FlowCell, facts: DiagramFacts) =>
  facts
    .directions(cell.id)
    .filter(
      (d) => d.target.shape === 'process' && !isOutOfScope(d.target) && crossingInto(facts, d),
    );

const unauthenticatedEntries = (cell: NodeCell | FlowCell, facts: DiagramFacts) =>
  entriesIntoProcess(cell, facts).filter((d) => !authenticates(d.source));

/** Flows into a store from another trust zone. */
const writesAcross = (store: NodeCell | FlowCell, facts: DiagramFacts) =>
  facts.inbound(store.id).filter((d) => crossingInto(facts, d));

export const INTERACTION_RULES: readonly ThreatRule[] = [
  {
    id: 'interaction.flow.unencrypted-across-boundary',
    layer: 'interaction',
    element: 'flow',
    title: 'Unencrypted flow crosses a trust boundary',
    description:
      'Data leaves one trust zone for another in clear text: whoever controls the path between them can read it and change it in transit.',
    when: 'flow: not encrypted and crosses at least one trust boundary',
    categories: {
      STRIDE: ['Information Disclosure', 'Tampering'],
      LINDDUN: ['Disclosure of Information'],
      CIA: ['Confidentiality', 'Integrity'],
      DIE: ['Confidentiality', 'Integrity'],
      PLOT4ai: ['Cybersecurity'],
    },
    likelihood: 'Medium',
    impact: 'High',
    mitigations: [
      'Encrypt and authenticate the channel (TLS, mutual TLS between services)',
      'Sign messages whose integrity matters end to end',
    ],
    references: [cwe(319), capec(94)],
    applies: (cell, facts) =>
      !hasFlag(cell, 'encrypted') && facts.zones.crossedBy(cell as FlowCell).length > 0,
  },
  {
    id: 'interaction.flow.unauthenticated-entry',
    layer: 'interaction',
    element: 'flow',
    title: 'Unauthenticated input enters a process from another trust zone',
    description:
      'The process accepts this flow from outside its trust boundary, and its source is not an actor that authenticates: anything able to reach the process can claim to be that source.',
    when: 'flow: into a process from outside its boundary, source is not an actor that provides authentication',
    categories: {
      STRIDE: ['Spoofing'],
      LINDDUN: ['Identifiability'],
      CIA: ['Integrity'],
      DIE: ['Integrity'],
      PLOT4ai: ['Cybersecurity'],
    },
    likelihood: 'Medium',
    impact: 'High',
    mitigations: [
      'Authenticate the source at the boundary (mutual TLS, signed tokens, API keys bound to the caller)',
    ],
    references: [cwe(306), capec(151)],
    applies: (cell, facts) => unauthenticatedEntries(cell, facts).length > 0,
  },
  {
    id: 'interaction.flow.unauthenticated-privileged-entry',
    layer: 'interaction',
    element: 'flow',
    title: 'Unauthenticated input reaches a privileged process',
    description:
      'A process running with elevated privilege accepts this flow from another trust zone without an authenticating source: a caller who gets it to act does so with the process’s rights, not their own.',
    when: 'flow: as above, and the target process has an elevated privilege level (service, administrator, root)',
    categories: {
      STRIDE: ['Elevation of Privilege'],
      LINDDUN: ['Disclosure of Information'],
      CIA: ['Integrity', 'Confidentiality'],
      DIE: ['Integrity'],
      PLOT4ai: ['Cybersecurity'],
    },
    likelihood: 'Medium',
    impact: 'Critical',
    mitigations: [
      'Authenticate and authorise each request against the caller’s own rights',
      'Drop the process’s privilege, or put a low-privilege broker in front of it',
    ],
    references: [cwe(250), cwe(269), capec(233)],
    applies: (cell, facts) =>
      unauthenticatedEntries(cell, facts).some((d) =>
        isElevatedPrivilege(d.target.data?.[PRIVILEGE_LEVEL_KEY]),
      ),
  },
  {
    id: 'interaction.flow.code-execution-across-boundary',
    layer: 'interaction',
    element: 'flow',
    title: 'Crafted input from another trust zone runs code or commands',
    description:
      'Input crossing a trust boundary into this process can be shaped to be interpreted as code, a query or a command (injection, deserialisation), giving its sender the process’s rights.',
    when: 'flow: into a process from outside its boundary',
    categories: {
      STRIDE: ['Elevation of Privilege', 'Tampering'],
      LINDDUN: ['Disclosure of Information'],
      CIA: ['Integrity'],
      DIE: ['Integrity'],
      PLOT4ai: ['Cybersecurity'],
    },
    likelihood: 'Medium',
    impact: 'High',
    mitigations: [
      'Validate input at the boundary against a strict schema',
      'Use parameterised queries and safe deserialisers; never pass input to a shell or eval',
    ],
    references: [cwe(20), cwe(94), cwe(502), capec(248)],
    applies: (cell, facts) => entriesIntoProcess(cell, facts).length > 0,
  },
  {
    id: 'interaction.process.exposed-to-flooding',
    layer: 'interaction',
    element: 'process',
    title: 'Process reachable from a public network or another trust zone can be flooded',
    description:
      'Requests reach this process over a public network or from across a trust boundary, where its owners do not control how many arrive or how large they are.',
    when: 'process: receives a flow that crosses a public network or a trust boundary',
    categories: {
      STRIDE: ['Denial of Service'],
      LINDDUN: ['Unawareness'],
      CIA: ['Availability'],
      DIE: ['Availability', 'Distributed'],
      PLOT4ai: ['Cybersecurity'],
    },
    likelihood: 'Medium',
    impact: 'High',
    mitigations: [
      'Rate-limit and set quotas per caller at the edge',
      'Bound request sizes and timeouts; scale out behind a load balancer',
    ],
    references: [cwe(770), cwe(400), capec(125)],
    applies: (cell, facts) =>
      facts
        .inbound(cell.id)
        .some((d) => hasFlag(d.flow, 'public_network') || crossingInto(facts, d)),
  },
  {
    id: 'interaction.store.written-across-boundary',
    layer: 'interaction',
    element: 'store',
    title: 'Store written from another trust zone',
    description:
      'Something outside this store’s trust boundary writes to it: whatever can impersonate or take over that writer can change the stored data.',
    when: 'data store: receives a flow that crosses a trust boundary',
    categories: {
      STRIDE: ['Tampering'],
      LINDDUN: ['Non-compliance'],
      CIA: ['Integrity'],
      DIE: ['Integrity'],
      PLOT4ai: ['Data & Data Governance', 'Cybersecurity'],
    },
    likelihood: 'Medium',
    impact: 'High',
    mitigations: [
      'Authenticate and authorise every write at the store (per-writer credentials, least privilege)',
      'Validate what is written; keep backups to restore from',
    ],
    references: [cwe(862), cwe(345)],
    applies: (cell, facts) => writesAcross(cell, facts).length > 0,
  },
  {
    id: 'interaction.store.unattributed-writes',
    layer: 'interaction',
    element: 'store',
    title: 'Writes from another trust zone leave no record',
    description:
      'This store, not itself a log, is written from across a trust boundary; unless each write is recorded with its writer, nobody can later show who changed what.',
    when: 'data store: is not a log and receives a flow that crosses a trust boundary',
    categories: {
      STRIDE: ['Repudiation'],
      LINDDUN: ['Non-compliance'],
      CIA: ['Integrity'],
      DIE: ['Integrity'],
      PLOT4ai: ['Accountability & Human Oversight'],
    },
    likelihood: 'Medium',
    impact: 'Medium',
    mitigations: ['Record each write with who, what and when in an append-only audit log'],
    references: [cwe(778)],
    applies: (cell, facts) => !hasFlag(cell, 'is_a_log') && writesAcross(cell, facts).length > 0,
  },
  {
    id: 'interaction.store.credentials-at-rest',
    layer: 'interaction',
    element: 'store',
    title: 'Stored credentials readable if the store leaks',
    description:
      'Credentials are written into this store; if its contents leak (backup, injection, insider), stored passwords or secrets must not be usable.',
    when: 'data store: stores credentials and receives a flow',
    categories: {
      STRIDE: ['Information Disclosure'],
      LINDDUN: ['Disclosure of Information'],
      CIA: ['Confidentiality'],
      DIE: ['Confidentiality'],
      PLOT4ai: ['Cybersecurity', 'Privacy & Data Protection'],
    },
    likelihood: 'Medium',
    impact: 'Critical',
    mitigations: [
      'Store passwords only as salted, slow hashes (Argon2id, scrypt, bcrypt)',
      'Keep other secrets encrypted with keys held outside the store',
    ],
    references: [cwe(256), cwe(916), capec(55)],
    applies: (cell, facts) =>
      hasFlag(cell, 'stores_credentials') && facts.inbound(cell.id).length > 0,
  },
  {
    id: 'interaction.flow.actor-writes-store',
    layer: 'interaction',
    element: 'flow',
    title: 'Actor writes straight to a store (diagram smell)',
    description:
      'In a data-flow diagram an external actor reaches a store through a process. Either a process is missing from the diagram (add it, with the validation and authorisation it does), or the actor really writes unmediated and nothing checks what or who writes.',
    when: 'flow: from an actor into a data store',
    categories: {
      STRIDE: ['Tampering'],
      LINDDUN: ['Non-compliance'],
      CIA: ['Integrity'],
      DIE: ['Integrity'],
      PLOT4ai: ['Data & Data Governance'],
    },
    likelihood: 'Medium',
    impact: 'Medium',
    mitigations: [
      'Model the process that mediates the write',
      'If there is none, put one in: validate and authorise writes before they reach the store',
    ],
    references: [cwe(284)],
    diagramSmell: true,
    applies: (cell, facts) =>
      facts
        .directions(cell.id)
        .some((d) => d.source.shape === 'actor' && d.target.shape === 'store'),
  },
];
