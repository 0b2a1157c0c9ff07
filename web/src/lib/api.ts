import createClient from 'openapi-fetch';
import type { components, paths } from './api/schema';

/** Schemas of the OpenAPI document, generated at build time (npm run build:web). */
export type Schemas = components['schemas'];

/** JSON body of a 200/201 answer of `path` + `method`, straight from the OpenAPI document. */
export type ResponseOf<
  P extends keyof paths,
  M extends 'get' | 'post' | 'put',
  S extends number = M extends 'post' ? 201 : 200,
> = paths[P][M] extends {
  responses: { [K in S]: { content: { 'application/json': infer B } } };
}
  ? B
  : never;

/**
 * The typed API client. Same origin as the app, so the session cookie rides along and the
 * browser adds Origin to mutations (the server's CSRF check).
 */
export const api = createClient<paths>({ baseUrl: '', credentials: 'same-origin' });

export interface FieldError {
  path: string;
  message: string;
}

/** An API failure with the server's problem+json detail, readable as it stands. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly errors: FieldError[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The detail and every field error on one line, for banners and toasts. */
  get readable(): string {
    if (!this.errors.length) return this.message;
    const fields = this.errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message));
    return `${this.message} (${fields.join('; ')})`;
  }
}

function fromProblem(body: unknown, response: Response): ApiError {
  const p = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const detail =
    typeof p.detail === 'string' && p.detail
      ? p.detail
      : typeof p.title === 'string'
        ? p.title
        : `The server answered ${response.status} ${response.statusText}.`;
  const errors = Array.isArray(p.errors)
    ? p.errors.filter(
        (e): e is FieldError =>
          typeof e === 'object' && e !== null && typeof e.message === 'string',
      )
    : [];
  return new ApiError(
    response.status,
    typeof p.code === 'string' ? p.code : 'error',
    detail,
    errors,
  );
}

type Answer = { data?: unknown; error?: unknown; response: Response };

async function settle<R extends Answer>(request: Promise<R>): Promise<R> {
  let answer: R;
  try {
    answer = await request;
  } catch (err) {
    throw new ApiError(
      0,
      'network',
      'Cannot reach the Threatroom server. Check your connection and try again.',
    );
  }
  if (answer.error !== undefined || !answer.response.ok) {
    throw fromProblem(answer.error, answer.response);
  }
  return answer;
}

/** Awaits an api call and returns its data, or throws an ApiError carrying the problem detail. */
export async function ok<R extends Answer>(request: Promise<R>): Promise<NonNullable<R['data']>> {
  const answer = await settle(request);
  return answer.data as NonNullable<R['data']>;
}

/** Awaits an api call that answers without a body (204), throwing an ApiError on failure. */
export async function done(request: Promise<Answer>): Promise<void> {
  await settle(request);
}

/** A readable message for anything thrown. */
export function messageOf(err: unknown): string {
  if (err instanceof ApiError) return err.readable;
  if (err instanceof Error) return err.message;
  return String(err);
}
