import * as commentsRepo from '../../db/repositories/comments.repository';
import type { CommentFilters, CommentRow } from '../../db/repositories/comments.repository';
import * as reviewsRepo from '../../db/repositories/reviews.repository';
import { removeLiveComments, writeLiveComment, type LiveComment } from '../../model/comments';
import { can, type Role } from '../../model/roles';
import type { Actor, AppDeps, Caller } from '../context';
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

/**
 * Threaded review comments. The database is the source of truth; after each committed change
 * the comment is mirrored into the diagram's live document (`comments` map) as a server
 * transaction, so every participant sees it without a reload.
 */
export function createCommentsService(deps: AppDeps) {
  const db = deps.db.db;

  async function mirror(
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

  async function load(caller: Caller, tmId: string, id: string, action: 'read' | 'comment') {
    const role = await authorize(db, caller, tmId, action);
    const found = await commentsRepo.findComment(db, tmId, id);
    if (!found) throw notFound('comment');
    return { role, ...found };
  }

  async function update(
    actor: Actor,
    tmId: string,
    current: CommentRow,
    author: Author,
    set: Parameters<typeof commentsRepo.updateComment>[3],
    action: string,
    expectedVersion?: number,
  ): Promise<CommentView> {
    assertVersion(expectedVersion, current.version);
    const updated = await db.transaction(async (tx) => {
      const row = await commentsRepo.updateComment(tx, current.id, current.version, set);
      if (!row) throw preconditionFailed(current.version + 1);
      await recordAudit(tx, actor, {
        action,
        entityType: 'comment',
        entityId: row.id,
        threatModelId: tmId,
        changes: diffChanges(current, row, ['body', 'resolvedAt', 'resolvedBy']),
      });
      return row;
    });
    await mirror(updated.diagramId, (doc) => writeLiveComment(doc, toLive(updated, author)));
    return (await withDetached([{ comment: updated, author }]))[0]!;
  }

  const mayModerate = (role: Role, comment: CommentRow, caller: Caller) =>
    comment.authorId === caller.user.id || can(role, 'edit');

  return {
    async list(
      caller: Caller,
      tmId: string,
      filters: CommentFilters,
      page: { limit: number; offset: number },
    ) {
      await authorize(db, caller, tmId, 'read');
      const [rows, total] = await Promise.all([
        commentsRepo.listComments(db, tmId, filters, page),
        commentsRepo.countComments(db, tmId, filters),
      ]);
      return { items: await withDetached(rows), total };
    },

    async get(caller: Caller, tmId: string, id: string) {
      const { comment, author } = await load(caller, tmId, id, 'read');
      return (await withDetached([{ comment, author }]))[0]!;
    },

    async create(
      caller: Caller,
      actor: Actor,
      tmId: string,
      input: {
        body: string;
        diagram_id?: string;
        cell_id?: string;
        threat_id?: string;
        parent_id?: string;
      },
    ): Promise<CommentView> {
      await authorize(db, caller, tmId, 'comment');
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
      const mentioned = await resolveMentions(db, tmId, input.body, caller.user.id);
      const comment = await db.transaction(async (tx) => {
        const row = await commentsRepo.insertComment(tx, {
          threatModelId: tmId,
          ...anchor,
          parentId: parent?.id ?? null,
          authorId: caller.user.id,
          body: input.body,
        });
        await recordAudit(tx, actor, {
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
          title: `${caller.user.name} mentioned you in ${model?.name ?? 'a threat model'}`,
          data,
        }));
        if (parent?.authorId && parent.authorId !== caller.user.id) {
          notes.push({
            userId: parent.authorId,
            threatModelId: tmId,
            type: 'reply',
            title: `${caller.user.name} replied to your comment in ${model?.name ?? 'a threat model'}`,
            data,
          });
        }
        await notify(tx, notes);
        return row;
      });
      const author = { id: caller.user.id, name: caller.user.name, email: caller.user.email };
      await mirror(comment.diagramId, (doc) => writeLiveComment(doc, toLive(comment, author)));
      return { comment, author, detached: false };
    },

    async edit(
      caller: Caller,
      actor: Actor,
      tmId: string,
      id: string,
      body: string,
      expectedVersion?: number,
    ) {
      const { comment, author } = await load(caller, tmId, id, 'comment');
      if (comment.authorId !== caller.user.id)
        throw forbidden('Only the author can edit a comment.');
      return update(actor, tmId, comment, author, { body }, 'comment.edit', expectedVersion);
    },

    async setResolved(caller: Caller, actor: Actor, tmId: string, id: string, resolved: boolean) {
      const { role, comment, author } = await load(caller, tmId, id, 'comment');
      if (!mayModerate(role, comment, caller)) {
        throw forbidden('Only the author or a writer can resolve or reopen a comment.');
      }
      if (comment.parentId) throw badRequest('Resolve the thread, not a reply.');
      const set = resolved
        ? {
            resolvedAt: comment.resolvedAt ?? new Date(),
            resolvedBy: comment.resolvedBy ?? caller.user.id,
          }
        : { resolvedAt: null, resolvedBy: null };
      return update(
        actor,
        tmId,
        comment,
        author,
        set,
        resolved ? 'comment.resolve' : 'comment.reopen',
      );
    },

    async remove(caller: Caller, actor: Actor, tmId: string, id: string, expectedVersion?: number) {
      const { role, comment } = await load(caller, tmId, id, 'comment');
      if (comment.authorId !== caller.user.id && !can(role, 'manage')) {
        throw forbidden('Only the author or an owner can delete a comment.');
      }
      assertVersion(expectedVersion, comment.version);
      const removed = await db.transaction(async (tx) => {
        const ids = await commentsRepo.deleteComment(tx, comment.id);
        await recordAudit(tx, actor, {
          action: 'comment.delete',
          entityType: 'comment',
          entityId: comment.id,
          threatModelId: tmId,
          changes: diffChanges(comment, null, ['body']),
        });
        return ids;
      });
      await mirror(comment.diagramId, (doc) => removeLiveComments(doc, removed));
    },
  };
}
