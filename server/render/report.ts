import PDFDocument from 'pdfkit';
import { isNode, type Cell } from '../../model/cells';
import { isOutOfScope } from '../../model/dfd-properties';
import type { PortableModel, PortableThreat } from '../../model/interop';
import { renderDiagramSvg, type ThreatMark } from '../../model/render/diagram-svg';
import { RISK_MATRIX, threatRisk } from '../../model/risk';
import { svgToPng } from './png';

/** What the report shows besides the model, and what the caller chose to leave out. */
export interface ReportInput {
  portable: PortableModel;
  owner: string;
  status: string;
  reviewers: string[];
  /** Newest first; `versions` names the diagram versions each one pinned ("Checkout v7"). */
  approvals: { by: string; at: string; note: string | null; versions: string }[];
  reviews: {
    state: string;
    requested_by: string;
    reviewer: string | null;
    decided_by: string | null;
    decided_at: string | null;
    note: string | null;
    created_at: string;
  }[];
  openComments: { author: string; body: string; created_at: string; where: string }[];
  generatedAt: string;
  options: { omitMitigated: boolean; omitOutOfScope: boolean; omitComments: boolean };
}

const SEVERITIES = ['Critical', 'High', 'Medium', 'Low', 'None', 'Unknown'] as const;
const LEVELS = ['Critical', 'High', 'Medium', 'Low', 'None'] as const;
/** Done for the diagram's marks: mitigated (derived from its mitigations), or closed. */
const isDone = (t: PortableThreat) =>
  t.mitigated || t.status === 'mitigated' || t.status === 'closed';
/** What "omit mitigated" leaves out: threats mitigated by their linked mitigations. */
const omitted = (t: PortableThreat, options: ReportInput['options']) =>
  options.omitMitigated && t.mitigated;
/** Every cell a threat applies to. */
const cellsOf = (t: PortableThreat) => t.cell_ids ?? (t.cell_id ? [t.cell_id] : []);

/**
 * A threat's current risk level as the threats service answers it (`risk.current`,
 * model/risk.ts: likelihood × impact, lowered by the mitigations in place); 'not assessed'
 * while likelihood or impact is unknown.
 */
export function currentRisk(t: PortableThreat): string {
  const risk = (
    t.risk ??
    threatRisk(
      t,
      t.mitigations.map((m) => ({ status: m.status, risk_reduction: m.risk_reduction ?? 0 })),
    )
  ).current;
  return risk ? risk.level : 'not assessed';
}

export function marksOf(threats: PortableThreat[], diagramId: string): Map<string, ThreatMark> {
  const marks = new Map<string, ThreatMark>();
  for (const t of threats) {
    if (t.diagram_id !== diagramId) continue;
    for (const cell of cellsOf(t)) {
      const m = marks.get(cell) ?? { open: 0, total: 0 };
      m.total++;
      if (!isDone(t)) m.open++;
      marks.set(cell, m);
    }
  }
  return marks;
}

/** Threats grouped by element, in the order elements appear, after the chosen omissions. */
export function sections(input: ReportInput) {
  const { portable, options } = input;
  const threats = portable.threats.filter((t) => !omitted(t, options));
  return portable.diagrams
    .map((d) => {
      const elements = d.cells
        .filter(
          (c): c is Cell =>
            c.shape !== 'security-boundary' &&
            c.shape !== 'text-box' &&
            c.shape !== 'security-boundary-line',
        )
        .filter((c) => !(options.omitOutOfScope && isOutOfScope(c)))
        .map((c) => ({
          cell: c,
          threats: threats.filter((t) => t.diagram_id === d.id && cellsOf(t).includes(c.id)),
        }))
        .filter((e) => e.threats.length > 0);
      const shown = options.omitOutOfScope
        ? d.cells.filter((c) => !(isOutOfScope(c) && (isNode(c) || c.shape === 'flow')))
        : d.cells;
      return { diagram: d, cells: shown, elements, marks: marksOf(portable.threats, d.id) };
    })
    .concat([]);
}

