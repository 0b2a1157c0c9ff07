import type { Executor } from '../../db';
import * as accessRepo from '../../db/repositories/access.repository';
import * as reviewsRepo from '../../db/repositories/reviews.repository';
import { can } from '../../model/roles';
import type { ServiceRequest } from '../context';
import { badRequest, conflict, forbidden } from '../errors';
import { recordAudit } from './audit';
import { notify } from './notifications.service';
import { authorize } from './policy';

// The review workflow on a model's status: a writer requests review (draft → in_review,
// optionally naming reviewers); an owner approves (→ approved); a reviewer or owner requests
// changes (→ draft). Every move is audited and notifies the people it concerns.

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

/** An owner approves (→ approved) or a reviewer+ requests changes (→ draft). */
export async function decideReview(
  db: Executor,
  request: ServiceRequest,
  {
    threatModelId: tmId,
    decision: input,
  }: { threatModelId: string; decision: { decision: Decision; note?: string } },
) {
  const role = await authorize(db, request, tmId, 'comment');
  if (input.decision === 'approved' && !can(role, 'manage'))
    throw forbidden('Only an owner can approve.');
  const to = input.decision === 'approved' ? 'approved' : 'draft';
  return db.transaction(async (tx) => {
    const model = await reviewsRepo.transitionModelStatus(tx, tmId, ['in_review'], to);
    if (!model) throw conflict('invalid_status', 'The model is not in review.');
    const closed = await reviewsRepo.decideOpenReviews(tx, tmId, {
      state: input.decision,
      decidedBy: request.user.id,
      note: input.note ?? null,
    });
    await recordAudit(tx, request, {
      action: `threat_model.review_${input.decision}`,
      entityType: 'threat_model',
      entityId: tmId,
      threatModelId: tmId,
      changes: {
        status: { before: 'in_review', after: to },
        note: { before: null, after: input.note ?? null },
      },
    });
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
            input.decision === 'approved'
              ? `${request.user.name} approved ${model.name}`
              : `${request.user.name} requested changes to ${model.name}`,
          data: { threat_model_id: tmId, decision: input.decision, note: input.note ?? null },
        })),
    );
    return { model, reviews: closed };
  });
}
