/** The origin `app.request()` uses; cookie-authenticated mutations must send it as Origin. */
export const TEST_ORIGIN = 'http://localhost';

/** The `name=value` of the cookie a response sets (the session cookie after sign-in). */
export function cookieFrom(headers: Headers): string | undefined {
  return headers.get('set-cookie')?.split(';')[0];
}

/** Who a client acts as: a cookie session, an API token, or nobody. */
export type Credentials = { cookie: string } | { token: string } | null;

export interface TestResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  contentType: string | null;
}

interface Fetchable {
  request(input: string, init?: RequestInit): Response | Promise<Response>;
}

/** A small JSON client over `app.request()` (no network), or over a real base URL. */
export function createHttpClient(app: Fetchable, who: Credentials) {
  async function send(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) {
    const h: Record<string, string> = { ...headers };
    if (who && 'cookie' in who) {
      h.cookie = who.cookie;
      h.origin ??= TEST_ORIGIN;
    }
    if (who && 'token' in who) h.authorization = `Bearer ${who.token}`;
    let payload: string | undefined;
    if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      h['content-type'] ??= 'application/json';
    }
    const res = await app.request(path, { method, headers: h, body: payload });
    const contentType = res.headers.get('content-type');
    const text = await res.text();
    let parsed: unknown = text;
    if (contentType?.includes('json') && text) parsed = JSON.parse(text);
    return { status: res.status, headers: res.headers, body: parsed, contentType } as TestResponse;
  }
  return {
    get: (path: string, headers?: Record<string, string>) => send('GET', path, undefined, headers),
    post: (path: string, body?: unknown, headers?: Record<string, string>) =>
      send('POST', path, body, headers),
    put: (path: string, body?: unknown, headers?: Record<string, string>) =>
      send('PUT', path, body, headers),
    patch: (path: string, body?: unknown, headers?: Record<string, string>) =>
      send('PATCH', path, body, { 'content-type': 'application/json-patch+json', ...headers }),
    delete: (path: string, headers?: Record<string, string>) =>
      send('DELETE', path, undefined, headers),
    send,
  };
}

export type HttpClient = ReturnType<typeof createHttpClient>;
