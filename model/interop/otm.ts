import { containingBoundary } from '../boundaries';
import { isFlow, isNode, type Cell, type NodeCell } from '../cells';
import { OUT_OF_SCOPE, OUT_OF_SCOPE_REASON_KEY } from '../dfd-properties';
import { FRAMEWORK_THREAT_TYPES } from '../frameworks';
import type { MitigationStatus } from '../mitigations';
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
  type PortableMitigation,
  type PortableModel,
  type PortableThreat,
  type SeverityLevel,
} from './portable';
import { keepValid, type ImportResult } from './threat-dragon-v2';

export const OTM_VERSION = '0.2.0';

/** A component's OTM type → our node shape, by the words in it. */
export function shapeOfComponentType(type: string): 'actor' | 'process' | 'store' {
  const t = type.toLowerCase();
  if (/(db|database|sql|storage|store|bucket|blob|file|queue|cache|vault|table|s3)/.test(t))
    return 'store';
  if (/(actor|user|client|device|browser|human|mobile|person|external)/.test(t)) return 'actor';
  return 'process';
}

/** 0–100 → our scale (OTM risk numbers are percentages). */
export function levelOf(n: number | null): SeverityLevel | null {
  if (n === null) return null;
  if (n <= 0) return 'None';
  if (n < 25) return 'Low';
  if (n < 50) return 'Medium';
  if (n < 75) return 'High';
  return 'Critical';
}
export const NUMBER_OF_LEVEL: Record<SeverityLevel, number | null> = {
  Unknown: null,
  None: 0,
  Low: 20,
  Medium: 40,
  High: 60,
  Critical: 100,
};

const MITIGATION_STATE: Record<string, MitigationStatus> = {
  recommended: 'proposed',
  proposed: 'proposed',
  required: 'proposed',
  in_progress: 'in_progress',
  implemented: 'implemented',
  verified: 'verified',
  rejected: 'rejected',
};
export const OTM_MITIGATION_STATE: Record<MitigationStatus, string> = {
  proposed: 'RECOMMENDED',
  in_progress: 'IN_PROGRESS',
  implemented: 'IMPLEMENTED',
  verified: 'VERIFIED',
  rejected: 'REJECTED',
};

/** STRIDE names as OTM files spell them ("Elevation of Privileges") → the framework's. */
function categoryOf(raw: string): string {
  const fold = (s: string) => s.toLowerCase().replace(/s\b/g, '').replace(/\s+/g, ' ').trim();
  for (const list of Object.values(FRAMEWORK_THREAT_TYPES))
    for (const c of list) if (fold(c) === fold(raw)) return c;
  return raw.trim();
}

const LAYOUT = { gap: 60, node: { width: 140, height: 80 }, zonePad: 40 };

/**
 * Reads an Open Threat Model file: trust zones → boundaries, components → nodes by type,
 * dataflows → flows, threats with every mitigation, attributes kept on the cell. Positions
 * come from the representations (a component's relative to its parent zone); without them a
 * grid layout places zones side by side and their components in rows.
 */
