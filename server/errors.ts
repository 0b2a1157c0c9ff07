import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export interface FieldError {
  path: string;
  message: string;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/**
 * The one error type of the API. Services throw it; `onError` turns it into an RFC 9457
 * `application/problem+json` body.
 */
export class ProblemError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    readonly detail: string,
    readonly errors?: FieldError[],
    readonly headers?: Record<string, string>,
  ) {
    super(detail);
    this.name = 'ProblemError';
  }
}

export const badRequest = (detail: string, errors?: FieldError[]) =>
  new ProblemError(400, 'invalid_input', detail, errors);
export const unauthorized = (detail = 'Sign in to continue.') =>
  new ProblemError(401, 'unauthenticated', detail);
export const forbidden = (detail = 'Your role does not allow this.') =>
  new ProblemError(403, 'forbidden', detail);
export const notFound = (what = 'resource') =>
  new ProblemError(404, 'not_found', `The ${what} does not exist or is not visible to you.`);
export const conflict = (code: string, detail: string) => new ProblemError(409, code, detail);
export const preconditionFailed = (current: number) =>
  new ProblemError(
    412,
    'version_mismatch',
    `If-Match does not match the current version (${current}).`,
  );
export const tooManyRequests = (retryAfterSeconds: number) =>
  new ProblemError(429, 'rate_limited', 'Too many attempts; try again later.', undefined, {
    'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))),
  });

/** 503 while the database cannot be reached; clients retry after `retryAfterSeconds`. */
export const databaseUnavailable = (retryAfterSeconds: number) =>
  new ProblemError(
    503,
    'database_unavailable',
    'The database cannot be reached right now; try again shortly.',
    undefined,
    { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
  );

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: FieldError[];
  request_id?: string;
}

/** Builds a problem+json response for `err` on this request. */
export function problemResponse(c: Context, err: ProblemError): Response {
  const body: ProblemBody = {
    type: `urn:threatroom:problem:${err.code}`,
    title: TITLES[err.status] ?? 'Error',
    status: err.status,
    detail: err.detail,
    code: err.code,
    ...(err.errors ? { errors: err.errors } : {}),
    request_id: c.get('requestId' as never),
  };
  return new Response(JSON.stringify(body), {
    status: err.status,
    headers: {
      'content-type': 'application/problem+json',
      ...(body.request_id ? { 'x-request-id': body.request_id } : {}),
      ...err.headers,
    },
  });
}

/**
 * A body refused before it was read (413 on Content-Length alone) leaves its bytes unread on
 * the connection, so the server will not reuse it: say so, or a keep-alive client sends its
 * next request on a connection that is about to close ("other side closed").
 */
export const bodyTooLarge = () =>
  new ProblemError(413, 'body_too_large', 'The request body is too large.', undefined, {
    Connection: 'close',
  });

/** Maps what Hono itself throws (malformed JSON, body limit) onto our problem codes. */
export function fromHttpException(err: HTTPException): ProblemError {
  const status = err.status as ContentfulStatusCode;
  if (status === 413) return bodyTooLarge();
  const code = status === 400 ? 'invalid_input' : `http_${status}`;
  return new ProblemError(status, code, err.message || TITLES[status] || 'Error');
}