export function counts(threats: PortableThreat[]) {
  const by = (f: (t: PortableThreat) => string) =>
    threats.reduce<Record<string, number>>(
      (acc, t) => ((acc[f(t)] = (acc[f(t)] ?? 0) + 1), acc),
      {},
    );
  const heat: Record<string, Record<string, number>> = {};
  for (const l of LEVELS) heat[l] = Object.fromEntries(LEVELS.map((i) => [i, 0]));
  // Only assessed threats have a place on the map.
  for (const t of threats)
    if (t.likelihood && t.impact && heat[t.likelihood]?.[t.impact] !== undefined)
      heat[t.likelihood]![t.impact]!++;
  return {
    severity: by((t) => t.severity),
    status: by((t) => t.status),
    risk: by(currentRisk),
    heat,
  };
}

const esc = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

const mitigationsText = (t: PortableThreat) =>
  t.mitigations.length
    ? t.mitigations.map((m) => `${m.name} (${m.status})`)
    : t.mitigation
      ? [t.mitigation]
      : [];

const LEVEL_COLOUR: Record<string, string> = {
  critical: '#7f1d1d',
  high: '#dc2626',
  medium: '#f59e0b',
  low: '#84cc16',
  none: '#e5e7eb',
};
const AXIS = ['None', 'Low', 'Medium', 'High', 'Critical'];
/** A matrix cell's colour: the level model/risk.ts gives that likelihood × impact. */
const heatColour = (l: string, i: string) =>
  LEVEL_COLOUR[RISK_MATRIX.find((r) => r.likelihood === l)?.levels[AXIS.indexOf(i)] ?? 'none']!;

