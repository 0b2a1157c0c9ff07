import { asc, desc, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';

/** A `%term%` pattern for ILIKE with `%`, `_` and `\` escaped, so the term matches literally. */
export function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
}

/**
 * ORDER BY for a `field:asc|desc` value (validated at the edge): the named column, or
 * `fallback` for an unknown field, then `tieBreak` so that pages never overlap.
 */
export function sortOrder(
  sort: string,
  columns: Readonly<Record<string, PgColumn | SQL>>,
  fallback: PgColumn | SQL,
  tieBreak: PgColumn,
): SQL[] {
  const [field = '', dir] = sort.split(':');
  const column = Object.hasOwn(columns, field) ? columns[field]! : fallback;
  return [dir === 'desc' ? desc(column) : asc(column), asc(tieBreak)];
}
