import { isBoundaryLine, isFlow, isNode, type Cell, type NodeCell, type Point } from '../cells';
import { isOutOfScope } from '../dfd-properties';

/**
 * The drawing definition of a diagram, shared by the server's images and reports and the
 * editor's boundary lines: colours, strokes, dash pattern and type sizes of each shape, as
 * the editor's stylesheet draws them (light theme).
 */
export const DIAGRAM_STYLE = {
  font: 'DejaVu Sans, Verdana, sans-serif',
  fontSize: 13,
  text: '#1f2937',
  muted: '#6b7280',
  node: { stroke: '#475569', strokeWidth: 1.5 },
  actor: { fill: '#eef2ff', radius: 4 },
  process: { fill: '#ecfdf5', stroke: '#047857' },
  store: { fill: '#fffbeb', stroke: '#b45309', strokeWidth: 2 },
  boundary: {
    stroke: '#c23a3a',
    strokeWidth: 2,
    dash: '8 5',
    fill: 'rgba(194,58,58,0.03)',
    radius: 12,
  },
  flow: { stroke: '#334155', strokeWidth: 1.5, labelFill: '#ffffff' },
  threat: { fill: '#b91c1c', text: '#ffffff', radius: 9 },
  outOfScopeOpacity: 0.55,
} as const;

export interface ThreatMark {
  open: number;
  total: number;
}

const esc = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

const r1 = (n: number) => Math.round(n * 10) / 10;

/** Wraps `text` into lines of at most `width` px (DejaVu Sans ≈ 0.6 em per character). */
function wrap(text: string, width: number, size: number, maxLines = 4): string[] {
  const perLine = Math.max(4, Math.floor(width / (size * 0.6)));
  const out: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const word of para.split(/\s+/).filter(Boolean)) {
      const next = line ? `${line} ${word}` : word;
      // A long word may run a little past the estimate rather than be cut.
      if (next.length <= perLine || (!line && word.length <= perLine * 1.4)) line = next;
      else {
        if (line) out.push(line);
        line = word.length > perLine * 1.4 ? `${word.slice(0, perLine - 1)}…` : word;
      }
    }
    out.push(line);
  }
  if (out.length > maxLines) return [...out.slice(0, maxLines - 1), `${out[maxLines - 1]}…`];
  return out;
}

function textBlock(lines: string[], cx: number, cy: number, size: number, attrs = ''): string {
  const lh = size * 1.25;
  const top = cy - ((lines.length - 1) * lh) / 2;
  return lines
    .map(
      (l, i) =>
        `<text x="${r1(cx)}" y="${r1(top + i * lh)}" font-size="${size}" text-anchor="middle" dominant-baseline="central"${attrs}>${esc(l)}</text>`,
    )
    .join('');
}

const centre = (n: NodeCell): Point => ({ x: n.x + n.width / 2, y: n.y + n.height / 2 });

/** Where the segment from the centre of `n` towards `p` leaves its box. */
function borderPoint(n: NodeCell, p: Point): Point {
  const c = centre(n);
  const dx = p.x - c.x;
  const dy = p.y - c.y;
  if (dx === 0 && dy === 0) return c;
  const sx = dx === 0 ? Infinity : n.width / 2 / Math.abs(dx);
  const sy = dy === 0 ? Infinity : n.height / 2 / Math.abs(dy);
  const s = Math.min(sx, sy);
  return { x: c.x + dx * s, y: c.y + dy * s };
}

function badge(x: number, y: number, mark: ThreatMark): string {
  const { fill, text, radius } = DIAGRAM_STYLE.threat;
  const label = mark.open > 0 ? String(mark.open) : '✓';
  const colour = mark.open > 0 ? fill : '#15803d';
  return `<g class="threat-mark"><circle cx="${r1(x)}" cy="${r1(y)}" r="${radius}" fill="${colour}"/><text x="${r1(x)}" y="${r1(y)}" font-size="11" font-weight="bold" fill="${text}" text-anchor="middle" dominant-baseline="central">${label}</text></g>`;
}

