import { isFrameworkName } from '../frameworks';
import { MITIGATION_STATUSES, type MitigationStatus } from '../mitigations';
import {
  arrayOf,
  cleanJson,
  finite,
  IdMap,
  isObject,
  LIMITS,
  name,
  putMetadata,
  text,
} from './clean';
import {
  ReportBuilder,
  SEVERITY_LEVELS,
  THREAT_STATES,
  type PortableMitigation,
  type PortableModel,
  type SeverityLevel,
  type ThreatState,
} from './portable';
import { keepValid, type ImportResult } from './threat-dragon-v2';

export const THREATROOM_FORMAT = 'threatroom';
/** 2: mitigations are listed once, at the top, and threats name theirs (`mitigation_ids`). */
export const THREATROOM_FORMAT_VERSION = 2;

/** What a Threatroom export carries beyond the portable model (read back for reference only). */
export interface ThreatroomExtras {
  exported_at: string;
  status: string;
  reviews: unknown[];
  versions: Record<string, unknown[]>;
}

/** Everything, as one JSON document: the portable model plus reviews and the version list. */
export function exportThreatroom(portable: PortableModel, extras: ThreatroomExtras) {
  return {
    format: THREATROOM_FORMAT,
    format_version: THREATROOM_FORMAT_VERSION,
    exported_at: extras.exported_at,
    threat_model: { ...portable.model, status: extras.status },
    diagrams: portable.diagrams.map((d) => ({ ...d, versions: extras.versions[d.id] ?? [] })),
    mitigations: allMitigations(portable).map(({ source_id: _s, ...m }) => m),
    threats: portable.threats.map(({ mitigations, ...t }) => ({
      ...t,
      cell_ids: t.cell_ids ?? (t.cell_id ? [t.cell_id] : []),
      rule_id: t.rule_id ?? null,
      mitigation_ids: mitigations.map((m) => m.id),
    })),
    comments: portable.comments,
    reviews: extras.reviews,
  };
}

/** Every mitigation of a portable model once: the linked ones in threat order, then the rest. */
export function allMitigations(portable: PortableModel): PortableMitigation[] {
  const seen = new Map<string, PortableMitigation>();
  for (const m of [
    ...portable.threats.flatMap((t) => t.mitigations),
    ...(portable.unlinked_mitigations ?? []),
  ])
    if (!seen.has(m.id)) seen.set(m.id, m);
  return [...seen.values()];
}

/** An issue link as REST accepts it (http or https), else null and a report line. */
function httpUrl(value: unknown, path: string, report: ReportBuilder): string | null {
  const raw = text(value, 2048, path, report);
  if (!raw) return null;
  try {
    const url = new URL(raw);
    if (url.protocol === 'http:' || url.protocol === 'https:') return raw;
  } catch {
    // not a URL at all: reported below
  }
  report.changed(path, 'issue link that is not an http(s) URL', 'left out');
  return null;
}

const oneOf = <T extends string>(list: readonly T[], v: unknown, fallback: T): T =>
  (list as readonly unknown[]).includes(v) ? (v as T) : fallback;

const metadataOf = (v: unknown, path: string, report: ReportBuilder) => {
  const out: Record<string, string> = {};
  if (isObject(v)) for (const [k, val] of Object.entries(v)) putMetadata(out, k, val, path, report);
  return out;
};

/**
 * Reads a Threatroom export back: the same model, diagrams, cells, threats, mitigations and
 * comments (under new ids). Reviews and versions are history of the original model and are
 * not recreated; comments are written by the importing user (named in the report).
 */
