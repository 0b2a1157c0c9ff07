import type { ReportBuilder } from './portable';

/**
 * Imported text goes through the limits REST input has (docs/api.md "Limits"): no NUL or
 * other control characters (Postgres refuses NUL in text and jsonb), well-formed UTF-16, and
 * bounded lengths. What had to change is reported, never silently altered.
 */
export const LIMITS = {
  name: 256,
  description: 4096,
  label: 1024,
  metadataValue: 4096,
  metadataKeys: 100,
  comment: 10_000,
} as const;

// Controls except tab, line feed and carriage return.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** The string without control characters, and lone surrogates replaced (invalid UTF-8). */
export function sanitize(value: string): string {
  return value.replace(LONE_SURROGATE, '\uFFFD').replace(CONTROL, '');
}

const stringOf = (value: unknown): string | null =>
  typeof value === 'string'
    ? value
    : typeof value === 'number' && Number.isFinite(value)
      ? String(value)
      : null;

/**
 * A text field: sanitized and cut to `max` characters; null when absent or empty. Changes are
 * reported under `path`.
 */
export function text(
  value: unknown,
  max: number,
  path: string,
  report: ReportBuilder,
): string | null {
  const raw = stringOf(value);
  if (raw === null || raw === '') return null;
  let out = sanitize(raw);
  if (out !== raw) report.changed(path, 'control characters', 'removed');
  if (out.length > max) {
    report.changed(path, `text longer than ${max} characters`, `cut to ${max}`);
    out = out.slice(0, max);
  }
  return out === '' ? null : out;
}

/** A required name: trimmed, bounded, and `fallback` when empty. */
export function name(value: unknown, fallback: string, path: string, report: ReportBuilder) {
  const out =
    text(value, LIMITS.name + 64, path, report)
      ?.trim()
      .slice(0, LIMITS.name) ?? '';
  if (out) return out;
  report.changed(path, 'empty name', `named "${fallback}"`);
  return fallback;
}

/**
 * A JSON value (cell `data`, `style`, attributes) with every string and key sanitized;
 * depth-limited (deeper parts are dropped).
 */
export function cleanJson(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return sanitize(value);
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'boolean' || value === null) return value;
  if (depth >= 32) return null;
  if (Array.isArray(value)) return value.map((v) => cleanJson(v, depth + 1));
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v === undefined) continue;
      out[sanitize(k)] = cleanJson(v, depth + 1);
    }
    return out;
  }
  return null;
}

const METADATA_KEY = /^[A-Za-z0-9_.:-]{1,256}$/;

/** Adds a metadata entry within the metadata limits (key pattern, value length, count). */
export function putMetadata(
  target: Record<string, string>,
  key: string,
  value: unknown,
  path: string,
  report: ReportBuilder,
): void {
  const v = text(value, LIMITS.metadataValue, `${path}.${key}`, report);
  if (v === null) return;
  if (!METADATA_KEY.test(key)) {
    report.skip(`${path}.${key}`, 'metadata entry', 'the key is not a valid metadata key');
    return;
  }
  if (!(key in target) && Object.keys(target).length >= LIMITS.metadataKeys) {
    report.skip(`${path}.${key}`, 'metadata entry', `more than ${LIMITS.metadataKeys} keys`);
    return;
  }
  target[key] = v;
}

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export const arrayOf = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export const finite = (v: unknown): number | null => {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : null;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (v: unknown): v is string => typeof v === 'string' && UUID.test(v);

/**
 * Source ids become uuids: a uuid stays, anything else gets a fresh one (remembered, so every
 * reference to the same source id lands on the same cell).
 */
export class IdMap {
  private readonly ids = new Map<string, string>();
  /** The ids handed out, so that a check stays O(1) however large the file. */
  private readonly used = new Set<string>();
  of(source: unknown): string {
    const key = typeof source === 'string' || typeof source === 'number' ? String(source) : '';
    if (!key) return crypto.randomUUID();
    let id = this.ids.get(key);
    if (!id) {
      id = isUuid(key) && !this.used.has(key) ? key : crypto.randomUUID();
      this.ids.set(key, id);
      this.used.add(id);
    }
    return id;
  }
  has(source: unknown): boolean {
    return this.ids.has(String(source));
  }
  get(source: unknown): string | undefined {
    return this.ids.get(String(source));
  }
}
