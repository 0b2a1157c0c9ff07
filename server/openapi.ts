import { createRoute, OpenAPIHono, z, type RouteConfig } from '@hono/zod-openapi';
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

/** One problem+json response with a description of its own (`{ 401: problem('…') }`). */
export function problem(description: string) {
  return { description, content: { 'application/problem+json': { schema: ProblemSchema } } };
}

/**
 * 401 on a public operation: any request that sends `Authorization` with an invalid or
 * expired token is refused before the route runs (server/middleware/authentication.ts).
 */
export const BAD_TOKEN = problem('The Authorization header carries an invalid or expired token');

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

/** Signed in: the session cookie or an API token (the default of `operation`). */
export const SECURITY: Array<Record<string, string[]>> = [{ cookieAuth: [] }, { bearerAuth: [] }];
/** Signed in with a session cookie only (an API token is refused). */
export const SESSION_ONLY: Array<Record<string, string[]>> = [{ cookieAuth: [] }];
/** No credentials needed (health, sign-up, sign-in). */
export const PUBLIC: Array<Record<string, string[]>> = [];

/**
 * The API's tags, declared once (in this order, with these descriptions) in the document.
 * Every operation names exactly one.
 */
export const API_TAGS = {
  system: 'Liveness and readiness probes for load balancers and orchestrators.',
  auth: 'Sign up, sign in and sign out. Signing in sets the `threatroom_session` cookie.',
  me: 'The signed-in caller and their API tokens.',
  users: 'Looking up people to share a threat model with.',
  teams: 'Teams: named groups of users that can hold a grant on a threat model.',
  'threat models':
    'The threat model, the unit of sharing: everything else (diagrams, threats, documents, comments) lives inside one.',
  access: "A threat model's grants: which user, team or everyone holds which role.",
  audit: 'Every change to a threat model, made over REST or live, with its actor.',
  threats: 'The threats recorded in a threat model, each optionally tied to a diagram cell.',
  notifications: "The caller's notifications: mentions, replies and review events.",
  comments: 'Comment threads on a threat model, a diagram cell or a threat.',
  reviews: 'The review workflow: requesting review and deciding it.',
  diagrams: 'Data-flow diagrams of a threat model and their cells.',
  documents: 'Documents (specifications, links) that a threat model refers to.',
  repositories: 'Source-code repositories that a threat model covers.',
  metadata:
    'Free key/value metadata on threat models, threats, diagrams, cells, documents and repositories.',
  collaboration: 'Live diagram sessions: joining, leaving and WebSocket tickets.',
  versions: 'Saved versions of a diagram and restoring them.',
  mitigations:
    'Mitigations of a threat model: what answers its threats (one mitigation can answer several), with status and risk reduction.',
  'import and export':
    'Threat Dragon, Open Threat Model and Threatroom files in and out, the CSV threat register, diagram images and the report.',
  suggestions:
    'Threats the rule engine suggests for the cells of a diagram, applying them in bulk and dismissing them with a reason.',
} as const;

export type ApiTag = keyof typeof API_TAGS;

/** The `tags` entry of the OpenAPI document. */
export const apiTagObjects = () =>
  Object.entries(API_TAGS).map(([name, description]) => ({ name, description }));

/**
 * What a route module declares for one operation: everything of `createRoute` except the
 * tag, plus the three fields that make the document usable by SDK generators.
 */
export type OperationSpec = Omit<
  RouteConfig,
  'tags' | 'operationId' | 'summary' | 'description'
> & {
  /** Stable, unique, camelCase verb + noun (`listThreats`, `createThreat`); never rename. */
  operationId: string;
  /** A short title (a few words). */
  summary: string;
  /** What it does, who may do it and what is special about its answers. */
  description: string;
};

/**
 * One OpenAPI operation under `tag`. Signed-in (`SECURITY`) unless the spec says otherwise
 * (`security: PUBLIC` or `SESSION_ONLY`). Route modules declare every operation with this.
 */
export function operation<R extends OperationSpec>(tag: ApiTag, spec: R) {
  return createRoute({ security: SECURITY, ...spec, tags: [tag] });
}

/** `documents` → `Documents`, `diagram cell` → `DiagramCell`: the noun part of an operation id. */
export function operationNoun(words: string): string {
  return words
    .split(/[\s_-]+/)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}
