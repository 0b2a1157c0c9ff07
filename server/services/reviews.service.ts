import type { Executor } from '../../db';
import * as accessRepo from '../../db/repositories/access.repository';
import * as approvalsRepo from '../../db/repositories/approvals.repository';
import * as reviewsRepo from '../../db/repositories/reviews.repository';
import { can } from '../../model/roles';
import type { ServiceRequest } from '../context';
import { badRequest, conflict } from '../errors';
import { pinApproval, snapshotDiagrams, type ApprovalDeps } from './approvals.service';
import { recordAudit } from './audit';
import { notify } from './notifications.service';
import { authorize } from './policy';

// The review workflow on a model's status: a writer requests review (draft → in_review,
// optionally naming reviewers); reviewers sign off; an owner approves (→ approved); a reviewer
// or owner requests changes (→ draft). Every move is audited and notifies the people it
// concerns; sign-offs and approvals pin what they covered (approvals.service.ts).

export type Decision = 'approved' | 'changes_requested';

/** A model's review requests and decisions, newest first. */
export async function listReviews(
  db: Executor,
  request: ServiceRequest,
  { threatModelId: tmId }: { threatModelId: string },
) {
  await authorize(db, request, tmId, 'read');
  return reviewsRepo.listReviews(db, tmId);
}

/** A writer sends a draft for review (draft → in_review), optionally naming reviewers. */
export async function requestReview(
  db: Executor,
  request: ServiceRequest,
  {
    threatModelId: tmId,
    review: input,
  }: { threatModelId: string; review: { reviewer_ids?: string[]; note?: string } },
) {
  await authorize(db, request, tmId, 'edit');
  const reviewerIds = [...new Set(input.reviewer_ids ?? [])];
  for (const id of reviewerIds) {
    // A named reviewer must be able to comment, or the request could never be answered.
    if (!can(await accessRepo.findEffectiveRole(db, id, tmId), 'comment')) {
      throw badRequest(`User ${id} cannot review this model: grant them reviewer or higher first.`);
    }
  }
  return db.transaction(async (tx) => {
    const model = await reviewsRepo.transitionModelStatus(
      tx,
      tmId,
      ['draft', 'in_review'],
      'in_review',
    );
    if (!model)
      throw conflict(
        'invalid_status',
        'Only a draft (or a model already in review) can be sent for review.',
      );
    const rows = await reviewsRepo.insertReviews(
      tx,
      (reviewerIds.length ? reviewerIds : [null]).map((reviewerId) => ({
        threatModelId: tmId,
        requestedBy: request.user.id,
        reviewerId,
        note: input.note ?? null,
      })),
    );
    await recordAudit(tx, request, {
      action: 'threat_model.review_requested',
      entityType: 'threat_model',
      entityId: tmId,
      threatModelId: tmId,
      changes: {
        status: { before: null, after: 'in_review' },
        reviewers: { before: null, after: reviewerIds },
      },
    });
    await notify(
      tx,
      reviewerIds
        .filter((id) => id !== request.user.id)
        .map((userId) => ({
          userId,
          threatModelId: tmId,
          type: 'review_requested' as const,
          title: `${request.user.name} asked you to review ${model.name}`,
          data: { threat_model_id: tmId, note: input.note ?? null },
        })),
    );
    return { model, reviews: rows };
  });
}

/**
 * A review decision. `approved` from an owner approves the model (→ approved); from a reviewer
 * or writer it is their sign-off (the model stays in review). When the round named reviewers
 * and the model requires it, the owner's approval waits for one sign-off (409). Either records
 * an approval pinned to an `approval` version of every diagram and the threat register.
 * `changes_requested` (reviewer+) sends the model back to draft.
 */
