/**
 * Mitigations are rows of their own (API.md "Threat knowledge"), linked many-to-many to
 * threats. A threat's old TMI fields `mitigation` (text) and `mitigated` (boolean) are derived
 * from its linked mitigations here, so "mitigated" has one source of truth.
 */
export const MITIGATION_STATUSES = [
  'proposed',
  'in_progress',
  'implemented',
  'verified',
  'rejected',
] as const;
export type MitigationStatus = (typeof MITIGATION_STATUSES)[number];

/** In place: counts for current risk. */
export const isInPlace = (m: { status: MitigationStatus }): boolean =>
  m.status === 'implemented' || m.status === 'verified';

/**
 * TMI's `mitigated`: at least one mitigation is linked, and every one not rejected is in
 * place (what was planned is done).
 */
export function isMitigatedBy(mitigations: readonly { status: MitigationStatus }[]): boolean {
  const planned = mitigations.filter((m) => m.status !== 'rejected');
  return planned.length > 0 && planned.every(isInPlace);
}

/**
 * TMI's free-text `mitigation`: the linked mitigations that are not rejected, one per line
 * ("name — description"), or null when there are none.
 */
export function mitigationText(
  mitigations: readonly { name: string; description?: string | null; status: MitigationStatus }[],
): string | null {
  const lines = mitigations
    .filter((m) => m.status !== 'rejected')
    .map((m) => (m.description ? `${m.name} — ${m.description}` : m.name));
  return lines.length ? lines.join('\n') : null;
}
