import { validateCells, type Cell, type Point } from '../cells';
import type { FrameworkName } from '../frameworks';
import type { ThreatElement } from '../threat-categories';
import { arrayOf, finite, IdMap, isObject, LIMITS, name, putMetadata, text } from './clean';
import {
  ReportBuilder,
  type PortableDiagram,
  type PortableModel,
  type PortableThreat,
} from './portable';
import {
  frameworkOf,
  portableFromSummary,
  propertiesOf,
  summaryOf,
  threatOf,
} from './threat-dragon-common';

/** Threat Dragon v2 shapes → ours. */
const NODE_SHAPE: Record<string, Cell['shape']> = {
  actor: 'actor',
  process: 'process',
  store: 'store',
  'trust-boundary-box': 'security-boundary',
  'td-text-block': 'text-box',
};

export interface ImportResult {
  portable: PortableModel;
  report: ReturnType<ReportBuilder['build']>;
}

const point = (v: unknown): Point | null => {
  if (!isObject(v)) return null;
  const x = finite(v.x);
  const y = finite(v.y);
  return x === null || y === null ? null : { x, y };
};

const points = (v: unknown): Point[] =>
  arrayOf(v)
    .map(point)
    .filter((p): p is Point => p !== null);

/** The text a v2 cell shows: its name, else the label drawn on it. */
function labelOf(cell: Record<string, unknown>): unknown {
  const data = isObject(cell.data) ? cell.data : {};
  if (typeof data.name === 'string' && data.name !== '') return data.name;
  const attrs = isObject(cell.attrs) ? cell.attrs : {};
  for (const key of ['text', 'label']) {
    const t = attrs[key];
    if (isObject(t) && typeof t.text === 'string') return t.text;
  }
  const first = arrayOf(cell.labels)[0];
  if (isObject(first) && isObject(first.attrs)) {
    for (const key of ['labelText', 'text']) {
      const t = first.attrs[key];
      if (isObject(t) && typeof t.text === 'string') return t.text;
    }
  }
  return undefined;
}

/**
 * Reads a Threat Dragon v2 file into a portable model. Every cell keeps its id, position,
 * size, label and properties; threats go with their cell. Unknown shapes and flows whose
 * ends are missing are skipped (their threats are kept, unattached) and reported.
 */
export function importThreatDragonV2(file: Record<string, unknown>): ImportResult {
  const report = new ReportBuilder('threat-dragon-v2');
  const summary = summaryOf(file, report);
  const { portable, framework } = portableFromSummary(summary);
  summary.diagrams.forEach((raw, i) => {
    const path = `detail.diagrams[${i}]`;
    if (!isObject(raw)) return report.skip(path, 'diagram', 'not an object');
    const own = frameworkOf(raw.diagramType);
    if (own !== framework)
      report.changed(
        `${path}.diagramType`,
        `diagram type "${String(raw.diagramType)}"`,
        `the model uses ${framework}; the original is kept in diagram metadata`,
      );
    const { diagram, threats } = diagramOf(raw, path, framework, report);
    portable.diagrams.push(diagram);
    portable.threats.push(...threats);
  });
  return { portable, report: report.build() };
}