export function importOtm(file: Record<string, unknown>): ImportResult {
  const report = new ReportBuilder('otm');
  const project = isObject(file.project) ? file.project : {};
  const metadata: Record<string, string> = {};
  putMetadata(metadata, 'otm.project_id', project.id, 'project', report);
  putMetadata(metadata, 'otm.owner', project.owner, 'project', report);
  putMetadata(metadata, 'otm.version', file.otmVersion, 'otmVersion', report);
  const portable: PortableModel = {
    model: {
      name: name(project.name, 'Imported threat model', 'project.name', report),
      description: text(project.description, LIMITS.description, 'project.description', report),
      framework: 'STRIDE',
      metadata,
    },
    diagrams: [],
    threats: [],
    comments: [],
  };
  const diagramId = crypto.randomUUID();
  const representation = arrayOf(file.representations).find(
    (r) => isObject(r) && r.type === 'diagram',
  ) as Record<string, unknown> | undefined;
  const repId = representation ? String(representation.id) : null;
  const ids = new IdMap();
  const cells: Cell[] = [];
  const zones = new Map<string, NodeCell>();
  const reprOf = (el: Record<string, unknown>) => {
    const r = arrayOf(el.representations).find(
      (x) => isObject(x) && (repId === null || x.representation === repId),
    );
    if (!isObject(r) || !isObject(r.position)) return null;
    const x = finite(r.position.x);
    const y = finite(r.position.y);
    const size = isObject(r.size) ? r.size : {};
    const w = finite(size.width);
    const h = finite(size.height);
    return x === null || y === null
      ? null
      : { x, y, width: w && w > 0 ? w : null, height: h && h > 0 ? h : null };
  };
  let laidOut = false;
  arrayOf(file.trustZones).forEach((z, i) => {
    const at = `trustZones[${i}]`;
    if (!isObject(z)) return report.skip(at, 'trust zone', 'not an object');
    if (isObject(z.attributes) && z.attributes.threatroom_synthetic === true) {
      ids.of(z.id);
      return;
    }
    const r = reprOf(z);
    if (!r || !r.width || !r.height) laidOut = true;
    const data: Record<string, unknown> = {};
    const trust = isObject(z.risk) ? finite(z.risk.trustRating) : null;
    if (trust !== null) data.otm_trust_rating = trust;
    if (isObject(z.properties) || isObject(z.attributes))
      data.otm_attributes = cleanJson(z.attributes ?? z.properties);
    const cell: NodeCell = {
      id: ids.of(z.id),
      shape: 'security-boundary',
      label: name(z.name, 'Trust zone', `${at}.name`, report),
      x: r?.x ?? 0,
      y: r?.y ?? 0,
      width: r?.width ?? 400,
      height: r?.height ?? 300,
      parent: null,
      z_index: -1,
      data,
    };
    zones.set(String(z.id), cell);
    cells.push(cell);
    report.count('security-boundary');
  });
  const typesSeen = new Set<string>();
  const threatRefs: { cellId: string; refs: unknown[]; path: string }[] = [];
  const components = arrayOf(file.components);
  components.forEach((c, i) => {
    const at = `components[${i}]`;
    if (!isObject(c)) return report.skip(at, 'component', 'not an object');
    const type = typeof c.type === 'string' ? c.type : '';
    const shape = shapeOfComponentType(type);
    if (type && !typesSeen.has(type)) {
      typesSeen.add(type);
      report.changed(
        `${at}.type`,
        `component type "${type}"`,
        `drawn as a ${shape}; the type is kept in the cell (otm_type)`,
      );
    }
    const parentZone = isObject(c.parent) ? zones.get(String(c.parent.trustZone)) : undefined;
    const r = reprOf(c);
    if (!r) laidOut = true;
    const props = isObject(c.attributes)
      ? c.attributes
      : isObject(c.properties)
        ? c.properties
        : {};
    const data: Record<string, unknown> = {
      otm_type: text(type, LIMITS.name, `${at}.type`, report) ?? '',
    };
    if (String(props['Out Of Scope'] ?? props.outOfScope ?? '').toLowerCase() === 'true')
      data[OUT_OF_SCOPE.key] = true;
    const reason = props['Reason For Out Of Scope'];
    if (typeof reason === 'string' && reason)
      data[OUT_OF_SCOPE_REASON_KEY] = text(reason, LIMITS.description, at, report);
    if (Object.keys(props).length) data.otm_attributes = cleanJson(props);
    const description = text(c.description, LIMITS.description, `${at}.description`, report);
    if (description) data.description = description;
    const id = ids.of(c.id);
    cells.push({
      id,
      shape,
      label: name(c.name, 'Component', `${at}.name`, report),
      x: (r?.x ?? 0) + (parentZone && r ? parentZone.x : 0),
      y: (r?.y ?? 0) + (parentZone && r ? parentZone.y : 0),
      width: r?.width ?? LAYOUT.node.width,
      height: r?.height ?? LAYOUT.node.height,
      parent: parentZone?.id ?? null,
      z_index: 1,
      data,
    });
    report.count(shape);
    threatRefs.push({ cellId: id, refs: arrayOf(c.threats), path: `${at}.threats` });
  });
  arrayOf(file.dataflows).forEach((f, i) => {
    const at = `dataflows[${i}]`;
    if (!isObject(f)) return report.skip(at, 'dataflow', 'not an object');
    const source = ids.get(f.source);
    const target = ids.get(f.destination);
    const isComponent = (id: string | undefined) =>
      !!id && cells.some((c) => c.id === id && c.shape !== 'security-boundary');
    if (!isComponent(source) || !isComponent(target)) {
      report.skip(
        at,
        `dataflow "${String(f.name ?? '')}"`,
        'its source or destination is not a component of the file',
      );
      return;
    }
    const id = ids.of(f.id);
    const data: Record<string, unknown> = { bidirectional: f.bidirectional === true };
    const attrs = isObject(f.attributes)
      ? f.attributes
      : isObject(f.properties)
        ? f.properties
        : null;
    if (attrs) data.otm_attributes = cleanJson(attrs);
    cells.push({
      id,
      shape: 'flow',
      label: text(f.name, LIMITS.label, `${at}.name`, report) ?? undefined,
      source: { cell: source! },
      target: { cell: target! },
      z_index: 2,
      data,
    });
    report.count('flow');
    threatRefs.push({ cellId: id, refs: arrayOf(f.threats), path: `${at}.threats` });
  });
  if (laidOut) {
    layOut(cells);
    report.changed('representations', 'positions missing', 'laid out on a grid');
  }

  const threatDefs = new Map<string, Record<string, unknown>>();
  for (const t of arrayOf(file.threats)) if (isObject(t)) threatDefs.set(String(t.id), t);
  const mitigationDefs = new Map<string, Record<string, unknown>>();
  for (const m of arrayOf(file.mitigations)) if (isObject(m)) mitigationDefs.set(String(m.id), m);
  const used = new Set<string>();
  for (const { cellId, refs, path } of threatRefs) {
    refs.forEach((ref, k) => {
      const at = `${path}[${k}]`;
      const def = isObject(ref) ? threatDefs.get(String(ref.threat)) : undefined;
      if (!isObject(ref) || !def)
        return report.skip(at, 'threat reference', 'no such threat in the file');
      used.add(String(ref.threat));
      portable.threats.push(
        threatOf(def, ref, { diagramId, cellId, path: at }, mitigationDefs, report),
      );
    });
  }
  for (const [id, def] of threatDefs) {
    if (used.has(id)) continue;
    portable.threats.push(
      threatOf(
        def,
        {},
        { diagramId: null, cellId: null, path: `threats.${id}` },
        mitigationDefs,
        report,
      ),
    );
  }
  portable.diagrams.push({
    id: diagramId,
    name: name(representation?.name, 'Diagram', 'representations', report),
    description: null,
    cells: keepValid(cells, 'diagram', report),
    metadata: {},
  });
  report.count('diagrams');
  return { portable, report: report.build() };
}

