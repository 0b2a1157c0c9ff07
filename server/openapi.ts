import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from './context';
import { badRequest } from './errors';

/**
 * Creates a router whose validation failures become our 400 problem (the stock hook would
 * leak zod's raw result). Every route module starts from this.
 */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      // Postgres text and jsonb cannot hold U+0000, and nothing of ours nests deeply: refuse
      // both here rather than fail at insert (or deep inside a recursive library).
      const problem = result.success ? inputProblem(result.data) : undefined;
      if (problem?.kind === 'nul') {
        throw badRequest('Text must not contain NUL (U+0000) characters.', [
          { path: problem.path || '(root)', message: 'contains U+0000' },
        ]);
      }
      if (problem?.kind === 'too_deep') {
        throw badRequest(`The input nests deeper than ${MAX_INPUT_DEPTH} levels.`, [
          { path: problem.path || '(root)', message: `deeper than ${MAX_INPUT_DEPTH} levels` },
        ]);
      }
      if (!result.success) {
        throw badRequest(
          'The request is invalid.',
          result.error.issues.map((issue) => ({
            path: issue.path.join('.') || '(root)',
            message: issue.message,
          })),
        );
      }
    },
  });
}

/**
 * How deep validated input may nest. Far beyond any document of ours (a diagram cell is 4
 * levels), and far below what would strain the database's own recursion.
 */
export const MAX_INPUT_DEPTH = 64;

/**
 * The first problem of validated input that zod does not see: a string or key containing
 * U+0000 (Postgres text and jsonb cannot hold it), or nesting deeper than MAX_INPUT_DEPTH.
 * Iterative with an explicit stack, so no input can overflow the call stack.
 */
export function inputProblem(
  value: unknown,
): { path: string; kind: 'nul' | 'too_deep' } | undefined {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path: '', depth: 0 }];
  while (stack.length) {
    const item = stack.pop()!;
    if (typeof item.value === 'string') {
      if (item.value.includes('\u0000')) return { path: item.path, kind: 'nul' };
      continue;
    }
    if (!item.value || typeof item.value !== 'object') continue;
    if (item.depth >= MAX_INPUT_DEPTH) return { path: item.path, kind: 'too_deep' };
    const entries = Object.entries(item.value);
    // Pushed in reverse so that the first offending field is the one reported.
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i]!;
      const at = item.path ? `${item.path}.${key}` : key;
      if (key.includes('\u0000')) return { path: at, kind: 'nul' };
      stack.push({ value: child, path: at, depth: item.depth + 1 });
    }
  }
  return undefined;
}

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    request_id: z.string().optional(),
  })
  .openapi('Problem');

const STATUS_TEXT: Record<number, string> = {
  400: 'Invalid input',
  401: 'Not signed in',
  403: 'Visible, but the role is too low',
  404: 'Missing or not visible to the caller',
  409: 'Conflict',
  412: 'If-Match does not match the current version',
  413: 'Body too large',
  415: 'Wrong content type',
  422: 'The JSON Patch cannot be applied to this document (a path through a string or number)',
  429: 'Rate limited (see Retry-After)',
  503: 'Not ready',
};

/** OpenAPI `responses` entries for the given error statuses, all problem+json. */
export function problems(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((s) => [
      s,
      {
        description: STATUS_TEXT[s] ?? 'Error',
        content: { 'application/problem+json': { schema: ProblemSchema } },
      },
    ]),
  );
}

/** A JSON request body that must be present (zod-openapi skips validation otherwise). */
export function jsonBody<T extends z.ZodType>(schema: T, description?: string) {
  return {
    required: true,
    description,
    content: { 'application/json': { schema } },
  } as const;
}

/** A JSON success response. */
export function jsonResponse<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } } as const;
}

export const UuidParam = z.uuid();

export const Timestamp = z.iso.datetime({ offset: true });

/** `{items, total, limit, offset}` envelope of every list. */
export function listOf<T extends z.ZodType>(item: T, name: string) {
  return z
    .object({
      items: z.array(item),
      total: z.number().int(),
      limit: z.number().int(),
      offset: z.number().int(),
    })
    .openapi(name);
}

export const Pagination = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(500)
    .default(50)
    .openapi({ param: { in: 'query' } }),
  offset: z.coerce
    .number()
    .int()
    .min(0)
    .max(1_000_000)
    .default(0)
    .openapi({ param: { in: 'query' } }),
});

export const SECURITY: Array<Record<string, string[]>> = [{ cookieAuth: [] }, { bearerAuth: [] }];