function diagramOf(
  raw: Record<string, unknown>,
  path: string,
  framework: FrameworkName,
  report: ReportBuilder,
): { diagram: PortableDiagram; threats: PortableThreat[] } {
  const metadata: Record<string, string> = {};
  putMetadata(metadata, 'threat_dragon.diagram_type', raw.diagramType, path, report);
  if (raw.id !== undefined) putMetadata(metadata, 'threat_dragon.diagram_id', raw.id, path, report);
  const diagram: PortableDiagram = {
    id: crypto.randomUUID(),
    name: name(raw.title, 'Diagram', `${path}.title`, report),
    description: text(raw.description, LIMITS.description, `${path}.description`, report),
    cells: [],
    metadata,
  };
  report.count('diagrams');
  const ids = new IdMap();
  const rawCells = arrayOf(raw.cells).filter(isObject);
  const nodeIds = new Set<string>();
  for (const c of rawCells)
    if (typeof c.shape === 'string' && c.shape in NODE_SHAPE) nodeIds.add(String(c.id));
  const threats: PortableThreat[] = [];
  const cells: Cell[] = [];
  arrayOf(raw.cells).forEach((c, j) => {
    const at = `${path}.cells[${j}]`;
    if (!isObject(c)) return report.skip(at, 'cell', 'not an object');
    const data = isObject(c.data) ? c.data : {};
    const shape = typeof c.shape === 'string' ? c.shape : '';
    const label = text(labelOf(c), LIMITS.label, `${at}.label`, report) ?? undefined;
    const z = finite(c.zIndex);
    const base = {
      id: ids.of(c.id),
      ...(label ? { label } : {}),
      ...(z !== null && Number.isInteger(z) ? { z_index: z } : {}),
    };
    const threatsOf = (cellId: string | null) =>
      arrayOf(data.threats).forEach((t, k) => {
        const threat = threatOf(
          t,
          { framework, diagramId: diagram.id, cellId, path: `${at}.data.threats[${k}]` },
          report,
        );
        if (threat) threats.push(threat);
      });
    if (shape in NODE_SHAPE) {
      const position = point(c.position) ?? point(c);
      const size = isObject(c.size) ? c.size : c;
      const width = finite(size.width);
      const height = finite(size.height);
      if (!position || !width || !height || width <= 0 || height <= 0) {
        report.skip(at, `${shape} "${label ?? ''}"`, 'no position or size');
        return threatsOf(null);
      }
      const ours = NODE_SHAPE[shape]!;
      const element =
        ours === 'security-boundary' || ours === 'text-box' ? null : (ours as ThreatElement);
      cells.push({
        ...base,
        shape: ours as 'actor',
        x: position.x,
        y: position.y,
        width,
        height,
        parent: null,
        ...(element ? { data: propertiesOf(element, data, `${at}.data`, report) } : {}),
      });
      report.count(ours);
      return threatsOf(element ? base.id : null);
    }
    if (shape === 'flow') {
      const ends = (['source', 'target'] as const).map((end) => {
        const t = c[end];
        return isObject(t) && nodeIds.has(String(t.cell)) ? ids.of(t.cell) : null;
      });
      if (!ends[0] || !ends[1]) {
        report.skip(
          at,
          `flow "${label ?? ''}"`,
          'one of its ends is not attached to an element in the diagram',
        );
        if (arrayOf(data.threats).length)
          report.changed(
            `${at}.data.threats`,
            'threats of a skipped flow',
            'imported without an element',
          );
        return threatsOf(null);
      }
      const vertices = points(c.vertices);
      cells.push({
        ...base,
        shape: 'flow',
        source: { cell: ends[0] },
        target: { cell: ends[1] },
        ...(vertices.length ? { vertices } : {}),
        data: propertiesOf('flow', data, `${at}.data`, report),
      });
      report.count('flow');
      return threatsOf(base.id);
    }
    if (shape === 'trust-boundary-curve') {
      const source = point(c.source);
      const target = point(c.target);
      if (!source || !target) {
        report.skip(at, 'trust boundary curve', 'its ends are not points');
        return;
      }
      const vertices = points(c.vertices);
      cells.push({
        ...base,
        shape: 'security-boundary-line',
        source,
        target,
        ...(vertices.length ? { vertices } : {}),
      });
      report.count('security-boundary-line');
      return;
    }
    report.skip(at, `shape "${shape}"`, 'not a Threat Dragon shape Threatroom knows');
    threatsOf(null);
  });
  diagram.cells = keepValid(cells, path, report);
  return { diagram, threats };
}

/**
 * The cells that pass the same validation REST input does (cells.ts); any that do not are
 * skipped and reported (an importer bug or a hostile file, never a 500).
 */
export function keepValid(cells: Cell[], path: string, report: ReportBuilder): Cell[] {
  const checked = validateCells(cells);
  if (checked.ok) return checked.cells;
  const bad = new Set<number>();
  for (const e of checked.errors) {
    const m = /^\[(\d+)\]/.exec(e.path);
    if (m) bad.add(Number(m[1]));
    report.skip(`${path}.cells${e.path}`, 'cell', e.message);
  }
  if (!bad.size) return [];
  const rest = cells.filter((_, i) => !bad.has(i));
  const again = validateCells(rest);
  return again.ok ? again.cells : keepValid(rest, path, report);
}
