import { eq, sql } from 'drizzle-orm';
import type { Executor } from '../client';
import { suggestionDismissals, users } from '../schema';

export type DismissalRow = typeof suggestionDismissals.$inferSelect;
export type NewDismissal = Pick<
  typeof suggestionDismissals.$inferInsert,
  'diagramId' | 'cellId' | 'ruleId' | 'reason' | 'dismissedBy'
>;

/**
 * Records dismissals; dismissing again replaces the reason, who and when (the latest
 * decision is the one shown).
 */
export async function upsertDismissals(
  db: Executor,
  rows: readonly NewDismissal[],
): Promise<DismissalRow[]> {
  if (!rows.length) return [];
  return db
    .insert(suggestionDismissals)
    .values([...rows])
    .onConflictDoUpdate({
      target: [
        suggestionDismissals.diagramId,
        suggestionDismissals.cellId,
        suggestionDismissals.ruleId,
      ],
      set: {
        reason: sql`excluded.reason`,
        dismissedBy: sql`excluded.dismissed_by`,
        dismissedAt: sql`now()`,
      },
    })
    .returning();
}

/** A dismissal with its author's name (for "who and why"). */
export type DismissalView = DismissalRow & { dismissedByName: string | null };

/** Every dismissal on a diagram, oldest first. */
export async function listDismissals(db: Executor, diagramId: string): Promise<DismissalView[]> {
  return db
    .select({
      id: suggestionDismissals.id,
      diagramId: suggestionDismissals.diagramId,
      cellId: suggestionDismissals.cellId,
      ruleId: suggestionDismissals.ruleId,
      reason: suggestionDismissals.reason,
      dismissedBy: suggestionDismissals.dismissedBy,
      dismissedAt: suggestionDismissals.dismissedAt,
      dismissedByName: users.name,
    })
    .from(suggestionDismissals)
    .leftJoin(users, eq(users.id, suggestionDismissals.dismissedBy))
    .where(eq(suggestionDismissals.diagramId, diagramId))
    .orderBy(suggestionDismissals.dismissedAt, suggestionDismissals.id);
}
