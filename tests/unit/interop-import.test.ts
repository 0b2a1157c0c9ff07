import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isBoundaryLine, isFlow, isNode, type Cell } from '../../model/cells';
import { importFile } from '../../model/interop';
import { OURS } from './threat-dragon-oracle';

/** ISSUE 13, acceptance 1: every Threat Dragon fixture imports whole, cell by cell. */
const DIR = join(__dirname, '../fixtures/threat-dragon');
const read = (f: string) => JSON.parse(readFileSync(join(DIR, f), 'utf8'));
const V2 = readdirSync(DIR).filter((f) => f.endsWith('.json') && !f.includes('schema'));
const V1 = ['v1/demo-threat-model.json', 'v1/v1-model.json'];

const OUR_SHAPE: Record<string, string> = {
  actor: 'actor',
  process: 'process',
  store: 'store',
  'trust-boundary-box': 'security-boundary',
  'trust-boundary-curve': 'security-boundary-line',
  'td-text-block': 'text-box',
  flow: 'flow',
  'tm.Actor': 'actor',
  'tm.Process': 'process',
  'tm.Store': 'store',
  'tm.Boundary': 'security-boundary-line',
  'tm.Flow': 'flow',
};

const countBy = (xs: string[]) =>
  xs.reduce<Record<string, number>>((a, x) => ((a[x] = (a[x] ?? 0) + 1), a), {});

/** The properties a Threat Dragon cell carries, in our keys (the oracle's own mapping). */
function expectedData(source: Record<string, unknown>) {
  const out: Record<string, unknown> = {};
  for (const [td, ours] of Object.entries(OURS)) {
    const v = source[td];
    if (typeof v === 'boolean' || (typeof v === 'string' && v !== '')) out[ours] = v;
  }
  if (typeof source.protocol === 'string' && source.protocol) out.protocol = source.protocol;
  if (typeof source.outOfScope === 'boolean') out.out_of_scope = source.outOfScope;
  if (typeof source.reasonOutOfScope === 'string' && source.reasonOutOfScope)
    out.out_of_scope_reason = source.reasonOutOfScope;
  if (typeof source.description === 'string' && source.description)
    out.description = source.description;
  return out;
}

describe.each(V2)('Threat Dragon v2 %s', (file) => {
  const raw = read(file);
  const { portable, report } = importFile(raw)!;
  it('keeps every diagram, element, flow, boundary, text block and threat', () => {
    expect(report.format).toBe('threat-dragon-v2');
    expect(portable.model.name).toBe(raw.summary.title);
    expect(portable.diagrams).toHaveLength(raw.detail.diagrams.length);
    raw.detail.diagrams.forEach((d: any, i: number) => {
      const skipped = report.skipped.filter((s) =>
        s.path.startsWith(`detail.diagrams[${i}].cells`),
      ).length;
      const ours = portable.diagrams[i]!;
      const want = countBy(d.cells.map((c: any) => OUR_SHAPE[c.shape]));
      const got = countBy(ours.cells.map((c) => c.shape));
      // Only the flows whose ends are missing are skipped, and the report names each one.
      expect(got.flow ?? 0).toBe((want.flow ?? 0) - skipped);
      expect({ ...got, flow: 0 }).toEqual({ ...want, flow: 0 });
      const threats = d.cells.flatMap((c: any) => c.data?.threats ?? []);
      expect(portable.threats.filter((t) => t.diagram_id === ours.id)).toHaveLength(threats.length);
    });
  });
  it('keeps positions, sizes, labels and properties of every cell', () => {
    raw.detail.diagrams.forEach((d: any, i: number) => {
      const byId = new Map<string, Cell>(portable.diagrams[i]!.cells.map((c) => [c.id, c]));
      for (const c of d.cells) {
        const ours = byId.get(c.id);
        if (!ours) continue; // skipped and reported (checked above)
        const name =
          c.data?.name ||
          c.attrs?.text?.text ||
          c.attrs?.label?.text ||
          c.labels?.[0]?.attrs?.labelText?.text;
        expect(ours.label ?? '').toBe(name ?? '');
        if (isNode(ours)) {
          expect([ours.x, ours.y, ours.width, ours.height]).toEqual([
            c.position.x,
            c.position.y,
            c.size.width,
            c.size.height,
          ]);
          if (ours.shape !== 'security-boundary' && ours.shape !== 'text-box')
            expect(ours.data).toEqual(expectedData(c.data));
        } else if (isFlow(ours)) {
          expect([ours.source.cell, ours.target.cell]).toEqual([c.source.cell, c.target.cell]);
          expect(ours.vertices ?? []).toEqual(c.vertices ?? []);
          expect(ours.data).toEqual(expectedData(c.data));
        } else if (isBoundaryLine(ours)) {
          expect([ours.source, ours.target, ours.vertices ?? []]).toEqual([
            c.source,
            c.target,
            c.vertices ?? [],
          ]);
        }
        const threats = portable.threats.filter((t) => t.cell_id === c.id);
        (c.data?.threats ?? []).forEach((t: any, k: number) => {
          expect(threats[k]!.name).toBe(t.title);
          expect(threats[k]!.description ?? '').toBe(t.description ?? '');
          // One mitigation from the text: a one-line text is its name, else its description.
          const m = threats[k]!.mitigations[0];
          expect((m?.description ?? m?.name ?? '').trim()).toBe((t.mitigation ?? '').trim());
          if (m) expect(m.status).toBe(t.status === 'Mitigated' ? 'implemented' : 'proposed');
          expect(threats[k]!.severity).toBe(
            t.severity === 'TBD' || !t.severity
              ? 'Unknown'
              : ['Low', 'Medium', 'High', 'Critical'].includes(t.severity)
                ? t.severity
                : 'Unknown',
          );
          if (t.number !== undefined)
            expect(threats[k]!.metadata['threat_dragon.number']).toBe(String(t.number));
        });
      }
    });
  });
});

