import { isBoundaryLine, isFlow, isNode, type Cell } from '../cells';
import { isThreatElement } from '../threat-categories';
import type { PortableModel, PortableThreat } from './portable';
import { STATUS_OUT, TD_ELEMENT_TYPE, tdPropertiesOf } from './threat-dragon-common';

const TD_VERSION = '2.3.0';
const TD_SHAPE: Record<string, string> = {
  actor: 'actor',
  process: 'process',
  store: 'store',
  'security-boundary': 'trust-boundary-box',
  'text-box': 'td-text-block',
};

/** The original Threat Dragon status when it still maps to the current one, else ours. */
function statusOut(t: PortableThreat): string {
  const original = t.metadata['threat_dragon.status'];
  if (original) return original;
  return STATUS_OUT[t.status];
}

function threatOut(t: PortableThreat, framework: string, number: number) {
  const score = t.score ?? t.metadata['threat_dragon.score'];
  return {
    id: t.metadata['threat_dragon.id'] ?? t.id,
    title: t.name,
    status: statusOut(t),
    severity:
      t.metadata['threat_dragon.severity'] ?? (t.severity === 'Unknown' ? 'TBD' : t.severity),
    type: t.threat_type[0] ?? '',
    description: t.description ?? '',
    mitigation:
      t.mitigations
        .filter((m) => m.status !== 'rejected')
        .map((m) => m.description ?? m.name)
        .join('\n\n') ||
      t.mitigation ||
      '',
    modelType: framework,
    number,
    score: score === undefined || score === null ? '' : String(score),
    new: false,
  };
}

const int = (n: number) => Math.round(n);

/**
 * A portable model as a Threat Dragon v2 file (validates against its schema): one TD cell per
 * cell, threats on their cells, numbers kept where the import recorded them. Threats not on
 * a cell have no place in Threat Dragon and are left out.
 */
export function exportThreatDragon(portable: PortableModel): Record<string, unknown> {
  const { model } = portable;
  let top = 0;
  for (const t of portable.threats)
    top = Math.max(top, Number(t.metadata['threat_dragon.number'] ?? 0) || 0);
  const numberOf = (t: PortableThreat) => {
    const n = Number(t.metadata['threat_dragon.number']);
    return Number.isInteger(n) && n >= 0 ? n : ++top;
  };
  const threatsOf = (diagramId: string, cellId: string) =>
    portable.threats
      .filter((t) => t.diagram_id === diagramId && t.cell_id === cellId)
      .map((t) => threatOut(t, model.framework, numberOf(t)));
  let contributors: { name: string }[] = [];
  try {
    const list = JSON.parse(model.metadata['threat_dragon.contributors'] ?? '[]');
    if (Array.isArray(list))
      contributors = list.filter((n) => typeof n === 'string').map((name) => ({ name }));
  } catch {
    contributors = [];
  }
  const diagrams = portable.diagrams.map((d, i) => ({
    id: i,
    title: d.name,
    diagramType: d.metadata['threat_dragon.diagram_type'] ?? model.framework,
    placeholder: d.description ?? '',
    thumbnail: './public/content/images/thumbnail.jpg',
    version: TD_VERSION,
    ...(d.description ? { description: d.description } : {}),
    cells: d.cells.map((c, k) => cellOut(c, k, threatsOf(d.id, c.id))),
  }));
  return {
    version: TD_VERSION,
    summary: {
      title: model.name,
      owner: model.metadata['threat_dragon.owner'] ?? '',
      description: model.description ?? '',
      id: 0,
    },
    detail: {
      contributors,
      diagrams,
      diagramTop: diagrams.length,
      reviewer: model.metadata['threat_dragon.reviewer'] ?? '',
      threatTop: top,
    },
  };
}

function cellOut(c: Cell, index: number, threats: ReturnType<typeof threatOut>[]) {
  const zIndex = c.z_index ?? index;
  const name = c.label ?? '';
  const hasOpenThreats = threats.some((t) => t.status === 'Open');
  if (isFlow(c)) {
    return {
      shape: 'flow',
      id: c.id,
      zIndex,
      connector: 'smooth',
      source: { cell: c.source.cell },
      target: { cell: c.target.cell },
      ...(c.vertices?.length ? { vertices: c.vertices } : {}),
      attrs: {
        line: {
          stroke: '#333333',
          strokeWidth: 1,
          targetMarker: { name: 'block' },
          sourceMarker: { name: c.data?.bidirectional === true ? 'block' : '' },
        },
      },
      labels: [{ position: 0.5, attrs: { labelText: { text: name } } }],
      data: { type: 'tm.Flow', name, hasOpenThreats, ...tdPropertiesOf('flow', c.data), threats },
    };
  }
  if (isBoundaryLine(c)) {
    return {
      shape: 'trust-boundary-curve',
      id: c.id,
      zIndex,
      connector: 'smooth',
      source: { x: int(c.source.x), y: int(c.source.y) },
      target: { x: int(c.target.x), y: int(c.target.y) },
      ...(c.vertices?.length ? { vertices: c.vertices } : {}),
      attrs: { line: { targetMarker: '', sourceMarker: '' } },
      labels: name ? [{ position: 0.5, attrs: { labelText: { text: name } } }] : [],
      data: {
        type: 'tm.Boundary',
        name,
        description: '',
        isTrustBoundary: true,
        hasOpenThreats: false,
      },
    };
  }
  if (!isNode(c)) throw new Error('unreachable');
  const base = {
    shape: TD_SHAPE[c.shape],
    id: c.id,
    zIndex,
    visible: true,
    position: { x: c.x, y: c.y },
    size: { width: Math.max(10, c.width), height: Math.max(10, c.height) },
  };
  if (c.shape === 'security-boundary')
    return {
      ...base,
      attrs: { label: { text: name } },
      data: {
        type: 'tm.BoundaryBox',
        name,
        description: '',
        isTrustBoundary: true,
        hasOpenThreats: false,
      },
    };
  if (c.shape === 'text-box')
    return {
      ...base,
      attrs: { text: { text: name } },
      data: { type: 'tm.Text', name, hasOpenThreats: false },
    };
  const element = isThreatElement(c.shape) ? c.shape : 'process';
  return {
    ...base,
    attrs: { text: { text: name } },
    data: {
      type: TD_ELEMENT_TYPE[element],
      name,
      hasOpenThreats,
      ...tdPropertiesOf(element as 'actor', c.data),
      threats,
    },
  };
}
