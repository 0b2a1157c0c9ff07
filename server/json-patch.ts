import { z } from '@hono/zod-openapi';
import { applyPatch, Pointer, type Operation } from 'rfc6902';
import { can, type Action, type Role } from '../model/roles';
import { badRequest, conflict, forbidden, ProblemError } from './errors';

/** RFC 6902 operations as the OpenAPI document describes them; at most 100 per request. */
export const JsonPatchSchema = z
  .array(
    z.object({
      op: z.enum(['add', 'remove', 'replace', 'move', 'copy', 'test']),
      path: z.string().max(1024),
      from: z.string().max(1024).optional(),
      value: z.unknown().optional(),
    }),
  )
  .min(1)
  .max(100)
  .openapi('JsonPatch');

export type JsonPatch = z.infer<typeof JsonPatchSchema>;

/** For each top-level field a PATCH may touch, the action the caller needs for it. */
export type PatchAllowList = Readonly<Record<string, Action>>;

/** The first segment of a JSON pointer (`/cells/3/label` → `cells`). */
function rootOf(pointer: string, at: string): string {
  let tokens: string[];
  try {
    tokens = Pointer.fromJSON(pointer).tokens;
  } catch {
    throw badRequest(`${at} is not a JSON pointer.`);
  }
  return tokens[1] ?? '';
}

const ARRAY_INDEX = /^(0|[1-9]\d*)$/;

const cannotApply = (i: number, detail: string) =>
  new ProblemError(422, 'patch_not_applicable', `Operation ${i} cannot be applied: ${detail}`);

/**
 * Walks `pointer` through `doc` by own properties only (so `__proto__` or `length` never
 * resolve), up to its parent (`parent`) or to the value itself (`value`). A step into a
 * string, number, boolean or null → 422; a missing member or index → 400.
 */
function resolvePointer(
  doc: unknown,
  pointer: string,
  i: number,
  upTo: 'parent' | 'value',
  op?: string,
) {
  const tokens = Pointer.fromJSON(pointer).tokens.slice(1);
  const steps = upTo === 'parent' ? tokens.slice(0, -1) : tokens;
  let at: unknown = doc;
  let walked = '';
  for (const token of steps) {
    if (at === null || typeof at !== 'object') {
      throw cannotApply(
        i,
        `"${walked}" is ${at === null ? 'null' : `a ${typeof at}`}, not an object or array.`,
      );
    }
    const exists = Array.isArray(at)
      ? ARRAY_INDEX.test(token) && Number(token) < at.length
      : Object.hasOwn(at, token);
    walked += `/${token.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (!exists) throw badRequest(`Operation ${i}: "${walked}" does not exist.`);
    at = (at as Record<string, unknown>)[token];
  }
  if (upTo === 'parent' && tokens.length > 0 && (at === null || typeof at !== 'object')) {
    throw cannotApply(
      i,
      `"${walked || '/'}" is ${at === null ? 'null' : `a ${typeof at}`}, not an object or array.`,
    );
  }
  const last = tokens[tokens.length - 1];
  if (upTo === 'parent' && Array.isArray(at) && last !== undefined) {
    // RFC 6901: an array index is digits without leading zeros, or `-` (past the end, add only).
    if (!ARRAY_INDEX.test(last) && !(last === '-' && op === 'add')) {
      throw badRequest(`Operation ${i}: "${last}" is not an index of the array at "${walked}".`);
    }
  }
}

/**
 * Applies a JSON Patch to a copy of `document` over an allow-list of top-level fields.
 * A path outside the list → 400; a path needing a higher role than `role` → 403; a failing
 * `test` → 409; a path through a string, number or null → 422; any other failure (missing
 * path, bad index) → 400. The caller validates the
 * result with the resource's full schema before storing it.
 */
export function applyJsonPatch<T extends object>(
  document: T,
  patch: JsonPatch,
  allow: PatchAllowList,
  role: Role,
): T {
  patch.forEach((op, i) => {
    for (const [key, pointer] of [
      ['path', op.path],
      ['from', op.from],
    ] as const) {
      if (pointer === undefined) {
        if (key === 'from' && (op.op === 'move' || op.op === 'copy')) {
          throw badRequest(`Operation ${i} (${op.op}) needs "from".`);
        }
        continue;
      }
      const root = rootOf(pointer, `[${i}].${key}`);
      const needs = Object.hasOwn(allow, root) ? allow[root] : undefined;
      if (!needs) {
        throw badRequest(`Operation ${i} touches "${pointer}", which cannot be patched.`, [
          {
            path: `[${i}].${key}`,
            message: `allowed: ${Object.keys(allow)
              .map((k) => `/${k}`)
              .join(', ')}`,
          },
        ]);
      }
      if (!can(role, needs)) throw forbidden(`Changing /${root} needs a higher role than ${role}.`);
    }
    if (op.op !== 'remove' && op.op !== 'move' && op.op !== 'copy' && !('value' in op)) {
      throw badRequest(`Operation ${i} (${op.op}) needs "value".`);
    }
  });
  const copy = structuredClone(document);
  patch.forEach((op, i) => {
    if (op.from !== undefined) resolvePointer(copy, op.from, i, 'value');
    resolvePointer(copy, op.path, i, 'parent', op.op);
    let error: Error | null | undefined;
    try {
      [error] = applyPatch(copy, [op as Operation]);
    } catch (err) {
      // The library assigns into whatever it finds; anything it still trips over is the
      // patch's fault, not ours.
      throw cannotApply(i, err instanceof Error ? err.message : String(err));
    }
    if (!error) return;
    if (error.name === 'TestError')
      throw conflict('patch_test_failed', `Test operation ${i} failed.`);
    throw badRequest(`Operation ${i} could not be applied: ${error.message}`);
  });
  return copy;
}
