import { z } from '@hono/zod-openapi';
import { applyPatch, Pointer, type Operation } from 'rfc6902';
import { can, type Action, type Role } from '../model/roles';
import { badRequest, conflict, forbidden } from './errors';

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

/**
 * Applies a JSON Patch to a copy of `document` over an allow-list of top-level fields.
 * A path outside the list → 400; a path needing a higher role than `role` → 403; a failing
 * `test` → 409; any other failure (missing path, bad index) → 400. The caller validates the
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
  const results = applyPatch(copy, patch as Operation[]);
  results.forEach((error, i) => {
    if (!error) return;
    if (error.name === 'TestError')
      throw conflict('patch_test_failed', `Test operation ${i} failed.`);
    throw badRequest(`Operation ${i} could not be applied: ${error.message}`);
  });
  return copy;
}