function threatOf(
  def: Record<string, unknown>,
  ref: Record<string, unknown>,
  at: { diagramId: string | null; cellId: string | null; path: string },
  mitigationDefs: Map<string, Record<string, unknown>>,
  report: ReportBuilder,
): PortableThreat {
  const metadata: Record<string, string> = {};
  const { path } = at;
  putMetadata(metadata, 'otm.threat_id', def.id, path, report);
  const risk = isObject(def.risk) ? def.risk : {};
  const likelihood = finite(risk.likelihood);
  const impact = finite(risk.impact);
  if (likelihood !== null) putMetadata(metadata, 'otm.likelihood', likelihood, path, report);
  if (impact !== null) putMetadata(metadata, 'otm.impact', impact, path, report);
  const state = typeof ref.state === 'string' ? ref.state : '';
  if (state) putMetadata(metadata, 'otm.state', state, path, report);
  const status = /^mitigated$/i.test(state)
    ? 'mitigated'
    : /not.?applicable/i.test(state)
      ? 'closed'
      : 'open';
  const mitigations: PortableMitigation[] = [];
  arrayOf(ref.mitigations).forEach((m, k) => {
    const mAt = `${path}.mitigations[${k}]`;
    const mdef = isObject(m) ? mitigationDefs.get(String(m.mitigation)) : undefined;
    if (!isObject(m) || !mdef)
      return report.skip(mAt, 'mitigation reference', 'no such mitigation in the file');
    const reduction = finite(mdef.riskReduction);
    const st = typeof m.state === 'string' ? m.state.toLowerCase() : '';
    mitigations.push({
      name: name(mdef.name, 'Mitigation', `${mAt}.name`, report),
      description: text(mdef.description, LIMITS.description, `${mAt}.description`, report),
      status: MITIGATION_STATE[st] ?? 'proposed',
      risk_reduction: reduction !== null && reduction >= 0 && reduction <= 100 ? reduction : null,
      // The same OTM mitigation referenced by several threats is one mitigation.
      id: `otm:${String(mdef.id)}`,
      source_id: String(mdef.id),
    });
    report.count('mitigations');
  });
  report.count('threats');
  const l = levelOf(likelihood);
  const i = levelOf(impact);
  return {
    id: crypto.randomUUID(),
    diagram_id: at.diagramId,
    cell_id: at.cellId,
    name: name(def.name, 'Untitled threat', `${path}.name`, report),
    description: text(def.description, LIMITS.description, `${path}.description`, report),
    threat_type: arrayOf(def.categories)
      .filter((c): c is string => typeof c === 'string' && c.trim() !== '')
      .map((c) => categoryOf(text(c, LIMITS.name, path, report) ?? c))
      .slice(0, 50),
    severity: i ?? 'Unknown',
    likelihood: l,
    impact: i,
    score: null,
    priority: null,
    status,
    mitigation: null,
    mitigated: status === 'mitigated',
    issue_url: null,
    metadata,
    mitigations,
  };
}

