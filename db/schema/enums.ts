/**
 * Closed vocabularies shared by the schema's CHECK constraints and the API validators.
 * Kept here (not in model/) because they are storage facts; model/ re-exports what clients need.
 */
export const FRAMEWORKS = ['STRIDE', 'CIA', 'LINDDUN', 'DIE', 'PLOT4ai'] as const;
export const MODEL_STATUSES = ['draft', 'in_review', 'approved', 'archived'] as const;
export const ROLES = ['reader', 'reviewer', 'writer', 'owner'] as const;
export const PRINCIPAL_TYPES = ['user', 'team', 'everyone'] as const;
export const TEAM_ROLES = ['lead', 'member'] as const;
/** TMI's severity scale, used for severity, likelihood and impact. */
export const SEVERITIES = ['Unknown', 'None', 'Low', 'Medium', 'High', 'Critical'] as const;
/** Risk status vocabulary after AuraAI (seed 003), widened with accepted/in_progress. */
export const THREAT_STATUSES = ['open', 'in_progress', 'mitigated', 'accepted', 'closed'] as const;
export const MITIGATION_STATUSES = [
  'proposed',
  'in_progress',
  'implemented',
  'verified',
  'rejected',
] as const;
export const PRIORITIES = ['P0', 'P1', 'P2', 'P3', 'P4'] as const;
export const DIAGRAM_TYPES = ['DFD-1.0.0'] as const;
export const VERSION_KINDS = [
  'auto',
  'manual',
  'restore',
  'pre_wipe',
  'pre_restore',
  'approval',
] as const;
/** A reviewer's sign-off, or the owner's approval of the model. */
export const APPROVAL_KINDS = ['reviewer', 'owner'] as const;
export const REPOSITORY_TYPES = ['git', 'svn', 'mercurial', 'other'] as const;
export const METADATA_ENTITY_TYPES = [
  'threat_model',
  'threat',
  'diagram',
  'document',
  'repository',
  'cell',
] as const;
export const REVIEW_STATES = ['requested', 'approved', 'changes_requested'] as const;
export const NOTIFICATION_TYPES = [
  'mention',
  'reply',
  'review_requested',
  'review_decided',
  'shared',
] as const;
export const TOKEN_SCOPES = ['read', 'write'] as const;

export type Framework = (typeof FRAMEWORKS)[number];
export type ModelStatus = (typeof MODEL_STATUSES)[number];
export type Role = (typeof ROLES)[number];
export type PrincipalType = (typeof PRINCIPAL_TYPES)[number];
export type TeamRole = (typeof TEAM_ROLES)[number];
export type Severity = (typeof SEVERITIES)[number];
export type ThreatStatus = (typeof THREAT_STATUSES)[number];
export type VersionKind = (typeof VERSION_KINDS)[number];
export type ApprovalKind = (typeof APPROVAL_KINDS)[number];
export type RepositoryType = (typeof REPOSITORY_TYPES)[number];
export type MetadataEntityType = (typeof METADATA_ENTITY_TYPES)[number];
export type ReviewState = (typeof REVIEW_STATES)[number];
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];
export type TokenScope = (typeof TOKEN_SCOPES)[number];
