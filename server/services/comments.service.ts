import * as commentsRepo from '../../db/repositories/comments.repository';
import type { CommentFilters, CommentRow } from '../../db/repositories/comments.repository';
import * as reviewsRepo from '../../db/repositories/reviews.repository';
import { removeLiveComments, writeLiveComment, type LiveComment } from '../../model/comments';
import { can, type Role } from '../../model/roles';
import type { Database } from '../../db';
import type { AppDeps, ServiceRequest } from '../context';
import { badRequest, forbidden, notFound, preconditionFailed } from '../errors';
import { assertVersion } from '../http';
import { diffChanges, recordAudit } from './audit';
import { resolveMentions } from './mentions';
import { notify, type NotificationInput } from './notifications.service';
import { authorize } from './policy';

type Author = { id: string; name: string; email: string } | null;
export interface CommentView {
  comment: CommentRow;
  author: Author;
  /** The cell it was anchored to no longer exists in the diagram. */
  detached: boolean;
}

const toLive = (c: CommentRow, author: Author): LiveComment => ({
  id: c.id,
  body: c.body,
  author: author ? { id: author.id, name: author.name } : null,
  diagram_id: c.diagramId,
  cell_id: c.cellId,
  threat_id: c.threatId,
  parent_id: c.parentId,
  resolved_at: c.resolvedAt?.toISOString() ?? null,
  resolved_by: c.resolvedBy,
  created_at: c.createdAt.toISOString(),
  modified_at: c.modifiedAt.toISOString(),
});

// Threaded review comments. The database is the source of truth; after each committed change
// the comment is mirrored into the diagram's live document (`comments` map) as a server
// transaction, so every participant sees it without a reload.

/** What comment services need: the database, the live documents, and a logger for mirroring. */
export interface CommentDeps {
  db: Database;
  live: AppDeps['live'];
  logger: AppDeps['logger'];
}

/** Names one comment of a model. */
export interface CommentRef {
  threatModelId: string;
  commentId: string;
}

async function mirror(
  deps: CommentDeps,
  diagramId: string | null,
  change: Parameters<AppDeps['live']['transact']>[1],
) {
  if (!diagramId) return;
  try {
    await deps.live.transact(diagramId, change, null);
  } catch (err) {
    // REST already committed; the live view catches up on the next write or reload.
    deps.logger.warn({ err, diagramId }, 'could not mirror a comment into the live document');
  }
}

/** Marks comments whose cell is gone; reads each diagram of the page once. */
async function withDetached(
  deps: CommentDeps,
  rows: { comment: CommentRow; author: Author }[],
): Promise<CommentView[]> {
  const diagramIds = [
    ...new Set(rows.filter((r) => r.comment.cellId).map((r) => r.comment.diagramId!)),
  ];
  const cellsByDiagram = new Map<string, Set<string>>();
  for (const id of diagramIds) {
    cellsByDiagram.set(id, new Set((await deps.live.readCells(id)).map((c) => c.id)));
  }
  return rows.map((r) => ({
    ...r,
    detached: Boolean(
      r.comment.cellId && !cellsByDiagram.get(r.comment.diagramId!)?.has(r.comment.cellId),
    ),
  }));
}

async function load(
  { db }: CommentDeps,
  request: ServiceRequest,
  { threatModelId, commentId }: CommentRef,
  action: 'read' | 'comment',
) {
  const role = await authorize(db, request, threatModelId, action);
  const found = await commentsRepo.findComment(db, threatModelId, commentId);
  if (!found) throw notFound('comment');
  return { role, ...found };
}

