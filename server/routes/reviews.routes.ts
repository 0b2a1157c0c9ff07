import { z } from '@hono/zod-openapi';
import type { ReviewRow } from '../../db/repositories/reviews.repository';
import type { ApprovalRow } from '../../db/repositories/approvals.repository';
import { APPROVAL_KINDS, MODEL_STATUSES, REVIEW_STATES } from '../../db/schema/enums';
import type { AppDeps } from '../context';
import { serviceRequest } from '../http';
import { createRouter, jsonBody, jsonResponse, operation, problems } from '../openapi';
import * as reviews from '../services/reviews.service';
import { iso, NullableUserSummarySchema } from './serializers';

type Person = { id: string | null; name: string | null; email: string | null } | null;
const person = (p: Person) => (p?.id ? { id: p.id, name: p.name!, email: p.email! } : null);

const ReviewSchema = z
  .object({
    id: z.uuid(),
    state: z.enum(REVIEW_STATES),
    requested_by: NullableUserSummarySchema,
    reviewer: NullableUserSummarySchema.openapi({ description: 'Null: any reviewer' }),
    note: z.string().nullable(),
    decided_by: NullableUserSummarySchema,
    decided_at: z.string().nullable(),
    created_at: z.string(),
  })
  .openapi('Review');

const toReview = (r: {
  review: ReviewRow;
  requestedBy?: Person;
  reviewer?: Person;
  decidedBy?: Person;
}) => ({
  id: r.review.id,
  state: r.review.state,
  requested_by: person(r.requestedBy ?? null),
  reviewer: person(r.reviewer ?? null),
  note: r.review.note,
  decided_by: person(r.decidedBy ?? null),
  decided_at: iso(r.review.decidedAt),
  created_at: r.review.createdAt.toISOString(),
});

const Outcome = z
  .object({
    status: z.enum(MODEL_STATUSES),
    version: z.number().int(),
    reviews: z.array(z.object({ id: z.uuid(), state: z.enum(REVIEW_STATES) })),
    approval: z
      .object({
        id: z.uuid(),
        kind: z.enum(APPROVAL_KINDS),
        versions: z.record(z.string(), z.number().int()).openapi({
          description: 'The `approval` version recorded of each diagram (diagram id → number)',
        }),
        created_at: z.string(),
      })
      .nullable()
      .openapi({ description: 'What a sign-off or approval pinned; null otherwise' }),
  })
  .openapi('ReviewOutcome');

const params = z.object({ tm: z.uuid() });

const list = operation('reviews', {
  operationId: 'listReviews',
  method: 'get',
  path: '/',
  summary: 'List reviews',
  description: 'Review requests and their decisions, newest first.',
  request: { params },
  responses: {
    200: jsonResponse(z.object({ items: z.array(ReviewSchema) }), 'Reviews'),
    ...problems(400, 401, 404),
  },
});

const request = operation('reviews', {
  operationId: 'requestReview',
  method: 'post',
  path: '/',
  summary: 'Request a review',
  description:
    'Moves the model from draft (or in review) to `in_review` (writer or owner). Named reviewers must hold reviewer or above (400) and are notified.',
  request: {
    params,
    body: jsonBody(
      z.object({
        reviewer_ids: z.array(z.uuid()).max(20).optional(),
        note: z.string().max(4096).optional(),
      }),
    ),
  },
  responses: {
    201: jsonResponse(Outcome, 'In review'),
    ...problems(400, 401, 403, 404, 409, 413, 415),
  },
});

const decide = operation('reviews', {
  operationId: 'decideReview',
  method: 'post',
  path: '/decision',
  summary: 'Decide a review',
  description:
    '`approved` from an owner approves the model (→ approved, closing the open reviews); from a reviewer or writer it is their sign-off (their open reviews close, the model stays in review). When the review round named reviewers and the model requires it (`require_reviewer_signoff`, default true), the owner can approve only after at least one sign-off (409 `signoff_required`). Both record an `approval` version of every diagram and pin the threat register; the model then reports `drift`. `changes_requested` (reviewer and above) moves it back to draft. 409 unless the model is in review. Notifies the requesters.',
  request: {
    params,
    body: jsonBody(
      z.object({
        decision: z.enum(['approved', 'changes_requested']),
        note: z.string().max(4096).optional(),
      }),
    ),
  },
  responses: {
    200: jsonResponse(Outcome, 'Decided'),
    ...problems(400, 401, 403, 404, 409, 413, 415),
  },
});

const outcome = (r: {
  model: { status: (typeof MODEL_STATUSES)[number]; version: number };
  reviews: ReviewRow[];
  approval?: ApprovalRow | null;
}) => ({
  status: r.model.status,
  version: r.model.version,
  reviews: r.reviews.map((x) => ({ id: x.id, state: x.state })),
  approval: r.approval
    ? {
        id: r.approval.id,
        kind: r.approval.kind,
        versions: r.approval.versions,
        created_at: r.approval.createdAt.toISOString(),
      }
    : null,
});

/** `/api/threat_models/{tm}/reviews` */
export function reviewsRoutes(deps: AppDeps) {
  const db = deps.db.db;
  return createRouter()
    .openapi(list, async (c) => {
      const rows = await reviews.listReviews(db, serviceRequest(c), {
        threatModelId: c.req.valid('param').tm,
      });
      return c.json({ items: rows.map(toReview) }, 200);
    })
    .openapi(request, async (c) => {
      const result = await reviews.requestReview(db, serviceRequest(c), {
        threatModelId: c.req.valid('param').tm,
        review: c.req.valid('json'),
      });
      return c.json(outcome(result), 201);
    })
    .openapi(decide, async (c) => {
      const result = await reviews.decideReview({ db, live: deps.live }, serviceRequest(c), {
        threatModelId: c.req.valid('param').tm,
        decision: c.req.valid('json'),
      });
      return c.json(outcome(result), 200);
    });
}
