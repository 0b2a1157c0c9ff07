/**
 * Errors that mean "the database cannot be reached right now" rather than "this query is
 * wrong": the connection was refused, reset, timed out or closed (postgres.js codes and
 * Node's socket codes), or the server said it is shutting down, starting up or full
 * (SQLSTATE class 08 and 57P01–57P03, 53300). Drizzle wraps driver errors, so the chain of
 * `cause`s is searched.
 */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  '57P01',
  '57P02',
  '57P03',
  '53300',
]);

export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 8; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (CONNECTION_CODES.has(code) || code.startsWith('08'))) {
      return true;
    }
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
