import type { Cell, Point } from '../cells';
import type { ThreatElement } from '../threat-categories';
import { arrayOf, finite, IdMap, isObject, LIMITS, name, putMetadata, text } from './clean';
import { ReportBuilder } from './portable';
import { portableFromSummary, propertiesOf, summaryOf, threatOf } from './threat-dragon-common';
import { keepValid, type ImportResult } from './threat-dragon-v2';

/** JointJS types of Threat Dragon v1 → ours. */
const ELEMENT: Record<string, ThreatElement> = {
  'tm.Actor': 'actor',
  'tm.Process': 'process',
  'tm.Store': 'store',
};

const point = (v: unknown): Point | null => {
  if (!isObject(v)) return null;
  const x = finite(v.x);
  const y = finite(v.y);
  return x === null || y === null ? null : { x, y };
};

function labelOf(c: Record<string, unknown>): unknown {
  const attrs = isObject(c.attrs) ? c.attrs : {};
  if (isObject(attrs.text) && typeof attrs.text.text === 'string') return attrs.text.text;
  const first = arrayOf(c.labels)[0];
  if (isObject(first) && isObject(first.attrs) && isObject(first.attrs.text))
    return first.attrs.text.text;
  return c.name;
}

/**
 * Reads a Threat Dragon v1 file (JointJS cells: `tm.Actor`, `tm.Process`, `tm.Store`,
 * `tm.Flow`, `tm.Boundary`) into a portable model. v1 keeps properties on the cell itself;
 * its boundaries are lines.
 */
export function importThreatDragonV1(file: Record<string, unknown>): ImportResult {
  const report = new ReportBuilder('threat-dragon-v1');
  const summary = summaryOf(file, report);
  const { portable, framework } = portableFromSummary(summary);
  summary.diagrams.forEach((raw, i) => {
    const path = `detail.diagrams[${i}]`;
    if (!isObject(raw)) return report.skip(path, 'diagram', 'not an object');
    const metadata: Record<string, string> = {};
    putMetadata(metadata, 'threat_dragon.diagram_type', raw.diagramType, path, report);
    const diagramId = crypto.randomUUID();
    report.count('diagrams');
    const json = isObject(raw.diagramJson) ? raw.diagramJson : {};
    const ids = new IdMap();
    const nodeIds = new Set(
      arrayOf(json.cells)
        .filter(isObject)
        .filter((c) => typeof c.type === 'string' && c.type in ELEMENT)
        .map((c) => String(c.id)),
    );
    const cells: Cell[] = [];
    arrayOf(json.cells).forEach((c, j) => {
      const at = `${path}.diagramJson.cells[${j}]`;
      if (!isObject(c)) return report.skip(at, 'cell', 'not an object');
      const type = typeof c.type === 'string' ? c.type : '';
      const label = text(labelOf(c), LIMITS.label, `${at}.label`, report) ?? undefined;
      const z = finite(c.z);
      const base = {
        id: ids.of(c.id),
        ...(label ? { label } : {}),
        ...(z !== null && Number.isInteger(z) ? { z_index: z } : {}),
      };
      const threatsOf = (cellId: string | null) =>
        arrayOf(c.threats).forEach((t, k) => {
          const threat = threatOf(
            t,
            { framework, diagramId, cellId, path: `${at}.threats[${k}]` },
            report,
          );
          if (threat) portable.threats.push(threat);
        });
      const element = ELEMENT[type];
      if (element) {
        const position = point(c.position);
        const size = isObject(c.size) ? c.size : {};
        const width = finite(size.width);
        const height = finite(size.height);
        if (!position || !width || !height || width <= 0 || height <= 0) {
          report.skip(at, `${type} "${label ?? ''}"`, 'no position or size');
          return threatsOf(null);
        }
        cells.push({
          ...base,
          shape: element as 'actor',
          x: position.x,
          y: position.y,
          width,
          height,
          parent: null,
          data: propertiesOf(element, c, at, report),
        });
        report.count(element);
        return threatsOf(base.id);
      }
      if (type === 'tm.Flow') {
        const ends = (['source', 'target'] as const).map((end) => {
          const t = c[end];
          return isObject(t) && nodeIds.has(String(t.id)) ? ids.of(t.id) : null;
        });
        if (!ends[0] || !ends[1]) {
          report.skip(
            at,
            `flow "${label ?? ''}"`,
            'one of its ends is not attached to an element in the diagram',
          );
          return threatsOf(null);
        }
        const vertices = arrayOf(c.vertices)
          .map(point)
          .filter((p): p is Point => p !== null);
        cells.push({
          ...base,
          shape: 'flow',
          source: { cell: ends[0] },
          target: { cell: ends[1] },
          ...(vertices.length ? { vertices } : {}),
          data: propertiesOf('flow', c, at, report),
        });
        report.count('flow');
        return threatsOf(base.id);
      }
      if (type === 'tm.Boundary') {
        const source = point(c.source);
        const target = point(c.target);
        if (!source || !target) return report.skip(at, 'boundary', 'its ends are not points');
        const vertices = arrayOf(c.vertices)
          .map(point)
          .filter((p): p is Point => p !== null);
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
      report.skip(at, `type "${type}"`, 'not a Threat Dragon v1 element Threatroom knows');
      threatsOf(null);
    });
    portable.diagrams.push({
      id: diagramId,
      name: name(raw.title, 'Diagram', `${path}.title`, report),
      description: null,
      cells: keepValid(cells, path, report),
      metadata,
    });
  });
  return { portable, report: report.build() };
}
