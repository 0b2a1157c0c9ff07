import { colorForUser } from '$model/user-color';

/**
 * A user's colour: the very function the server uses for presence, so one person has one
 * colour on every screen (avatar, cursor, comment).
 */
export const colorFor: (id: string) => string = colorForUser;

/** Up to two initials of a display name. */
export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const first = parts[0]?.[0] ?? '?';
  const last = parts.length > 1 ? (parts[parts.length - 1]?.[0] ?? '') : '';
  return (first + last).toUpperCase();
}
