import * as Y from 'yjs';
import { worseLevel, type RiskLevel } from './risk';

/**
 * The live document's `threats` map: threat id → a summary of every threat recorded on the
 * diagram's cells, written only by the server (REST is the source of truth; collab refuses
 * client writes, like `comments`). The editor reads it for threat marks and lists without a
 * reload. Field names follow the REST threat.
 */
export interface LiveThreat {
  id: string;
  name: string;
  threat_type: string[];
  severity: string;
  status: string;
  cell_ids: string[];
  /** The rule that suggested it (so the editor can leave recorded suggestions out). */
  rule_id: string | null;
  /** The current risk's level (after in-place mitigations), null while not assessed. */
  risk_level: RiskLevel | null;
  /** Derived from the linked mitigations (mitigations.ts `isMitigatedBy`). */
  mitigated: boolean;
  modified_at: string;
}

const FIELDS = [
  'name',
  'threat_type',
  'severity',
  'status',
  'cell_ids',
  'rule_id',
  'risk_level',
  'mitigated',
  'modified_at',
] as const;

export function threatsMap(doc: Y.Doc): Y.Map<Y.Map<unknown>> {
  return doc.getMap<Y.Map<unknown>>('threats');
}

/** Adds or updates a threat's summary (call inside a server transaction). */
export function writeLiveThreat(doc: Y.Doc, threat: LiveThreat): void {
  const map = threatsMap(doc);
  let entry = map.get(threat.id);
  if (!(entry instanceof Y.Map)) {
    entry = new Y.Map<unknown>();
    map.set(threat.id, entry);
  }
  for (const field of FIELDS) {
    if (JSON.stringify(entry.get(field)) !== JSON.stringify(threat[field])) {
      entry.set(field, threat[field]);
    }
  }
}

export function removeLiveThreats(doc: Y.Doc, ids: readonly string[]): void {
  const map = threatsMap(doc);
  for (const id of ids) map.delete(id);
}

/** Every threat summary in the document, by name then id. */
export function liveThreatsFromDoc(doc: Y.Doc): LiveThreat[] {
  const out: LiveThreat[] = [];
  threatsMap(doc).forEach((entry, id) => {
    if (!(entry instanceof Y.Map)) return;
    const t: Record<string, unknown> = { id };
    for (const field of FIELDS) t[field] = entry.get(field) ?? null;
    t.threat_type ??= [];
    t.cell_ids ??= [];
    t.mitigated = t.mitigated === true;
    out.push(t as unknown as LiveThreat);
  });
  return out.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}

/** Statuses after which a threat no longer needs work. */
const SETTLED = new Set(['mitigated', 'accepted', 'closed']);
export const isSettled = (t: Pick<LiveThreat, 'status' | 'mitigated'>): boolean =>
  t.mitigated || SETTLED.has(t.status);

/** What the canvas shows on a cell: how many threats, the worst open risk, all settled? */
export interface ThreatMark {
  count: number;
  open: number;
  /** Worst current risk level among open threats (null: none assessed, or none open). */
  worst: RiskLevel | null;
  /** Every threat on the cell is mitigated, accepted or closed: draw it grey. */
  settled: boolean;
}

/** The marks per cell id, from the live summaries (a threat on several cells marks each). */
export function threatMarks(threats: readonly LiveThreat[]): Map<string, ThreatMark> {
  const marks = new Map<string, ThreatMark>();
  for (const t of threats) {
    for (const cellId of new Set(t.cell_ids)) {
      const mark = marks.get(cellId) ?? { count: 0, open: 0, worst: null, settled: true };
      mark.count++;
      if (!isSettled(t)) {
        mark.open++;
        mark.settled = false;
        mark.worst = worseLevel(mark.worst, t.risk_level);
      }
      marks.set(cellId, mark);
    }
  }
  return marks;
}