/** A tidy grid: zones side by side, each with its components in rows; loose ones below. */
function layOut(cells: Cell[]): void {
  const zones = cells.filter((c): c is NodeCell => c.shape === 'security-boundary');
  const nodes = cells.filter((c): c is NodeCell => isNode(c) && c.shape !== 'security-boundary');
  const { gap, node, zonePad } = LAYOUT;
  let x = 40;
  const place = (members: NodeCell[], left: number, top: number) => {
    const perRow = Math.max(1, Math.ceil(Math.sqrt(members.length)));
    members.forEach((n, k) => {
      n.width = node.width;
      n.height = node.height;
      n.x = left + zonePad + (k % perRow) * (node.width + gap);
      n.y = top + zonePad + Math.floor(k / perRow) * (node.height + gap);
    });
    const rows = Math.ceil(members.length / perRow) || 1;
    return {
      width: zonePad * 2 + perRow * node.width + (perRow - 1) * gap,
      height: zonePad * 2 + rows * node.height + (rows - 1) * gap,
    };
  };
  let bottom = 0;
  for (const z of zones) {
    const size = place(
      nodes.filter((n) => n.parent === z.id),
      x,
      40,
    );
    Object.assign(z, { x, y: 40, ...size });
    x += size.width + gap;
    bottom = Math.max(bottom, 40 + size.height);
  }
  place(
    nodes.filter((n) => !n.parent || !zones.some((z) => z.id === n.parent)),
    0,
    bottom + gap,
  );
}

/** Mitigations that Threatroom writes out (one per mitigation, however many threats it answers). */
interface OtmMitigationOut {
  id: string;
  name: string;
  description: string | null;
  riskReduction: number;
}

/**
 * A portable model as OTM 0.2.0: one representation per diagram; boundaries become trust
 * zones (a component outside every boundary goes into a zone marked synthetic, which the
 * importer drops again); nodes become components with positions relative to their zone.
 * Text boxes and boundary lines have no OTM counterpart and are left out.
 */