/** One conditional write of a comment (If-Match checked first), audited and mirrored. */
async function update(
  deps: CommentDeps,
  request: ServiceRequest,
  change: {
    current: CommentRow;
    author: Author;
    set: Parameters<typeof commentsRepo.updateComment>[3];
    action: string;
    ifMatch?: number;
  },
): Promise<CommentView> {
  const { current, author } = change;
  assertVersion(change.ifMatch, current.version);
  const updated = await deps.db.transaction(async (tx) => {
    const row = await commentsRepo.updateComment(tx, current.id, current.version, change.set);
    if (!row) throw preconditionFailed(current.version + 1);
    await recordAudit(tx, request, {
      action: change.action,
      entityType: 'comment',
      entityId: row.id,
      threatModelId: current.threatModelId,
      changes: diffChanges(current, row, ['body', 'resolvedAt', 'resolvedBy']),
    });
    return row;
  });
  await mirror(deps, updated.diagramId, (doc) => writeLiveComment(doc, toLive(updated, author)));
  return (await withDetached(deps, [{ comment: updated, author }]))[0]!;
}

const mayModerate = (role: Role, comment: CommentRow, request: ServiceRequest) =>
  comment.authorId === request.user.id || can(role, 'edit');

export async function listComments(
  deps: CommentDeps,
  request: ServiceRequest,
  {
    threatModelId: tmId,
    filters,
    page,
  }: { threatModelId: string; filters: CommentFilters; page: { limit: number; offset: number } },
) {
  await authorize(deps.db, request, tmId, 'read');
  const [rows, total] = await Promise.all([
    commentsRepo.listComments(deps.db, tmId, filters, page),
    commentsRepo.countComments(deps.db, tmId, filters),
  ]);
  return { items: await withDetached(deps, rows), total };
}

export async function getComment(deps: CommentDeps, request: ServiceRequest, ref: CommentRef) {
  const { comment, author } = await load(deps, request, ref, 'read');
  return (await withDetached(deps, [{ comment, author }]))[0]!;
}

/** A comment on the model, a cell or a threat; a reply joins its thread's anchor. */
export async function createComment(
  deps: CommentDeps,
  request: ServiceRequest,
  {
    threatModelId: tmId,
    comment: input,
  }: {
    threatModelId: string;
    comment: {
      body: string;
      diagram_id?: string;
      cell_id?: string;
      threat_id?: string;
      parent_id?: string;
    };
  },
): Promise<CommentView> {
  const { db } = deps;
  await authorize(db, request, tmId, 'comment');
  let anchor = {
    diagramId: input.diagram_id ?? null,
    cellId: input.cell_id ?? null,
    threatId: input.threat_id ?? null,
  };
  let parent: CommentRow | null = null;
  if (input.parent_id) {
    parent = (await commentsRepo.findComment(db, tmId, input.parent_id))?.comment ?? null;
    if (!parent) throw badRequest('parent_id names no comment of this model.');
    if (parent.parentId)
      throw badRequest('Replies are one level deep: reply to the thread, not to a reply.');
    // A reply belongs to its thread's anchor.
    anchor = { diagramId: parent.diagramId, cellId: parent.cellId, threatId: parent.threatId };
  } else {
    if (anchor.cellId && !anchor.diagramId) throw badRequest('cell_id needs diagram_id.');
    const found = await commentsRepo.findAnchors(db, tmId, anchor);
    if (anchor.diagramId && !found.diagramExists)
      throw badRequest('diagram_id names no diagram of this model.');
    if (anchor.threatId && found.threatDiagramId === null)
      throw badRequest('threat_id names no threat of this model.');
    if (anchor.threatId && !anchor.diagramId && found.threatDiagramId)
      anchor.diagramId = found.threatDiagramId;
    if (anchor.cellId) {
      const cells = await deps.live.readCells(anchor.diagramId!);
      if (!cells.some((c) => c.id === anchor.cellId))
        throw badRequest('cell_id names no cell of this diagram.');
    }
  }
  const model = await reviewsRepo.findModelSummary(db, tmId);
  const mentioned = await resolveMentions(db, tmId, input.body, request.user.id);
  const comment = await db.transaction(async (tx) => {
    const row = await commentsRepo.insertComment(tx, {
      threatModelId: tmId,
      ...anchor,
      parentId: parent?.id ?? null,
      authorId: request.user.id,
      body: input.body,
    });
    await recordAudit(tx, request, {
      action: 'comment.create',
      entityType: 'comment',
      entityId: row.id,
      threatModelId: tmId,
      changes: diffChanges(null, row, ['body', 'diagramId', 'cellId', 'threatId', 'parentId']),
    });
    const data = {
      threat_model_id: tmId,
      comment_id: row.id,
      diagram_id: row.diagramId,
      cell_id: row.cellId,
      thread_id: parent?.id ?? row.id,
    };
    const notes: NotificationInput[] = mentioned.map((u) => ({
      userId: u.id,
      threatModelId: tmId,
      type: 'mention',
      title: `${request.user.name} mentioned you in ${model?.name ?? 'a threat model'}`,
      data,
    }));
    if (parent?.authorId && parent.authorId !== request.user.id) {
      notes.push({
        userId: parent.authorId,
        threatModelId: tmId,
        type: 'reply',
        title: `${request.user.name} replied to your comment in ${model?.name ?? 'a threat model'}`,
        data,
      });
    }
    await notify(tx, notes);
    return row;
  });
  const author = { id: request.user.id, name: request.user.name, email: request.user.email };
  await mirror(deps, comment.diagramId, (doc) => writeLiveComment(doc, toLive(comment, author)));
  return { comment, author, detached: false };
}