function node(n: NodeCell, mark: ThreatMark | undefined): string {
  const S = DIAGRAM_STYLE;
  const { x, y, width: w, height: h } = n;
  const label = n.label ?? '';
  const faded = isOutOfScope(n) ? ` opacity="${S.outOfScopeOpacity}"` : '';
  let shape = '';
  let text = '';
  const inner = textBlock(
    wrap(label, w - 16, S.fontSize),
    x + w / 2,
    y + h / 2,
    S.fontSize,
    ` fill="${S.text}"`,
  );
  switch (n.shape) {
    case 'actor':
      shape = `<rect x="${r1(x)}" y="${r1(y)}" width="${r1(w)}" height="${r1(h)}" rx="${S.actor.radius}" fill="${S.actor.fill}" stroke="${S.node.stroke}" stroke-width="${S.node.strokeWidth}"/>`;
      text = inner;
      break;
    case 'process':
      shape = `<rect x="${r1(x)}" y="${r1(y)}" width="${r1(w)}" height="${r1(h)}" rx="${r1(Math.min(w, h) / 2)}" fill="${S.process.fill}" stroke="${S.process.stroke}" stroke-width="${S.node.strokeWidth}"/>`;
      text = inner;
      break;
    case 'store':
      shape = `<rect x="${r1(x)}" y="${r1(y)}" width="${r1(w)}" height="${r1(h)}" fill="${S.store.fill}"/><path d="M${r1(x)} ${r1(y)}H${r1(x + w)}M${r1(x)} ${r1(y + h)}H${r1(x + w)}" stroke="${S.store.stroke}" stroke-width="${S.store.strokeWidth}"/>`;
      text = inner;
      break;
    case 'security-boundary':
      shape = `<rect x="${r1(x)}" y="${r1(y)}" width="${r1(w)}" height="${r1(h)}" rx="${S.boundary.radius}" fill="${S.boundary.fill}" stroke="${S.boundary.stroke}" stroke-width="${S.boundary.strokeWidth}" stroke-dasharray="${S.boundary.dash}"/>`;
      text = `<text x="${r1(x + 10)}" y="${r1(y + 18)}" font-size="${S.fontSize}" font-weight="bold" fill="${S.boundary.stroke}">${esc(wrap(label, w - 20, S.fontSize, 1)[0] ?? '')}</text>`;
      break;
    case 'text-box':
      text = textBlock(
        wrap(label, w, S.fontSize, 6),
        x + w / 2,
        y + h / 2,
        S.fontSize,
        ` fill="${S.muted}" font-style="italic"`,
      );
      break;
  }
  return `<g class="cell ${n.shape}"${faded}>${shape}${text}${mark ? badge(x, y, mark) : ''}</g>`;
}

function smoothPath(points: Point[]): string {
  return points.map((p, i) => `${i ? 'L' : 'M'}${r1(p.x)} ${r1(p.y)}`).join('');
}

/**
 * A diagram as a self-contained SVG document: boundaries behind, then flows, then nodes;
 * flow arrows (both ends when bidirectional), labels, dashed boundary boxes and lines, and a
 * threat mark on every element with threats (the open count; a tick when none is open).
 */
