import type { z } from '@hono/zod-openapi';
import { validateCells, type Cell } from '../../model/cells';
import { badRequest } from '../errors';

/**
 * Validates a document built on the server (the result of a JSON Patch) with the same schema
 * the route uses for bodies, so a PATCH can never store what a PUT would refuse.
 */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw badRequest(
    'The patched resource is invalid.',
    result.error.issues.map((issue) => ({
      path: issue.path.join('.') || '(root)',
      message: issue.message,
    })),
  );
}

/**
 * Validates diagram cells with model/ (every problem, with its path under `at`, e.g.
 * `cells[3].source.cell`) and returns the normalized cells.
 */
export function cellsOrBadRequest(input: unknown, at = 'cells'): Cell[] {
  const result = validateCells(input);
  if (result.ok) return result.cells;
  throw badRequest(
    'The diagram cells are invalid.',
    result.errors.map((e) => ({ path: `${at}${e.path}`, message: e.message })),
  );
}
