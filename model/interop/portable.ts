import type { Cell } from '../cells';
import type { FrameworkName } from '../frameworks';
import type { MitigationStatus } from '../mitigations';
import type { ThreatRisk } from '../risk';

/**
 * The in-memory "portable model" every importer produces and every exporter reads: one
 * threat model with its diagrams (cells in our DFD-1.0.0 format), threats, mitigations and
 * comments. Ids are the source file's (mapped to fresh ones when stored); references between
 * parts use them.
 */
export interface PortableModel {
  model: {
    name: string;
    description: string | null;
    framework: FrameworkName;
    status?: string;
    issue_url?: string | null;
    metadata: Record<string, string>;
  };
  diagrams: PortableDiagram[];
  threats: PortableThreat[];
  comments: PortableComment[];
  /**
   * Mitigations no threat links (a Threatroom export carries them); the linked ones are in
   * their threats' `mitigations`. Absent = none.
   */
  unlinked_mitigations?: PortableMitigation[];
}

export interface PortableDiagram {
  id: string;
  name: string;
  description: string | null;
  cells: Cell[];
  metadata: Record<string, string>;
}

export interface PortableMitigation {
  /**
   * Identity within the file: threats whose `mitigations` hold the same id share ONE
   * mitigation (many-to-many). OTM's mitigation id, a Threatroom row's id, a fresh one else.
   */
  id: string;
  name: string;
  description: string | null;
  status: MitigationStatus;
  /** 0–100 (%), or null when the source does not say. */
  risk_reduction: number | null;
  /** The source's own id for it (OTM mitigation ids), when it has one. */
  source_id?: string;
  issue_url?: string | null;
}

export const SEVERITY_LEVELS = ['Unknown', 'None', 'Low', 'Medium', 'High', 'Critical'] as const;
export type SeverityLevel = (typeof SEVERITY_LEVELS)[number];
export const THREAT_STATES = ['open', 'in_progress', 'mitigated', 'accepted', 'closed'] as const;
export type ThreatState = (typeof THREAT_STATES)[number];

export interface PortableThreat {
  id: string;
  /** `PortableDiagram.id`, or null for a threat on the model as a whole. */
  diagram_id: string | null;
  cell_id: string | null;
  name: string;
  description: string | null;
  /** Every cell it applies to (the first is `cell_id`); absent = `[cell_id]` or none. */
  cell_ids?: string[];
  /** The threat rule it was applied from (model/threat-rules), when known. */
  rule_id?: string | null;
  threat_type: string[];
  severity: SeverityLevel;
  likelihood: SeverityLevel | null;
  impact: SeverityLevel | null;
  score: number | null;
  priority: string | null;
  status: ThreatState;
  /** Free-text mitigation (TMI's field) as the source had it, besides `mitigations`. */
  mitigation: string | null;
  mitigated: boolean;
  issue_url: string | null;
  metadata: Record<string, string>;
  mitigations: PortableMitigation[];
  /** As the threats service computes it (an export reads it; importers leave it out). */
  risk?: ThreatRisk;
}

export interface PortableComment {
  id: string;
  diagram_id: string | null;
  cell_id: string | null;
  threat_id: string | null;
  parent_id: string | null;
  author: string | null;
  body: string;
  resolved: boolean;
  created_at: string | null;
}

/** One thing that could not be kept as it was, and what became of it. */
export interface LossyItem {
  path: string;
  what: string;
  how: string;
}

export interface SkippedItem {
  path: string;
  what: string;
  reason: string;
}

/** What an import says about itself: counts mapped, what changed, what was left out. */
export interface FidelityReport {
  format: string;
  mapped: Record<string, number>;
  lossy: LossyItem[];
  skipped: SkippedItem[];
}

/** Collects report lines while an importer walks a file. */
export class ReportBuilder {
  private readonly mapped: Record<string, number> = {};
  private readonly lossy: LossyItem[] = [];
  private readonly skipped: SkippedItem[] = [];
  constructor(private readonly format: string) {}

  count(what: string, by = 1): void {
    this.mapped[what] = (this.mapped[what] ?? 0) + by;
  }
  changed(path: string, what: string, how: string): void {
    this.lossy.push({ path, what, how });
  }
  skip(path: string, what: string, reason: string): void {
    this.skipped.push({ path, what, reason });
  }
  build(): FidelityReport {
    return {
      format: this.format,
      mapped: { ...this.mapped },
      lossy: [...this.lossy],
      skipped: [...this.skipped],
    };
  }
}

export const emptyPortable = (name: string, framework: FrameworkName): PortableModel => ({
  model: { name, description: null, framework, metadata: {} },
  diagrams: [],
  threats: [],
  comments: [],
});
