/**
 * Roles on a threat model, lowest first. The order is the domain rule ("the highest grant
 * wins"); `db/schema/enums.ts` holds the same words as a storage vocabulary.
 */
export const ROLE_ORDER = ['reader', 'reviewer', 'writer', 'owner'] as const;
export type Role = (typeof ROLE_ORDER)[number];

/** What a caller may do on a threat model and everything in it (API.md "Roles"). */
export type Action =
  /** read the model and its children; join a live session view-only */
  | 'read'
  /** comment; resolve one's own comments */
  | 'comment'
  /** edit diagrams, threats, documents, repositories, metadata; versions; request review */
  | 'edit'
  /** manage grants, delete the model, approve */
  | 'manage';

const MINIMUM: Record<Action, Role> = {
  read: 'reader',
  comment: 'reviewer',
  edit: 'writer',
  manage: 'owner',
};

export function roleRank(role: Role): number {
  return ROLE_ORDER.indexOf(role);
}

/** True when `role` is `min` or higher. */
export function roleAtLeast(role: Role | null | undefined, min: Role): boolean {
  return role != null && roleRank(role) >= roleRank(min);
}

/** The one policy: may a caller holding `role` (null = no grant) perform `action`? */
export function can(role: Role | null | undefined, action: Action): boolean {
  return roleAtLeast(role, MINIMUM[action]);
}

/** The higher of two roles (null counts as none). */
export function maxRole(a: Role | null, b: Role | null): Role | null {
  if (a == null) return b;
  if (b == null) return a;
  return roleRank(a) >= roleRank(b) ? a : b;
}

/** Live sessions are read-only below writer. */
export function isReadOnlyRole(role: Role): boolean {
  return !can(role, 'edit');
}
