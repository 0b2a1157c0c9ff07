import { z } from '@hono/zod-openapi';
import type { UserRow } from '../../db/repositories/users.repository';

export const UserSchema = z
  .object({
    id: z.uuid(),
    email: z.email(),
    name: z.string(),
    created_at: z.string(),
    last_login: z.string().nullable(),
  })
  .openapi('User');

/** A user as other people see them (sharing look-ups, participants, authors). */
export const UserSummarySchema = z
  .object({ id: z.uuid(), email: z.email(), name: z.string() })
  .openapi('UserSummary');

/**
 * A user or null. A union, not `.nullable()`: on a registered schema `.nullable()` emits
 * allOf [ref, {type: [object, null]}], which no null satisfies and generators type as an
 * intersection.
 */
export const NullableUserSummarySchema = z.union([UserSummarySchema, z.null()]);

export function toUser(row: UserRow): z.infer<typeof UserSchema> {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    created_at: row.createdAt.toISOString(),
    last_login: row.lastLogin?.toISOString() ?? null,
  };
}

export function toUserSummary(row: Pick<UserRow, 'id' | 'email' | 'name'>) {
  return { id: row.id, email: row.email, name: row.name };
}

/** Dates to RFC 3339, null passes through. */
export const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);
