/** Closed vocabularies of the API (API.md, TMI's words), for pickers, filters and labels. */
export { FRAMEWORK_NAMES, FRAMEWORK_THREAT_TYPES, ROLE_ORDER } from '$model';

export const MODEL_STATUSES = ['draft', 'in_review', 'approved', 'archived'] as const;
export const SEVERITIES = ['Unknown', 'None', 'Low', 'Medium', 'High', 'Critical'] as const;
export const THREAT_STATUSES = ['open', 'in_progress', 'mitigated', 'accepted', 'closed'] as const;
export const PRIORITIES = ['P0', 'P1', 'P2', 'P3', 'P4'] as const;
export const REPOSITORY_TYPES = ['git', 'svn', 'mercurial', 'other'] as const;

const WORDS: Record<string, string> = {
  draft: 'Draft',
  in_review: 'In review',
  approved: 'Approved',
  archived: 'Archived',
  open: 'Open',
  in_progress: 'In progress',
  mitigated: 'Mitigated',
  accepted: 'Accepted',
  closed: 'Closed',
  reader: 'Reader',
  reviewer: 'Reviewer',
  writer: 'Writer',
  owner: 'Owner',
  manual: 'Saved',
  auto: 'Auto',
  restore: 'Restore',
};

/** A vocabulary word as people read it ("in_review" → "In review"). */
export function humanize(word: string | null | undefined): string {
  if (!word) return '—';
  return WORDS[word] ?? word.charAt(0).toUpperCase() + word.slice(1).replaceAll('_', ' ');
}

/** "3 minutes ago", "yesterday", or a date, for timestamps in lists. */
export function ago(iso: string | null | undefined): string {
  if (!iso) return '—';
  const then = new Date(iso).getTime();
  const seconds = Math.round((Date.now() - then) / 1000);
  if (seconds < 45) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.round(hours / 24);
  if (days === 1) return 'yesterday';
  if (days < 7) return `${days} days ago`;
  return new Date(iso).toLocaleDateString();
}

/** What each kind of diagram version is called on screen. */
export const VERSION_KIND_LABEL: Record<string, string> = {
  auto: 'Automatic',
  manual: 'Saved',
  restore: 'Restored',
  pre_restore: 'Before restore',
  pre_wipe: 'Safety copy',
  approval: 'Approval',
};
