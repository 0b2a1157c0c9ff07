import { z } from '@hono/zod-openapi';
import { asc, desc, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';

/**
 * A `sort=field:asc|desc` query parameter over the given fields. The schema rejects anything
 * else with 400, and documents the choices in OpenAPI.
 */
export function sortParam<F extends string>(
  fields: readonly [F, ...F[]],
  fallback: `${F}:${'asc' | 'desc'}`,
) {
  const pattern = new RegExp(`^(${fields.join('|')}):(asc|desc)$`);
  return z
    .string()
    .regex(pattern, `must be field:asc or field:desc with field one of ${fields.join(', ')}`)
    .default(fallback)
    .openapi({ param: { in: 'query' }, example: fallback });
}

/** ORDER BY for a validated sort value; `id` breaks ties so pages are stable. */
export function orderBy(
  sort: string,
  columns: Record<string, PgColumn>,
  tieBreak: PgColumn,
): SQL[] {
  const [field, dir] = sort.split(':') as [string, 'asc' | 'desc'];
  const column = columns[field];
  if (!column) return [asc(tieBreak)];
  return [dir === 'desc' ? desc(column) : asc(column), asc(tieBreak)];
}

/** Escapes LIKE wildcards so a search term matches literally. */
export function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
}
