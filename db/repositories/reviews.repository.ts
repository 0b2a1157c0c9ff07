import { and, desc, eq, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Executor } from '../client';
import { reviews, threatModels, users } from '../schema';
import type { ModelStatus, ReviewState } from '../schema/enums';

export type ReviewRow = typeof reviews.$inferSelect;

export async function insertReviews(db: Executor, rows: (typeof reviews.$inferInsert)[]) {
  return db.insert(reviews).values(rows).returning();
}

const requester = alias(users, 'requester');
const reviewer = alias(users, 'reviewer');
const decider = alias(users, 'decider');
const summary = <T extends { id: unknown; name: unknown; email: unknown }>(t: T) => ({
  id: t.id as T['id'],
  name: t.name as T['name'],
  email: t.email as T['email'],
});

/** The model's reviews, newest first, with requester, reviewer and decider in one query. */
export async function listReviews(db: Executor, threatModelId: string) {
  return db
    .select({
      review: reviews,
      requestedBy: summary(requester),
      reviewer: summary(reviewer),
      decidedBy: summary(decider),
    })
    .from(reviews)
    .leftJoin(requester, eq(requester.id, reviews.requestedBy))
    .leftJoin(reviewer, eq(reviewer.id, reviews.reviewerId))
    .leftJoin(decider, eq(decider.id, reviews.decidedBy))
    .where(eq(reviews.threatModelId, threatModelId))
    .orderBy(desc(reviews.createdAt), desc(reviews.id))
    .limit(500);
}

/** Closes the model's open review requests with a decision; returns the closed rows. */
export async function decideOpenReviews(
  db: Executor,
  threatModelId: string,
  decision: { state: Exclude<ReviewState, 'requested'>; decidedBy: string; note: string | null },
) {
  return db
    .update(reviews)
    .set({ ...decision, decidedAt: sql`now()`, modifiedAt: new Date() })
    .where(and(eq(reviews.threatModelId, threatModelId), eq(reviews.state, 'requested')))
    .returning();
}

/**
 * Moves a model's status from one of `from` to `to` (bumping its version); null when the
 * model is not in one of `from` — the caller reports the conflict.
 */
export async function transitionModelStatus(
  db: Executor,
  threatModelId: string,
  from: readonly ModelStatus[],
  to: ModelStatus,
) {
  const [row] = await db
    .update(threatModels)
    .set({
      status: to,
      statusUpdatedAt: sql`now()`,
      version: sql`${threatModels.version} + 1`,
      modifiedAt: new Date(),
    })
    .where(
      and(
        eq(threatModels.id, threatModelId),
        sql`${threatModels.status} in (${sql.join(
          from.map((s) => sql`${s}`),
          sql`, `,
        )})`,
      ),
    )
    .returning({
      id: threatModels.id,
      status: threatModels.status,
      version: threatModels.version,
      name: threatModels.name,
    });
  return row ?? null;
}

export async function findModelSummary(db: Executor, threatModelId: string) {
  const [row] = await db
    .select({
      status: threatModels.status,
      name: threatModels.name,
      version: threatModels.version,
      requireReviewerSignoff: threatModels.requireReviewerSignoff,
    })
    .from(threatModels)
    .where(eq(threatModels.id, threatModelId));
  return row ?? null;
}