export function importThreatroom(file: Record<string, unknown>): ImportResult {
  const report = new ReportBuilder('threatroom');
  const tm = isObject(file.threat_model) ? file.threat_model : {};
  const portable: PortableModel = {
    model: {
      name: name(tm.name, 'Imported threat model', 'threat_model.name', report),
      description: text(tm.description, LIMITS.description, 'threat_model.description', report),
      framework: isFrameworkName(tm.framework) ? tm.framework : 'STRIDE',
      issue_url: httpUrl(tm.issue_url, 'threat_model.issue_url', report),
      metadata: metadataOf(tm.metadata, 'threat_model.metadata', report),
    },
    diagrams: [],
    threats: [],
    comments: [],
  };
  const diagramIds = new IdMap();
  const cellIds = new IdMap();
  arrayOf(file.diagrams).forEach((d, i) => {
    const at = `diagrams[${i}]`;
    if (!isObject(d)) return report.skip(at, 'diagram', 'not an object');
    const cells = arrayOf(d.cells).map((c) => {
      const cell = cleanJson(c) as Record<string, unknown>;
      if (!isObject(cell)) return cell;
      if (typeof cell.label === 'string')
        cell.label = text(cell.label, LIMITS.label, `${at}.label`, report) ?? undefined;
      return cell;
    });
    const checked = keepValid(cells as never, at, report);
    for (const c of checked) report.count(c.shape);
    portable.diagrams.push({
      id: diagramIds.of(d.id),
      name: name(d.name, 'Diagram', `${at}.name`, report),
      description: text(d.description, LIMITS.description, `${at}.description`, report),
      cells: checked,
      metadata: metadataOf(d.metadata, `${at}.metadata`, report),
    });
    for (const c of checked) cellIds.of(c.id);
    report.count('diagrams');
    if (arrayOf(d.versions).length)
      report.changed(
        `${at}.versions`,
        'version history',
        'not recreated: the imported diagram starts a new history',
      );
  });
  const mitigationOf = (m: Record<string, unknown>, at: string, id: string): PortableMitigation => {
    const reduction = finite(m.risk_reduction);
    return {
      id,
      name: name(m.name, 'Mitigation', `${at}.name`, report),
      description: text(m.description, LIMITS.description, `${at}.description`, report),
      status: oneOf<MitigationStatus>(MITIGATION_STATUSES, m.status, 'proposed'),
      risk_reduction:
        reduction !== null && Number.isInteger(reduction) && reduction >= 0 && reduction <= 100
          ? reduction
          : null,
      issue_url: httpUrl(m.issue_url, `${at}.issue_url`, report),
    };
  };
  // Format 2: every mitigation once, at the top; threats name theirs by id.
  const mitigationIds = new IdMap();
  const listed = new Map<string, PortableMitigation>();
  arrayOf(file.mitigations).forEach((m, k) => {
    const at = `mitigations[${k}]`;
    if (!isObject(m)) return report.skip(at, 'mitigation', 'not an object');
    if (mitigationIds.has(m.id)) return report.skip(at, 'mitigation', 'a second one with this id');
    const id = mitigationIds.of(m.id);
    listed.set(id, mitigationOf(m, at, id));
  });
  const used = new Set<string>();
  const threatIds = new IdMap();
  arrayOf(file.threats).forEach((t, i) => {
    const at = `threats[${i}]`;
    if (!isObject(t)) return report.skip(at, 'threat', 'not an object');
    const diagram = diagramIds.get(t.diagram_id);
    const cell = diagram && cellIds.get(t.cell_id) ? cellIds.get(t.cell_id)! : null;
    const named = diagram
      ? arrayOf(t.cell_ids)
          .map((c) => cellIds.get(c))
          .filter((c): c is string => !!c)
      : [];
    const cells = [...new Set(cell ? [cell, ...named] : named)].slice(0, 100);
    const score = finite(t.score);
    const mitigations: PortableMitigation[] = [];
    if (Array.isArray(t.mitigation_ids))
      arrayOf(t.mitigation_ids).forEach((ref, k) => {
        const m = listed.get(mitigationIds.get(ref) ?? '');
        if (!m)
          return report.skip(
            `${at}.mitigation_ids[${k}]`,
            'mitigation link',
            'no such mitigation in the file',
          );
        if (mitigations.includes(m)) return;
        used.add(m.id);
        mitigations.push(m);
      });
    // Format 1: each threat carried its own mitigations.
    else
      arrayOf(t.mitigations).forEach((m, k) => {
        if (isObject(m))
          mitigations.push(mitigationOf(m, `${at}.mitigations[${k}]`, crypto.randomUUID()));
      });
    portable.threats.push({
      id: threatIds.of(t.id),
      diagram_id: diagram ?? null,
      cell_id: cells[0] ?? null,
      cell_ids: cells,
      rule_id: typeof t.rule_id === 'string' && t.rule_id ? t.rule_id.slice(0, LIMITS.name) : null,
      name: name(t.name, 'Untitled threat', `${at}.name`, report),
      description: text(t.description, LIMITS.description, `${at}.description`, report),
      threat_type: arrayOf(t.threat_type)
        .map((x) => text(x, LIMITS.name, `${at}.threat_type`, report)?.trim())
        .filter((x): x is string => !!x)
        .slice(0, 50),
      severity: oneOf<SeverityLevel>(SEVERITY_LEVELS, t.severity, 'Unknown'),
      likelihood:
        t.likelihood == null
          ? null
          : oneOf<SeverityLevel>(SEVERITY_LEVELS, t.likelihood, 'Unknown'),
      impact: t.impact == null ? null : oneOf<SeverityLevel>(SEVERITY_LEVELS, t.impact, 'Unknown'),
      score: score !== null && score >= 0 && score <= 100 ? score : null,
      priority:
        oneOf(['P0', 'P1', 'P2', 'P3', 'P4'], t.priority, 'P0') === t.priority
          ? (t.priority as string)
          : null,
      status: oneOf<ThreatState>(THREAT_STATES, t.status, 'open'),
      mitigation: text(t.mitigation, LIMITS.description, `${at}.mitigation`, report),
      mitigated: t.mitigated === true,
      issue_url: httpUrl(t.issue_url, `${at}.issue_url`, report),
      metadata: metadataOf(t.metadata, `${at}.metadata`, report),
      mitigations,
    });
    report.count('threats');
  });
  const unlinked = [...listed.values()].filter((m) => !used.has(m.id));
  if (unlinked.length) portable.unlinked_mitigations = unlinked;
  const commentIds = new IdMap();
  const comments = arrayOf(file.comments).filter(isObject);
  for (const c of comments) commentIds.of(c.id);
  comments.forEach((c, i) => {
    const at = `comments[${i}]`;
    const body = text(c.body, LIMITS.comment, `${at}.body`, report);
    if (!body) return report.skip(at, 'comment', 'empty body');
    const diagram = diagramIds.get(c.diagram_id) ?? null;
    portable.comments.push({
      id: commentIds.of(c.id),
      diagram_id: diagram,
      cell_id: diagram ? (cellIds.get(c.cell_id) ?? null) : null,
      threat_id: threatIds.get(c.threat_id) ?? null,
      parent_id: c.parent_id ? (commentIds.get(c.parent_id) ?? null) : null,
      author: text(c.author, LIMITS.name, `${at}.author`, report),
      body,
      resolved: c.resolved === true,
      created_at: typeof c.created_at === 'string' ? c.created_at : null,
    });
    report.count('comments');
  });
  if (portable.comments.length)
    report.changed(
      'comments',
      'comment authors',
      'written by the importing user (the original authors are not accounts here)',
    );
  if (arrayOf(file.reviews).length)
    report.changed(
      'reviews',
      'review history',
      'not recreated: the imported model starts as a draft',
    );
  return { portable, report: report.build() };
}
