import {
  DFD_FLAGS,
  OUT_OF_SCOPE,
  OUT_OF_SCOPE_REASON_KEY,
  PRIVILEGE_LEVEL_KEY,
  PROTOCOL_KEY,
} from '../dfd-properties';
import { isFrameworkName, type FrameworkName } from '../frameworks';
import {
  normalizeThreatType,
  PLOT4AI_V1_CATEGORIES,
  type ThreatElement,
} from '../threat-categories';
import { finite, LIMITS, name, putMetadata, text, isObject, arrayOf } from './clean';
import type {
  PortableModel,
  PortableThreat,
  ReportBuilder,
  SeverityLevel,
  ThreatState,
} from './portable';

/** Threat Dragon statuses → ours; `exact` false means Threatroom has no word for it. */
const STATUS_IN: Record<string, { status: ThreatState; exact: boolean }> = {
  open: { status: 'open', exact: true },
  mitigated: { status: 'mitigated', exact: true },
  accepted: { status: 'accepted', exact: true },
  notapplicable: { status: 'closed', exact: false },
  na: { status: 'closed', exact: false },
  transferred: { status: 'accepted', exact: false },
  avoided: { status: 'closed', exact: false },
  eliminated: { status: 'mitigated', exact: false },
};

/** Ours → Threat Dragon's (v2 offers Open, Mitigated, NotApplicable; its schema lists more). */
export const STATUS_OUT: Record<ThreatState, string> = {
  open: 'Open',
  in_progress: 'Open',
  mitigated: 'Mitigated',
  accepted: 'Accepted',
  closed: 'NotApplicable',
};

const SEVERITY_IN: Record<string, SeverityLevel> = {
  tbd: 'Unknown',
  '': 'Unknown',
  none: 'None',
  low: 'Low',
  medium: 'Medium',
  high: 'High',
  critical: 'Critical',
};

export const TD_ELEMENT_TYPE: Record<ThreatElement, string> = {
  actor: 'tm.Actor',
  process: 'tm.Process',
  store: 'tm.Store',
  flow: 'tm.Flow',
};

/** The model's framework from a diagram type ("CIA-DIE" is Threat Dragon's name for DIE). */
export function frameworkOf(type: unknown): FrameworkName | null {
  if (typeof type !== 'string') return null;
  const t = type.trim();
  if (isFrameworkName(t)) return t;
  if (/^cia-?die$/i.test(t)) return 'DIE';
  const found = ['STRIDE', 'CIA', 'LINDDUN', 'DIE', 'PLOT4ai'].find(
    (f) => f.toLowerCase() === t.toLowerCase(),
  );
  return (found as FrameworkName | undefined) ?? null;
}

/**
 * An element's Threat Dragon properties in our keys (dfd-properties.ts names both): the
 * flags of its type, scope and reason, protocol, privilege level, description.
 */
export function propertiesOf(
  element: ThreatElement,
  source: Record<string, unknown>,
  path: string,
  report: ReportBuilder,
): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const flag of DFD_FLAGS[element]) {
    const v = source[flag.threatDragonKey];
    if (typeof v === 'boolean') data[flag.key] = v;
  }
  if (typeof source[OUT_OF_SCOPE.threatDragonKey] === 'boolean')
    data[OUT_OF_SCOPE.key] = source[OUT_OF_SCOPE.threatDragonKey];
  const reason = text(
    source.reasonOutOfScope,
    LIMITS.description,
    `${path}.reasonOutOfScope`,
    report,
  );
  if (reason) data[OUT_OF_SCOPE_REASON_KEY] = reason;
  if (element === 'flow') {
    const protocol = text(source.protocol, LIMITS.name, `${path}.protocol`, report);
    if (protocol) data[PROTOCOL_KEY] = protocol;
  }
  if (element === 'process') {
    const level = text(source.privilegeLevel, LIMITS.name, `${path}.privilegeLevel`, report);
    if (level) data[PRIVILEGE_LEVEL_KEY] = level;
  }
  const description = text(source.description, LIMITS.description, `${path}.description`, report);
  if (description) data.description = description;
  return data;
}

/** Our properties back in Threat Dragon's names (every flag of the type, false when unset). */
export function tdPropertiesOf(element: ThreatElement, data: Record<string, unknown> = {}) {
  const out: Record<string, unknown> = {
    description: typeof data.description === 'string' ? data.description : '',
    outOfScope: data[OUT_OF_SCOPE.key] === true,
    reasonOutOfScope:
      typeof data[OUT_OF_SCOPE_REASON_KEY] === 'string' ? data[OUT_OF_SCOPE_REASON_KEY] : '',
  };
  // Flags the cell never set stay unset (Threat Dragon reads a missing flag as false).
  for (const flag of DFD_FLAGS[element])
    if (typeof data[flag.key] === 'boolean') out[flag.threatDragonKey] = data[flag.key];
  if (element === 'flow')
    out.protocol = typeof data[PROTOCOL_KEY] === 'string' ? data[PROTOCOL_KEY] : '';
  if (element === 'process')
    out.privilegeLevel =
      typeof data[PRIVILEGE_LEVEL_KEY] === 'string' ? data[PRIVILEGE_LEVEL_KEY] : '';
  return out;
}

/**
 * One Threat Dragon threat (v1 or v2) as ours. Statuses without a Threatroom word map to the
 * nearest one and keep the original in metadata; PLOT4ai v1 categories become v2's; `TBD`
 * severity is Unknown.
 */
