/** SQLSTATE of a database error, looking through drizzle's wrapper (`cause`). */
export function sqlState(err: unknown): string | undefined {
  for (let e = err, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** A foreign key violation: the diagram (or user) a row points at is gone. */
export const isForeignKeyViolation = (err: unknown) => sqlState(err) === '23503';

/** A unique violation: two writers raced for the same key. */
export const isUniqueViolation = (err: unknown) => sqlState(err) === '23505';

/** Exponential backoff with jitter, capped: attempt 0 waits about `baseMs`. */
export function backoffMs(attempt: number, baseMs = 100, maxMs = 5_000): number {
  const ideal = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 16));
  return Math.round(ideal * (0.75 + Math.random() * 0.5));
}
