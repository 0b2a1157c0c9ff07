import { api, done, ok, type ResponseOf } from '$lib/api';

export type Threat = ResponseOf<'/api/threat_models/{tm}/threats/{threat_id}', 'get'>;

/** The fields a person edits; the rest (ids, timestamps, version) the server owns. */
export interface ThreatDraft {
  name: string;
  description: string;
  threat_type: string[];
  severity: string;
  likelihood: string;
  impact: string;
  priority: string;
  status: string;
  mitigation: string;
  mitigated: boolean;
  issue_url: string;
  diagram_id: string | null;
  cell_id: string | null;
  /** Every cell it applies to (kept through an edit; `cell_id` is the first). */
  cell_ids: string[];
}

export function draftOf(threat: Threat | null, link: Partial<ThreatDraft> = {}): ThreatDraft {
  return {
    name: threat?.name ?? '',
    description: threat?.description ?? '',
    threat_type: [...(threat?.threat_type ?? [])],
    severity: threat?.severity ?? 'Medium',
    likelihood: threat?.likelihood ?? '',
    impact: threat?.impact ?? '',
    priority: threat?.priority ?? '',
    status: threat?.status ?? 'open',
    mitigation: threat?.mitigation ?? '',
    mitigated: threat?.mitigated ?? false,
    issue_url: threat?.issue_url ?? '',
    diagram_id: threat?.diagram_id ?? link.diagram_id ?? null,
    cell_id: threat?.cell_id ?? link.cell_id ?? null,
    cell_ids: [...(threat?.cell_ids ?? [])],
  };
}

/** The request body: empty optional fields are sent as null, never as "". */
function bodyOf(d: ThreatDraft) {
  const orNull = (v: string) => (v.trim() ? v.trim() : null);
  return {
    name: d.name.trim(),
    description: orNull(d.description),
    threat_type: d.threat_type,
    severity: d.severity,
    likelihood: orNull(d.likelihood),
    impact: orNull(d.impact),
    priority: orNull(d.priority),
    status: d.status,
    mitigation: orNull(d.mitigation),
    mitigated: d.mitigated,
    issue_url: orNull(d.issue_url),
    diagram_id: d.diagram_id,
    cell_id: d.diagram_id ? d.cell_id : null,
    ...(d.diagram_id && d.cell_id && d.cell_ids.length ? { cell_ids: d.cell_ids } : {}),
  };
}

/** Creates the threat, or replaces it guarded by its version (412 if someone else saved). */
export function saveThreat(tm: string, draft: ThreatDraft, existing: Threat | null) {
  const body = bodyOf(draft) as never;
  if (!existing) {
    return ok(api.POST('/api/threat_models/{tm}/threats', { params: { path: { tm } }, body }));
  }
  return ok(
    api.PUT('/api/threat_models/{tm}/threats/{threat_id}', {
      params: {
        path: { tm, threat_id: existing.id },
        header: { 'if-match': `"${existing.version}"` },
      },
      body,
    }),
  );
}

/** Deletes a threat guarded by its version (412 if someone else changed it meanwhile). */
export function deleteThreat(tm: string, threat: Pick<Threat, 'id' | 'version'>) {
  return done(
    api.DELETE('/api/threat_models/{tm}/threats/{threat_id}', {
      params: {
        path: { tm, threat_id: threat.id },
        header: { 'if-match': `"${threat.version}"` },
      },
    }),
  );
}