/** The report as one printable HTML page; every user-provided string is escaped. */
export function reportHtml(input: ReportInput): string {
  const { portable } = input;
  const c = counts(portable.threats);
  const table = (rec: Record<string, number>) =>
    `<table class="counts"><tbody>${Object.entries(rec)
      .map(([k, v]) => `<tr><th>${esc(k)}</th><td>${v}</td></tr>`)
      .join('')}</tbody></table>`;
  const heat = `<table class="heat"><thead><tr><th>Likelihood ↓ / Impact →</th>${LEVELS.map((l) => `<th>${l}</th>`).join('')}</tr></thead><tbody>${LEVELS.map((l) => `<tr><th>${l}</th>${LEVELS.map((i) => `<td style="background:${heatColour(l, i)}">${c.heat[l]![i] || ''}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
  const diagrams = sections(input)
    .map(({ diagram, cells, elements, marks }) => {
      const svg = renderDiagramSvg(cells, { marks });
      const rows = elements
        .map(
          ({ cell, threats }) =>
            `<h3>${esc(cell.label || cell.shape)} <small>(${esc(cell.shape)})</small></h3><table class="threats"><thead><tr><th>#</th><th>Threat</th><th>Category</th><th>Severity</th><th>Status</th><th>Current risk</th><th>Mitigations</th></tr></thead><tbody>${threats
              .map(
                (t, i) =>
                  `<tr><td>${esc(t.metadata['threat_dragon.number'] ?? String(i + 1))}</td><td><strong>${esc(t.name)}</strong>${t.description ? `<br><span class="desc">${esc(t.description)}</span>` : ''}</td><td>${esc(t.threat_type.join(', '))}</td><td>${esc(t.severity)}</td><td>${esc(t.status)}</td><td>${esc(currentRisk(t))}</td><td>${mitigationsText(
                    t,
                  )
                    .map((m) => esc(m))
                    .join('<br>')}</td></tr>`,
              )
              .join('')}</tbody></table>`,
        )
        .join('');
      return `<section class="diagram"><h2>${esc(diagram.name)}</h2><div class="figure">${svg}</div>${rows || '<p>No threats recorded on this diagram.</p>'}</section>`;
    })
    .join('');
  const loose = portable.threats.filter((t) => !t.cell_id && !omitted(t, input.options));
  const comments = input.options.omitComments
    ? ''
    : `<section><h2>Open review comments</h2>${input.openComments.length ? `<ul>${input.openComments.map((m) => `<li><strong>${esc(m.author)}</strong> (${esc(m.where)}, ${esc(m.created_at)}): ${esc(m.body)}</li>`).join('')}</ul>` : '<p>None.</p>'}</section>`;
  const history = `<section><h2>Review history</h2>${input.reviews.length ? `<table class="threats"><thead><tr><th>Requested</th><th>By</th><th>Reviewer</th><th>State</th><th>Decided by</th><th>Note</th></tr></thead><tbody>${input.reviews.map((r) => `<tr><td>${esc(r.created_at)}</td><td>${esc(r.requested_by)}</td><td>${esc(r.reviewer ?? '—')}</td><td>${esc(r.state)}</td><td>${esc(r.decided_by ?? '—')}${r.decided_at ? ` (${esc(r.decided_at)})` : ''}</td><td>${esc(r.note ?? '')}</td></tr>`).join('')}</tbody></table>` : '<p>No reviews yet.</p>'}</section>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(portable.model.name)} — threat model report</title><style>
body{font-family:"DejaVu Sans",Verdana,sans-serif;color:#1f2937;margin:2rem;line-height:1.4}
h1{font-size:1.8rem;margin:0 0 .5rem}h2{border-bottom:2px solid #e5e7eb;padding-bottom:.2rem;margin-top:2rem}
table{border-collapse:collapse;margin:.5rem 0}th,td{border:1px solid #d1d5db;padding:.3rem .5rem;text-align:left;vertical-align:top}
.threats{width:100%;font-size:.85rem}.desc{color:#4b5563}.heat td{width:3.5rem;text-align:center;color:#111}
.figure svg{max-width:100%;height:auto;border:1px solid #e5e7eb}.cover dt{font-weight:bold}.summary{display:flex;gap:2rem;flex-wrap:wrap}
section.diagram{break-before:page}@media print{body{margin:0}h2{break-after:avoid}tr{break-inside:avoid}}
</style></head><body>
<header class="cover"><h1>${esc(portable.model.name)}</h1><p>${esc(portable.model.description ?? '')}</p><dl>
<dt>Owner</dt><dd>${esc(input.owner)}</dd><dt>Status</dt><dd>${esc(input.status)}</dd><dt>Framework</dt><dd>${esc(portable.model.framework)}</dd>
<dt>Reviewers</dt><dd>${esc(input.reviewers.join(', ') || '—')}</dd>
<dt>Approvals</dt><dd>${input.approvals.length ? input.approvals.map((a) => `${esc(a.by)} on ${esc(a.at)}${a.versions ? ` — covers ${esc(a.versions)}` : ''}${a.note ? ` — ${esc(a.note)}` : ''}`).join('<br>') : 'Not approved yet'}</dd>
<dt>Generated</dt><dd>${esc(input.generatedAt)}</dd></dl></header>
<section><h2>Executive summary</h2><p>${portable.threats.length} threats on ${portable.diagrams.length} diagrams.</p><div class="summary"><div><h3>By severity</h3>${table(c.severity)}</div><div><h3>By status</h3>${table(c.status)}</div><div><h3>By current risk</h3>${table(c.risk)}</div><div><h3>Risk heat map</h3>${heat}</div></div></section>
${diagrams}
${loose.length ? `<section><h2>Threats not on an element</h2><ul>${loose.map((t) => `<li><strong>${esc(t.name)}</strong> — ${esc(t.severity)}, ${esc(t.status)}</li>`).join('')}</ul></section>` : ''}
${comments}${history}
</body></html>`;
}

/** The same report as PDF (pdfkit; diagrams as PNG through resvg). */
export async function reportPdf(input: ReportInput): Promise<Buffer> {
  const { portable } = input;
  const doc = new PDFDocument({
    size: 'A4',
    margin: 48,
    info: { Title: `${portable.model.name} — threat model report` },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (b: Buffer) => chunks.push(b));
  const done = new Promise<Buffer>((resolve) =>
    doc.on('end', () => resolve(Buffer.concat(chunks))),
  );
  const regular = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';
  const bold = '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf';
  const { existsSync } = await import('node:fs');
  const R = existsSync(regular) ? regular : 'Helvetica';
  const B = existsSync(bold) ? bold : 'Helvetica-Bold';
  const width = doc.page.width - 96;
  doc.font(B).fontSize(24).text(portable.model.name);
  doc
    .moveDown(0.5)
    .font(R)
    .fontSize(11)
    .text(portable.model.description ?? '');
  doc.moveDown();
  const field = (k: string, v: string) =>
    doc.font(B).text(`${k}: `, { continued: true }).font(R).text(v);
  field('Owner', input.owner);
  field('Status', input.status);
  field('Framework', portable.model.framework);
  field('Reviewers', input.reviewers.join(', ') || '—');
  field(
    'Approvals',
    input.approvals
      .map((a) => `${a.by} on ${a.at}${a.versions ? ` (covers ${a.versions})` : ''}`)
      .join('; ') || 'Not approved yet',
  );
  field('Generated', input.generatedAt);
  const c = counts(portable.threats);
  doc.moveDown().font(B).fontSize(16).text('Executive summary');
  doc
    .font(R)
    .fontSize(11)
    .text(`${portable.threats.length} threats on ${portable.diagrams.length} diagrams.`);
  const line = (title: string, rec: Record<string, number>) =>
    doc
      .font(B)
      .text(`${title}: `, { continued: true })
      .font(R)
      .text(
        Object.entries(rec)
          .map(([k, v]) => `${k} ${v}`)
          .join(' · ') || '—',
      );
  line('By severity', c.severity);
  line('By status', c.status);
  line('By current risk', c.risk);
  doc.moveDown(0.5).font(B).text('Risk heat map (likelihood × impact)');
  const cell = 44;
  let y = doc.y + 4;
  const x0 = doc.x + 70;
  doc.font(R).fontSize(8);
  LEVELS.forEach((i, k) => doc.text(i, x0 + k * cell, y, { width: cell, align: 'center' }));
  y += 12;
  LEVELS.forEach((l, r) => {
    doc.fillColor('#1f2937').text(l, x0 - 70, y + r * 22 + 6, { width: 66 });
    LEVELS.forEach((i, k) => {
      doc.rect(x0 + k * cell, y + r * 22, cell - 2, 20).fill(heatColour(l, i));
      const n = c.heat[l]![i]!;
      if (n)
        doc
          .fillColor(heatColour(l, i) === LEVEL_COLOUR.none ? '#111111' : '#ffffff')
          .text(String(n), x0 + k * cell, y + r * 22 + 6, { width: cell - 2, align: 'center' });
    });
  });
  doc.fillColor('#1f2937');
  doc.x = 48;
  doc.y = y + LEVELS.length * 22 + 10;
  for (const { diagram, cells, elements, marks } of sections(input)) {
    doc.addPage().font(B).fontSize(16).text(diagram.name);
    const png = svgToPng(renderDiagramSvg(cells, { marks }), 2);
    doc.image(png, { fit: [width, 320], align: 'center' });
    doc.moveDown();
    for (const { cell: el, threats } of elements) {
      doc
        .moveDown(0.5)
        .font(B)
        .fontSize(12)
        .text(`${el.label || el.shape} (${el.shape})`);
      threats.forEach((t, i) => {
        doc
          .font(B)
          .fontSize(10)
          .text(`${t.metadata['threat_dragon.number'] ?? i + 1}. ${t.name}`);
        doc
          .font(R)
          .fontSize(9)
          .text(
            `${t.threat_type.join(', ') || '—'} · severity ${t.severity} · ${t.status} · current risk ${currentRisk(t)}`,
          );
        if (t.description) doc.fillColor('#4b5563').text(t.description).fillColor('#1f2937');
        for (const m of mitigationsText(t)) doc.text(`Mitigation: ${m}`, { indent: 10 });
        doc.moveDown(0.3);
      });
    }
  }
  const loose = portable.threats.filter((t) => !t.cell_id && !omitted(t, input.options));
  if (loose.length) {
    doc.addPage().font(B).fontSize(16).text('Threats not on an element');
    for (const t of loose) doc.font(R).fontSize(10).text(`${t.name} — ${t.severity}, ${t.status}`);
  }
  if (!input.options.omitComments) {
    doc.moveDown().font(B).fontSize(16).text('Open review comments');
    if (!input.openComments.length) doc.font(R).fontSize(10).text('None.');
    for (const m of input.openComments)
      doc.font(R).fontSize(10).text(`${m.author} (${m.where}, ${m.created_at}): ${m.body}`);
  }
  doc.moveDown().font(B).fontSize(16).text('Review history');
  if (!input.reviews.length) doc.font(R).fontSize(10).text('No reviews yet.');
  for (const r of input.reviews)
    doc
      .font(R)
      .fontSize(10)
      .text(
        `${r.created_at}: requested by ${r.requested_by}${r.reviewer ? ` of ${r.reviewer}` : ''} — ${r.state}${r.decided_by ? ` by ${r.decided_by} (${r.decided_at})` : ''}${r.note ? `: ${r.note}` : ''}`,
      );
  doc.end();
  return done;
}