/** Edits the body (author only), honouring If-Match. */
export async function editComment(
  deps: CommentDeps,
  request: ServiceRequest,
  { ifMatch, body, ...ref }: CommentRef & { ifMatch?: number; body: string },
) {
  const { comment, author } = await load(deps, request, ref, 'comment');
  if (comment.authorId !== request.user.id) throw forbidden('Only the author can edit a comment.');
  return update(deps, request, {
    current: comment,
    author,
    set: { body },
    action: 'comment.edit',
    ifMatch,
  });
}

/** Resolves or reopens a thread (its author or a writer+). */
export async function setCommentResolved(
  deps: CommentDeps,
  request: ServiceRequest,
  { resolved, ...ref }: CommentRef & { resolved: boolean },
) {
  const { role, comment, author } = await load(deps, request, ref, 'comment');
  if (!mayModerate(role, comment, request)) {
    throw forbidden('Only the author or a writer can resolve or reopen a comment.');
  }
  if (comment.parentId) throw badRequest('Resolve the thread, not a reply.');
  const set = resolved
    ? {
        resolvedAt: comment.resolvedAt ?? new Date(),
        resolvedBy: comment.resolvedBy ?? request.user.id,
      }
    : { resolvedAt: null, resolvedBy: null };
  return update(deps, request, {
    current: comment,
    author,
    set,
    action: resolved ? 'comment.resolve' : 'comment.reopen',
  });
}

/** Deletes a comment and its replies (its author or an owner), honouring If-Match. */
export async function deleteComment(
  deps: CommentDeps,
  request: ServiceRequest,
  { ifMatch, ...ref }: CommentRef & { ifMatch?: number },
) {
  const { role, comment } = await load(deps, request, ref, 'comment');
  if (comment.authorId !== request.user.id && !can(role, 'manage')) {
    throw forbidden('Only the author or an owner can delete a comment.');
  }
  assertVersion(ifMatch, comment.version);
  const removed = await deps.db.transaction(async (tx) => {
    const ids = await commentsRepo.deleteComment(tx, comment.id);
    await recordAudit(tx, request, {
      action: 'comment.delete',
      entityType: 'comment',
      entityId: comment.id,
      threatModelId: ref.threatModelId,
      changes: diffChanges(comment, null, ['body']),
    });
    return ids;
  });
  await mirror(deps, comment.diagramId, (doc) => removeLiveComments(doc, removed));
}