describe.each(V1)('Threat Dragon v1 %s', (file) => {
  const raw = read(file);
  const { portable, report } = importFile(raw)!;
  it('keeps every element, flow, boundary and threat with positions, sizes, labels and properties', () => {
    expect(report.format).toBe('threat-dragon-v1');
    raw.detail.diagrams.forEach((d: any, i: number) => {
      const ours = portable.diagrams[i]!;
      expect(countBy(ours.cells.map((c) => c.shape))).toEqual(
        countBy(d.diagramJson.cells.map((c: any) => OUR_SHAPE[c.type])),
      );
      const byId = new Map<string, Cell>(ours.cells.map((c) => [c.id, c]));
      for (const c of d.diagramJson.cells) {
        const cell = byId.get(c.id)!;
        if (isNode(cell)) {
          expect([cell.x, cell.y, cell.width, cell.height, cell.label]).toEqual([
            c.position.x,
            c.position.y,
            c.size.width,
            c.size.height,
            c.attrs.text.text,
          ]);
          expect(cell.data).toEqual(expectedData(c));
        }
        if (isFlow(cell)) {
          expect([cell.source.cell, cell.target.cell, cell.label]).toEqual([
            c.source.id,
            c.target.id,
            c.labels?.[0]?.attrs?.text?.text,
          ]);
          expect(cell.data).toEqual(expectedData(c));
        }
        if (isBoundaryLine(cell)) expect([cell.source, cell.target]).toEqual([c.source, c.target]);
        expect(portable.threats.filter((t) => t.cell_id === c.id).map((t) => t.name)).toEqual(
          (c.threats ?? []).map((t: any) => t.title),
        );
      }
    });
  });
});

