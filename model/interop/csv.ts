import Papa from 'papaparse';
import type { PortableModel } from './portable';

/** The threat register's columns, in order (docs/api.md names them). */
export const CSV_COLUMNS = [
  'id',
  'number',
  'name',
  'diagram',
  'element',
  'element_type',
  'threat_type',
  'severity',
  'likelihood',
  'impact',
  'score',
  'priority',
  'status',
  'mitigated',
  'mitigations',
  'current_risk',
  'current_risk_score',
  'description',
  'issue_url',
] as const;

/**
 * The threat register as RFC 4180 CSV (CRLF line ends, quoted where needed, a header row):
 * one row per threat. A cell starting with = + - @ is prefixed with ' so a spreadsheet does
 * not run it as a formula.
 */
export function exportCsv(portable: PortableModel): string {
  const diagrams = new Map(portable.diagrams.map((d) => [d.id, d]));
  const safe = (v: string) => (/^[=+\-@\t\r]/.test(v) ? `'${v}` : v);
  const rows = portable.threats.map((t, i) => {
    const diagram = t.diagram_id ? diagrams.get(t.diagram_id) : undefined;
    const cell = diagram?.cells.find((c) => c.id === t.cell_id);
    const row: Record<(typeof CSV_COLUMNS)[number], string> = {
      id: t.id,
      number: t.metadata['threat_dragon.number'] ?? String(i + 1),
      name: t.name,
      diagram: diagram?.name ?? '',
      element: cell?.label ?? '',
      element_type: cell?.shape ?? '',
      threat_type: t.threat_type.join('; '),
      severity: t.severity,
      likelihood: t.likelihood ?? '',
      impact: t.impact ?? '',
      score: t.score === null ? '' : String(t.score),
      priority: t.priority ?? '',
      status: t.status,
      mitigated: t.mitigated ? 'yes' : 'no',
      mitigations: t.mitigations.length
        ? t.mitigations.map((m) => `${m.name} (${m.status})`).join('; ')
        : (t.mitigation ?? ''),
      current_risk: t.risk?.current?.level ?? '',
      current_risk_score: t.risk?.current ? String(t.risk.current.score) : '',
      description: t.description ?? '',
      issue_url: t.issue_url ?? '',
    };
    return CSV_COLUMNS.map((c) => safe(row[c]));
  });
  return Papa.unparse({ fields: [...CSV_COLUMNS], data: rows }, { newline: '\r\n', quotes: false });
}