export function renderDiagramSvg(
  cells: readonly Cell[],
  {
    marks = new Map<string, ThreatMark>(),
    title,
  }: { marks?: ReadonlyMap<string, ThreatMark>; title?: string } = {},
): string {
  const S = DIAGRAM_STYLE;
  const nodes = cells.filter(isNode);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const xs: number[] = [];
  const ys: number[] = [];
  for (const n of nodes) (xs.push(n.x, n.x + n.width), ys.push(n.y, n.y + n.height));
  for (const c of cells) {
    if (isBoundaryLine(c) || isFlow(c))
      for (const p of c.vertices ?? []) (xs.push(p.x), ys.push(p.y));
    if (isBoundaryLine(c)) (xs.push(c.source.x, c.target.x), ys.push(c.source.y, c.target.y));
  }
  const pad = 30;
  const minX = (xs.length ? Math.min(...xs) : 0) - pad;
  const minY = (ys.length ? Math.min(...ys) : 0) - pad - (title ? 30 : 0);
  const width = Math.max(200, (xs.length ? Math.max(...xs) : 200) + pad - minX);
  const height = Math.max(120, (ys.length ? Math.max(...ys) : 120) + pad - minY);
  const z = (c: Cell) => c.z_index ?? 0;
  const boundaries = nodes
    .filter((n) => n.shape === 'security-boundary')
    .sort((a, b) => z(a) - z(b) || b.width * b.height - a.width * a.height);
  const others = nodes.filter((n) => n.shape !== 'security-boundary').sort((a, b) => z(a) - z(b));
  const parts: string[] = [];
  for (const b of boundaries) parts.push(node(b, undefined));
  for (const l of cells.filter(isBoundaryLine)) {
    const pts = [l.source, ...(l.vertices ?? []), l.target];
    parts.push(
      `<g class="cell security-boundary-line"><path d="${smoothPath(pts)}" fill="none" stroke="${S.boundary.stroke}" stroke-width="${S.boundary.strokeWidth}" stroke-dasharray="${S.boundary.dash}"/>${l.label ? `<text x="${r1(pts[0]!.x + 4)}" y="${r1(pts[0]!.y - 6)}" font-size="${S.fontSize}" fill="${S.boundary.stroke}">${esc(l.label)}</text>` : ''}</g>`,
    );
  }
  // Straight flows between the same two elements (a request and its response) are drawn side
  // by side instead of on top of each other.
  const pairKey = (f: { source: { cell: string }; target: { cell: string } }) =>
    [f.source.cell, f.target.cell].sort().join('|');
  const straight = cells.filter(isFlow).filter((f) => !f.vertices?.length);
  const siblings = new Map<string, string[]>();
  for (const f of straight) siblings.set(pairKey(f), [...(siblings.get(pairKey(f)) ?? []), f.id]);
  for (const f of cells.filter(isFlow)) {
    const s = byId.get(f.source.cell);
    const t = byId.get(f.target.cell);
    if (!s || !t) continue;
    const vs = f.vertices ?? [];
    let a = borderPoint(s, vs[0] ?? centre(t));
    let b = borderPoint(t, vs[vs.length - 1] ?? centre(s));
    const group = vs.length ? [] : (siblings.get(pairKey(f)) ?? []);
    if (group.length > 1) {
      const [p, q] = [f.source.cell, f.target.cell].sort() as [string, string];
      const from = centre(byId.get(p)!);
      const to = centre(byId.get(q)!);
      const len = Math.hypot(to.x - from.x, to.y - from.y) || 1;
      const shift = (group.indexOf(f.id) - (group.length - 1) / 2) * 16;
      const n = { x: (-(to.y - from.y) / len) * shift, y: ((to.x - from.x) / len) * shift };
      a = { x: a.x + n.x, y: a.y + n.y };
      b = { x: b.x + n.x, y: b.y + n.y };
    }
    const pts = [a, ...vs, b];
    const both = f.data?.bidirectional === true;
    const mid = pts[Math.floor(pts.length / 2)]!;
    const prev = pts[Math.floor(pts.length / 2) - 1] ?? mid;
    const at = pts.length % 2 === 0 ? { x: (mid.x + prev.x) / 2, y: (mid.y + prev.y) / 2 } : mid;
    const label = f.label ? wrap(f.label, 160, 11, 2) : [];
    const lw = Math.max(...label.map((l) => l.length), 0) * 6.6 + 8;
    const faded = isOutOfScope(f) ? ` opacity="${S.outOfScopeOpacity}"` : '';
    parts.push(
      `<g class="cell flow"${faded}><path d="${smoothPath(pts)}" fill="none" stroke="${S.flow.stroke}" stroke-width="${S.flow.strokeWidth}" marker-end="url(#arrow)"${both ? ' marker-start="url(#arrow-start)"' : ''}/>` +
        (label.length
          ? `<rect x="${r1(at.x - lw / 2)}" y="${r1(at.y - label.length * 7 - 2)}" width="${r1(lw)}" height="${r1(label.length * 14 + 4)}" rx="3" fill="${S.flow.labelFill}" opacity="0.9"/>${textBlock(label, at.x, at.y, 11, ` fill="${S.text}"`)}`
          : '') +
        (marks.get(f.id) ? badge(at.x + lw / 2 + 6, at.y - 10, marks.get(f.id)!) : '') +
        '</g>',
    );
  }
  for (const n of others) parts.push(node(n, marks.get(n.id)));
  const heading = title
    ? `<text x="${r1(minX + pad)}" y="${r1(minY + 24)}" font-size="16" font-weight="bold" fill="${S.text}">${esc(title)}</text>`
    : '';
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${Math.ceil(width)}" height="${Math.ceil(height)}" viewBox="${r1(minX)} ${r1(minY)} ${Math.ceil(width)} ${Math.ceil(height)}" font-family="${S.font}">` +
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto"><path d="M0 0L10 5L0 10z" fill="${S.flow.stroke}"/></marker>` +
    `<marker id="arrow-start" viewBox="0 0 10 10" refX="1" refY="5" markerWidth="8" markerHeight="8" orient="auto"><path d="M10 0L0 5L10 10z" fill="${S.flow.stroke}"/></marker></defs>` +
    `<rect x="${r1(minX)}" y="${r1(minY)}" width="${Math.ceil(width)}" height="${Math.ceil(height)}" fill="#ffffff"/>` +
    heading +
    parts.join('') +
    '</svg>'
  );
}