export function exportOtm(portable: PortableModel, projectId: string): Record<string, unknown> {
  const representations: Record<string, unknown>[] = [];
  const trustZones: Record<string, unknown>[] = [];
  const components: Record<string, unknown>[] = [];
  const dataflows: Record<string, unknown>[] = [];
  const threats: Record<string, unknown>[] = [];
  const mitigations: OtmMitigationOut[] = [];
  const written = new Set<string>();
  const threatsByCell = new Map<string, PortableThreat[]>();
  for (const t of portable.threats) {
    if (!t.cell_id) continue;
    const list = threatsByCell.get(t.cell_id) ?? [];
    list.push(t);
    threatsByCell.set(t.cell_id, list);
  }
  const threatRefs = (cellId: string) =>
    (threatsByCell.get(cellId) ?? []).map((t) => {
      const likelihood =
        finite(t.metadata['otm.likelihood']) ??
        (t.likelihood ? NUMBER_OF_LEVEL[t.likelihood] : null);
      const impact =
        finite(t.metadata['otm.impact']) ?? NUMBER_OF_LEVEL[t.impact ?? t.severity] ?? 50;
      threats.push({
        id: t.id,
        name: t.name,
        description: t.description,
        categories: t.threat_type,
        risk: { likelihood, impact },
      });
      return {
        threat: t.id,
        state:
          t.metadata['otm.state'] ??
          (t.status === 'mitigated'
            ? 'Mitigated'
            : t.status === 'closed'
              ? 'NotApplicable'
              : 'Open'),
        // One OTM mitigation per mitigation, referenced by every threat it answers.
        mitigations: t.mitigations.map((m) => {
          if (!written.has(m.id)) {
            written.add(m.id);
            mitigations.push({
              id: m.id,
              name: m.name,
              description: m.description,
              riskReduction: m.risk_reduction ?? 0,
            });
          }
          return { mitigation: m.id, state: OTM_MITIGATION_STATE[m.status] };
        }),
      };
    });
  for (const d of portable.diagrams) {
    const repId = `${d.id}-diagram`;
    const nodes = d.cells.filter(isNode);
    const maxX = Math.max(800, ...nodes.map((n) => n.x + n.width));
    const maxY = Math.max(600, ...nodes.map((n) => n.y + n.height));
    representations.push({
      name: d.name,
      id: repId,
      type: 'diagram',
      size: { width: Math.ceil(maxX + 40), height: Math.ceil(maxY + 40) },
    });
    const boundaries = nodes.filter((n) => n.shape === 'security-boundary');
    for (const b of boundaries) {
      const inner = containingBoundary(
        b,
        boundaries.filter((o) => o.width * o.height > b.width * b.height),
      );
      trustZones.push({
        id: b.id,
        name: b.label || 'Trust zone',
        risk: { trustRating: finite(b.data?.otm_trust_rating) ?? 50 },
        ...(inner ? { parent: { trustZone: inner.id } } : {}),
        representations: [
          {
            representation: repId,
            id: `${b.id}-representation`,
            position: { x: b.x, y: b.y },
            size: { width: b.width, height: b.height },
          },
        ],
        ...(isObject(b.data?.otm_attributes) ? { attributes: b.data.otm_attributes } : {}),
      });
    }
    let outside: string | null = null;
    for (const n of nodes) {
      if (n.shape === 'security-boundary' || n.shape === 'text-box') continue;
      const zone = containingBoundary(n, boundaries);
      if (!zone && !outside) {
        outside = `${d.id}-outside`;
        trustZones.push({
          id: outside,
          name: 'Outside every boundary',
          risk: { trustRating: 0 },
          attributes: { threatroom_synthetic: true },
        });
      }
      components.push({
        id: n.id,
        name: n.label || n.shape,
        type: typeof n.data?.otm_type === 'string' && n.data.otm_type ? n.data.otm_type : n.shape,
        ...(typeof n.data?.description === 'string' ? { description: n.data.description } : {}),
        parent: { trustZone: zone ? zone.id : outside },
        representations: [
          {
            representation: repId,
            id: `${n.id}-representation`,
            position: zone ? { x: n.x - zone.x, y: n.y - zone.y } : { x: n.x, y: n.y },
            size: { width: n.width, height: n.height },
          },
        ],
        threats: threatRefs(n.id),
        attributes: {
          ...(isObject(n.data?.otm_attributes) ? n.data.otm_attributes : {}),
          ...Object.fromEntries(
            Object.entries(n.data ?? {}).filter(
              ([k, v]) =>
                !k.startsWith('otm_') &&
                k !== 'description' &&
                (typeof v !== 'object' || v === null),
            ),
          ),
        },
      });
    }
    for (const f of d.cells.filter(isFlow)) {
      dataflows.push({
        id: f.id,
        name: f.label ?? '',
        source: f.source.cell,
        destination: f.target.cell,
        bidirectional: f.data?.bidirectional === true,
        threats: threatRefs(f.id),
        ...(isObject(f.data?.otm_attributes) ? { attributes: f.data.otm_attributes } : {}),
      });
    }
  }
  return {
    otmVersion: OTM_VERSION,
    project: {
      name: portable.model.name,
      id: projectId,
      description: portable.model.description,
      owner: portable.model.metadata['otm.owner'] ?? null,
    },
    representations,
    trustZones,
    components,
    dataflows,
    threats,
    mitigations,
  };
}
