import { z } from '@hono/zod-openapi';

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
