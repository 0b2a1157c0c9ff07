import { and, desc, eq, gte, sql } from 'drizzle-orm';
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
 * The current review round: when the latest review was requested, and the reviewers it named
 * (none for an open request). Null when review was never requested. The latest request is
 * found in SQL: timestamps keep microseconds there and would not survive a trip through JS.
 */
export async function findReviewRound(db: Executor, threatModelId: string) {
  const rows = await db
    .select({ reviewerId: reviews.reviewerId, at: reviews.createdAt })
    .from(reviews)
    .where(
      and(
        eq(reviews.threatModelId, threatModelId),
        eq(
          reviews.createdAt,
          sql`(select max(${reviews.createdAt}) from ${reviews} where ${reviews.threatModelId} = ${threatModelId})`,
        ),
      ),
    );
  if (!rows.length) return null;
  return {
    startedAt: rows[0]!.at,
    reviewerIds: rows.flatMap((r) => (r.reviewerId ? [r.reviewerId] : [])),
  };
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
