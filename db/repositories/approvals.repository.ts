import { and, desc, eq, gte, isNotNull, max } from 'drizzle-orm';
import type { Executor } from '../client';
import { approvals, reviews, users } from '../schema';
import type { ApprovalKind } from '../schema/enums';

export type ApprovalRow = typeof approvals.$inferSelect;

export async function insertApproval(
  db: Executor,
  values: {
    threatModelId: string;
    kind: ApprovalKind;
    approvedBy: string;
    note: string | null;
    versions: Record<string, number>;
    threats: unknown[];
  },
): Promise<ApprovalRow> {
  const [row] = await db.insert(approvals).values(values).returning();
  return row!;
}

/** The model's latest owner approval with the approver's name: what drift is measured from. */
export async function findLatestOwnerApproval(db: Executor, threatModelId: string) {
  const [row] = await db
    .select({ approval: approvals, approvedByName: users.name })
    .from(approvals)
    .leftJoin(users, eq(users.id, approvals.approvedBy))
    .where(and(eq(approvals.threatModelId, threatModelId), eq(approvals.kind, 'owner')))
    .orderBy(desc(approvals.createdAt), desc(approvals.id))
    .limit(1);
  return row ?? null;
}

/** A model's approvals and sign-offs with who gave them, newest first (the report lists them). */
export async function listApprovals(db: Executor, threatModelId: string) {
  return db
    .select({ approval: approvals, approvedByName: users.name })
    .from(approvals)
    .leftJoin(users, eq(users.id, approvals.approvedBy))
    .where(eq(approvals.threatModelId, threatModelId))
    .orderBy(desc(approvals.createdAt), desc(approvals.id));
}

/**
 * The current review round: when the latest review was requested, and whether it named
 * reviewers. Null when review was never requested.
 */
export async function findReviewRound(db: Executor, threatModelId: string) {
  const [latest] = await db
    .select({ at: max(reviews.createdAt) })
    .from(reviews)
    .where(eq(reviews.threatModelId, threatModelId));
  if (!latest?.at) return null;
  const named = await db
    .select({ id: reviews.reviewerId })
    .from(reviews)
    .where(
      and(
        eq(reviews.threatModelId, threatModelId),
        eq(reviews.createdAt, latest.at),
        isNotNull(reviews.reviewerId),
      ),
    );
  return { startedAt: latest.at, reviewerIds: named.map((r) => r.id!) };
}

/** Whether any reviewer signed off since `since`. */
export async function hasReviewerSignoffSince(
  db: Executor,
  threatModelId: string,
  since: Date,
): Promise<boolean> {
  const [row] = await db
    .select({ id: approvals.id })
    .from(approvals)
    .where(
      and(
        eq(approvals.threatModelId, threatModelId),
        eq(approvals.kind, 'reviewer'),
        gte(approvals.createdAt, since),
      ),
    )
    .limit(1);
  return Boolean(row);
}

/** Marks `reviewerId`'s open review requests on the model as approved (their sign-off). */
export async function signOffOpenReviews(
  db: Executor,
  threatModelId: string,
  reviewerId: string,
  note: string | null,
) {
  return db
    .update(reviews)
    .set({
      state: 'approved',
      decidedBy: reviewerId,
      decidedAt: new Date(),
      note,
      modifiedAt: new Date(),
    })
    .where(
      and(
        eq(reviews.threatModelId, threatModelId),
        eq(reviews.reviewerId, reviewerId),
        eq(reviews.state, 'requested'),
      ),
    )
    .returning();
}