export function threatOf(
  raw: unknown,
  at: { framework: FrameworkName; diagramId: string; cellId: string | null; path: string },
  report: ReportBuilder,
): PortableThreat | null {
  const { path, framework } = at;
  if (!isObject(raw)) {
    report.skip(path, 'threat', 'not an object');
    return null;
  }
  const metadata: Record<string, string> = {};
  const statusText = typeof raw.status === 'string' ? raw.status.trim() : '';
  const mapped = STATUS_IN[statusText.toLowerCase()] ?? {
    status: 'open' as const,
    exact: !statusText,
  };
  if (!mapped.exact) {
    putMetadata(metadata, 'threat_dragon.status', statusText, path, report);
    report.changed(
      `${path}.status`,
      `status "${statusText}"`,
      `mapped to "${mapped.status}"; the original is kept in metadata (threat_dragon.status)`,
    );
  }
  const severityText = typeof raw.severity === 'string' ? raw.severity.trim() : '';
  let severity = SEVERITY_IN[severityText.toLowerCase()];
  if (!severity) {
    severity = 'Unknown';
    putMetadata(metadata, 'threat_dragon.severity', severityText, path, report);
    report.changed(
      `${path}.severity`,
      `severity "${severityText}"`,
      'mapped to "Unknown"; the original is kept in metadata (threat_dragon.severity)',
    );
  }
  const typeText = text(raw.type, LIMITS.name, `${path}.type`, report)?.trim() ?? '';
  const threatType = typeText ? [normalizeThreatType(framework, typeText)] : [];
  if (
    framework === 'PLOT4ai' &&
    PLOT4AI_V1_CATEGORIES.some((c) => c.toLowerCase() === typeText.toLowerCase())
  ) {
    report.changed(
      `${path}.type`,
      `PLOT4ai v1 category "${typeText}"`,
      `mapped to "${threatType[0]}" (v2)`,
    );
  }
  let score: number | null = null;
  if (raw.score !== undefined && raw.score !== '') {
    const n = finite(raw.score);
    if (n !== null && n >= 0 && n <= 100) score = Math.round(n * 100) / 100;
    else {
      putMetadata(metadata, 'threat_dragon.score', raw.score, path, report);
      report.changed(
        `${path}.score`,
        `score "${String(raw.score)}"`,
        'not 0–100: kept in metadata (threat_dragon.score)',
      );
    }
  }
  if (raw.id !== undefined) putMetadata(metadata, 'threat_dragon.id', raw.id, path, report);
  if (raw.threatId !== undefined)
    putMetadata(metadata, 'threat_dragon.threat_id', raw.threatId, path, report);
  const number = finite(raw.number);
  if (number !== null && Number.isInteger(number) && number >= 0)
    putMetadata(metadata, 'threat_dragon.number', number, path, report);
  const mitigation = text(raw.mitigation, LIMITS.description, `${path}.mitigation`, report);
  report.count('threats');
  return {
    id: crypto.randomUUID(),
    diagram_id: at.diagramId,
    cell_id: at.cellId,
    name: name(raw.title, 'Untitled threat', `${path}.title`, report),
    description: text(raw.description, LIMITS.description, `${path}.description`, report),
    threat_type: threatType,
    severity,
    likelihood: null,
    impact: null,
    score,
    priority: null,
    status: mapped.status,
    mitigation: null,
    mitigated: mapped.status === 'mitigated',
    issue_url: null,
    metadata,
    // One mitigation per threat from its text: implemented when the threat is Mitigated
    // (or Eliminated), else proposed (docs/api.md "Mappings"). A one-line text is the name.
    mitigations: mitigation
      ? [
          {
            id: crypto.randomUUID(),
            name: firstLine(mitigation),
            description: firstLine(mitigation) === mitigation.trim() ? null : mitigation,
            status: mapped.status === 'mitigated' ? 'implemented' : 'proposed',
            risk_reduction: null,
          },
        ]
      : [],
  };
}

/** A short name for a mitigation from its text. */
export const firstLine = (s: string): string =>
  (s.split('\n').find((l) => l.trim()) ?? s).trim().slice(0, LIMITS.name) || 'Mitigation';

/** Model-level summary and detail fields common to v1 and v2. */
export function summaryOf(file: Record<string, unknown>, report: ReportBuilder) {
  const summary = isObject(file.summary) ? file.summary : {};
  const detail = isObject(file.detail) ? file.detail : {};
  const metadata: Record<string, string> = {};
  putMetadata(metadata, 'threat_dragon.owner', summary.owner, 'summary', report);
  putMetadata(metadata, 'threat_dragon.reviewer', detail.reviewer, 'detail', report);
  const contributors = arrayOf(detail.contributors)
    .map((c) => (isObject(c) && typeof c.name === 'string' ? c.name.trim() : ''))
    .filter(Boolean);
  if (contributors.length)
    putMetadata(
      metadata,
      'threat_dragon.contributors',
      JSON.stringify(contributors),
      'detail',
      report,
    );
  if (typeof file.version === 'string')
    putMetadata(metadata, 'threat_dragon.version', file.version, 'version', report);
  return {
    name: name(summary.title, 'Imported threat model', 'summary.title', report),
    description: text(summary.description, LIMITS.description, 'summary.description', report),
    metadata,
    diagrams: arrayOf(detail.diagrams),
  };
}

/**
 * The portable model both Threat Dragon versions fill: the summary's name, description and
 * metadata, and the framework the first diagram names (STRIDE when none does).
 */
export function portableFromSummary(summary: ReturnType<typeof summaryOf>): {
  portable: PortableModel;
  framework: FrameworkName;
} {
  const framework: FrameworkName =
    summary.diagrams
      .map((d) => (isObject(d) ? frameworkOf(d.diagramType) : null))
      .find((t) => t !== null) ?? 'STRIDE';
  return {
    framework,
    portable: {
      model: {
        name: summary.name,
        description: summary.description,
        framework,
        metadata: summary.metadata,
      },
      diagrams: [],
      threats: [],
      comments: [],
    },
  };
}
