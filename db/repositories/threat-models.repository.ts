import { eq, sql } from 'drizzle-orm';
import type { Executor } from '../client';
import { threatModels } from '../schema';

export type CountField = 'threatCount' | 'diagramCount' | 'documentCount' | 'repositoryCount';

/**
 * Moves the cached child counts of a model by `delta` in the same transaction as the child
 * insert/delete, so the counts never drift from the rows.
 */
export async function adjustCounts(
  db: Executor,
  threatModelId: string,
  delta: Partial<Record<CountField, number>>,
): Promise<void> {
  const set: Partial<Record<CountField, ReturnType<typeof sql>>> = {};
  for (const [field, by] of Object.entries(delta) as [CountField, number][]) {
    if (by) set[field] = sql`${threatModels[field]} + ${by}`;
  }
  if (Object.keys(set).length) {
    await db.update(threatModels).set(set).where(eq(threatModels.id, threatModelId));
  }
}