describe('fidelity report', () => {
  it('maps statuses without a Threatroom word to the nearest, keeping the original', () => {
    const file = read('three-tier-web-app.json');
    const cell = file.detail.diagrams[0].cells.find((c: any) => c.data?.threats?.length);
    cell.data.threats[0].status = 'Transferred';
    cell.data.threats.push({
      ...cell.data.threats[0],
      status: 'NotApplicable',
      severity: 'TBD',
      title: 'Other',
    });
    const { portable, report } = importFile(file)!;
    const moved = portable.threats.find(
      (t) => t.metadata['threat_dragon.status'] === 'Transferred',
    )!;
    expect(moved.status).toBe('accepted');
    const na = portable.threats.find((t) => t.name === 'Other')!;
    expect([na.status, na.severity, na.metadata['threat_dragon.status']]).toEqual([
      'closed',
      'Unknown',
      'NotApplicable',
    ]);
    expect(report.lossy.filter((l) => l.path.endsWith('.status')).map((l) => l.what)).toEqual([
      'status "Transferred"',
      'status "NotApplicable"',
    ]);
  });
  it('maps PLOT4ai v1 categories to v2 and reports unknown shapes', () => {
    const file = read('three-tier-web-app.json');
    file.detail.diagrams[0].diagramType = 'PLOT4ai';
    const cell = file.detail.diagrams[0].cells.find((c: any) => c.data?.threats?.length);
    cell.data.threats[0].type = 'Security';
    file.detail.diagrams[0].cells.push({ id: 'x', shape: 'hexagon', zIndex: 1 });
    const { portable, report } = importFile(file)!;
    expect(portable.threats.some((t) => t.threat_type[0] === 'Cybersecurity')).toBe(true);
    expect(report.lossy.some((l) => l.what === 'PLOT4ai v1 category "Security"')).toBe(true);
    expect(report.skipped.some((s) => s.what === 'shape "hexagon"')).toBe(true);
  });
  it('cleans NUL and over-long text instead of passing it to the database', () => {
    const file = read('v2-new-model.json');
    file.summary.title = `a\u0000b${'x'.repeat(300)}`;
    const { portable, report } = importFile(file)!;
    expect(portable.model.name).not.toContain('\u0000');
    expect(portable.model.name.length).toBeLessThanOrEqual(256);
    expect(report.lossy.some((l) => l.what === 'control characters')).toBe(true);
  });
});

describe('OTM mobile-cloud', () => {
  const raw = read('otm/mobile-cloud.otm.json');
  const { portable, report } = importFile(raw)!;
  it('keeps every trust zone, component, dataflow, threat and mitigation', () => {
    const cells = portable.diagrams[0]!.cells;
    expect(cells.filter((c) => c.shape === 'security-boundary')).toHaveLength(
      raw.trustZones.length,
    );
    expect(cells.filter((c) => isNode(c) && c.shape !== 'security-boundary')).toHaveLength(
      raw.components.length,
    );
    expect(cells.filter(isFlow)).toHaveLength(raw.dataflows.length);
    const refs = raw.components.flatMap((c: any) => c.threats ?? []);
    expect(portable.threats).toHaveLength(refs.length);
    expect(portable.threats.flatMap((t) => t.mitigations)).toHaveLength(
      refs.flatMap((r: any) => r.mitigations).length,
    );
    expect(report.mapped.mitigations).toBe(refs.flatMap((r: any) => r.mitigations).length);
    expect(report.skipped).toEqual([]);
  });
});

describe('OTM without representations', () => {
  it('lays the zones out side by side with their components inside', () => {
    const raw = read('otm/mobile-cloud.otm.json');
    for (const el of [...raw.trustZones, ...raw.components]) delete el.representations;
    const { portable, report } = importFile(raw)!;
    const cells = portable.diagrams[0]!.cells.filter(isNode);
    const zones = cells.filter((c) => c.shape === 'security-boundary');
    for (const c of cells.filter((n) => n.shape !== 'security-boundary')) {
      const zone = zones.find((z) => z.id === c.parent)!;
      expect(c.x).toBeGreaterThanOrEqual(zone.x);
      expect(c.x + c.width).toBeLessThanOrEqual(zone.x + zone.width);
      expect(c.y + c.height).toBeLessThanOrEqual(zone.y + zone.height);
    }
    expect(zones[0]!.x + zones[0]!.width).toBeLessThan(zones[1]!.x);
    expect(report.lossy.some((l) => l.how === 'laid out on a grid')).toBe(true);
  });
});

describe('Threatroom files', () => {
  it('clean NUL out of open cell data and keys before they reach the database', () => {
    const file = {
      format: 'threatroom',
      threat_model: { name: 'M', framework: 'STRIDE' },
      diagrams: [
        {
          id: 'd',
          name: 'D',
          cells: [
            {
              id: crypto.randomUUID(),
              shape: 'process',
              x: 0,
              y: 0,
              width: 10,
              height: 10,
              label: 'a\u0000b',
              data: { 'k\u0000': 'v\u0000' },
            },
          ],
        },
      ],
      threats: [],
      comments: [],
    };
    const { portable } = importFile(file)!;
    expect(JSON.stringify(portable)).not.toContain('\\u0000');
    expect(portable.diagrams[0]!.cells[0]!.data).toEqual({ k: 'v' });
  });
});
