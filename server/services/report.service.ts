import type { ReportInput } from '../render/report';
import type { LoadedModel } from './export.service';

/** Who, what and when for the report's cover, review history and open comments. */
export function reportInput(loaded: LoadedModel, options: ReportInput['options']): ReportInput {
  const { portable, detail, reviews, comments, approvals } = loaded;
  const names = (u: { name: string | null } | null) => u?.name ?? '—';
  const reviewers = [
    ...new Set([
      ...detail.grants
        .filter((g) => g.grant.role === 'reviewer')
        .map((g) => g.userName ?? g.teamName ?? 'everyone'),
      ...reviews.map((r) => r.reviewer?.name).filter((n): n is string => !!n),
    ]),
  ];
  const diagramName = new Map(portable.diagrams.map((d) => [d.id, d.name]));
  return {
    portable,
    owner: detail.owner.name,
    status: detail.model.status,
    reviewers,
    // What each sign-off and approval covered: the diagram versions it pinned.
    approvals: approvals.map(({ approval, approvedByName }) => ({
      by: `${approvedByName ?? '—'} (${approval.kind === 'owner' ? 'approved' : 'signed off'})`,
      at: approval.createdAt.toISOString(),
      note: approval.note,
      versions: Object.entries(approval.versions)
        .map(([id, n]) => `${diagramName.get(id) ?? 'a deleted diagram'} v${n}`)
        .join(', '),
    })),
    reviews: reviews.map((r) => ({
      state: r.review.state,
      requested_by: names(r.requestedBy),
      reviewer: r.reviewer?.name ?? null,
      decided_by: r.decidedBy?.name ?? null,
      decided_at: r.review.decidedAt?.toISOString() ?? null,
      note: r.review.note,
      created_at: r.review.createdAt.toISOString(),
    })),
    openComments: comments
      .filter(({ comment }) => !comment.resolvedAt)
      .map(({ comment, author }) => ({
        author: author?.name ?? 'someone',
        body: comment.body,
        created_at: comment.createdAt.toISOString(),
        where: comment.diagramId
          ? (diagramName.get(comment.diagramId) ?? 'a diagram')
          : 'the model',
      })),
    generatedAt: new Date().toISOString(),
    options,
  };
}