export async function decideReview(
  deps: ApprovalDeps,
  request: ServiceRequest,
  {
    threatModelId: tmId,
    decision: input,
  }: { threatModelId: string; decision: { decision: Decision; note?: string } },
) {
  const { db } = deps;
  const role = await authorize(db, request, tmId, 'comment');
  const note = input.note ?? null;
  if (input.decision === 'approved') {
    const status = await reviewsRepo.findModelSummary(db, tmId);
    if (status?.status !== 'in_review')
      throw conflict('invalid_status', 'The model is not in review.');
    const owner = can(role, 'manage');
    if (owner && status.requireReviewerSignoff) {
      const round = await approvalsRepo.findReviewRound(db, tmId);
      if (
        round?.reviewerIds.length &&
        !(await approvalsRepo.hasReviewerSignoffSince(db, tmId, round.startedAt))
      ) {
        throw conflict(
          'signoff_required',
          'Reviewers were asked to review this model: at least one of them must sign off (decision "approved") before the owner approves.',
        );
      }
    }
    // Taken before the transaction: reading a diagram may load it from the database.
    const snapshots = await snapshotDiagrams(deps, tmId);
    return db.transaction(async (tx) => {
      const model = owner
        ? await reviewsRepo.transitionModelStatus(tx, tmId, ['in_review'], 'approved')
        : await reviewsRepo
            .findModelSummary(tx, tmId)
            .then((m) => (m?.status === 'in_review' ? { ...m, id: tmId } : null));
      if (!model) throw conflict('invalid_status', 'The model is not in review.');
      const closed = owner
        ? await reviewsRepo.decideOpenReviews(tx, tmId, {
            state: 'approved',
            decidedBy: request.user.id,
            note,
          })
        : await approvalsRepo.signOffOpenReviews(tx, tmId, request.user.id, note);
      const approval = await pinApproval(tx, request, {
        threatModelId: tmId,
        kind: owner ? 'owner' : 'reviewer',
        note,
        snapshots,
      });
      await recordAudit(tx, request, {
        action: owner ? 'threat_model.review_approved' : 'threat_model.review_signed_off',
        entityType: 'threat_model',
        entityId: tmId,
        threatModelId: tmId,
        changes: {
          ...(owner ? { status: { before: 'in_review', after: 'approved' } } : {}),
          note: { before: null, after: note },
          approved_versions: { before: null, after: approval.versions },
        },
      });
      await notifyDecision(
        tx,
        request,
        tmId,
        model.name,
        closed,
        owner ? 'approved' : 'signed off',
      );
      return { model, reviews: closed, approval };
    });
  }
  return db.transaction(async (tx) => {
    const model = await reviewsRepo.transitionModelStatus(tx, tmId, ['in_review'], 'draft');
    if (!model) throw conflict('invalid_status', 'The model is not in review.');
    const closed = await reviewsRepo.decideOpenReviews(tx, tmId, {
      state: 'changes_requested',
      decidedBy: request.user.id,
      note,
    });
    await recordAudit(tx, request, {
      action: 'threat_model.review_changes_requested',
      entityType: 'threat_model',
      entityId: tmId,
      threatModelId: tmId,
      changes: {
        status: { before: 'in_review', after: 'draft' },
        note: { before: null, after: note },
      },
    });
    await notifyDecision(tx, request, tmId, model.name, closed, 'requested changes to');
    return { model, reviews: closed, approval: null };
  });
}

/** Tells the requesters of the decided reviews (never the decider). */
async function notifyDecision(
  tx: Executor,
  request: ServiceRequest,
  tmId: string,
  modelName: string,
  closed: { requestedBy: string | null }[],
  verb: 'approved' | 'signed off' | 'requested changes to',
) {
  const requesters = [
    ...new Set(closed.map((r) => r.requestedBy).filter((id): id is string => !!id)),
  ];
  await notify(
    tx,
    requesters
      .filter((id) => id !== request.user.id)
      .map((userId) => ({
        userId,
        threatModelId: tmId,
        type: 'review_decided' as const,
        title:
          verb === 'signed off'
            ? `${request.user.name} signed off ${modelName}`
            : `${request.user.name} ${verb} ${modelName}`,
        data: {
          threat_model_id: tmId,
          decision: verb === 'requested changes to' ? 'changes_requested' : 'approved',
          signed_off: verb === 'signed off',
        },
      })),
  );
}
