import { and, asc, count, eq, isNotNull, isNull, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../client';
import { comments, diagrams, threats, users } from '../schema';

export type CommentRow = typeof comments.$inferSelect;
export type NewComment = typeof comments.$inferInsert;

export interface CommentFilters {
  diagramId?: string;
  cellId?: string;
  threatId?: string;
  resolved?: boolean;
}

const author = { id: users.id, name: users.name, email: users.email };

function where(threatModelId: string, f: CommentFilters): SQL | undefined {
  return and(
    eq(comments.threatModelId, threatModelId),
    f.diagramId ? eq(comments.diagramId, f.diagramId) : undefined,
    f.cellId ? eq(comments.cellId, f.cellId) : undefined,
    f.threatId ? eq(comments.threatId, f.threatId) : undefined,
    f.resolved === undefined
      ? undefined
      : f.resolved
        ? isNotNull(comments.resolvedAt)
        : isNull(comments.resolvedAt),
  );
}

/** A page of a model's comments with their authors, oldest first (threads read top-down). */
export async function listComments(
  db: Executor,
  threatModelId: string,
  filters: CommentFilters,
  page: { limit: number; offset: number },
) {
  return db
    .select({ comment: comments, author })
    .from(comments)
    .leftJoin(users, eq(users.id, comments.authorId))
    .where(where(threatModelId, filters))
    .orderBy(asc(comments.createdAt), asc(comments.id))
    .limit(page.limit)
    .offset(page.offset);
}

export async function countComments(db: Executor, threatModelId: string, filters: CommentFilters) {
  const [row] = await db.select({ n: count() }).from(comments).where(where(threatModelId, filters));
  return row?.n ?? 0;
}

/** One comment of the model with its author, or null. */
export async function findComment(db: Executor, threatModelId: string, id: string) {
  const [row] = await db
    .select({ comment: comments, author })
    .from(comments)
    .leftJoin(users, eq(users.id, comments.authorId))
    .where(and(eq(comments.threatModelId, threatModelId), eq(comments.id, id)));
  return row ?? null;
}

export async function insertComment(db: Executor, values: NewComment): Promise<CommentRow> {
  const [row] = await db.insert(comments).values(values).returning();
  return row!;
}

/** Updates a comment at `version` (optimistic); null when the version moved on. */
/** Every comment of a model with its author, oldest first (exports and reports). */
export async function listAllComments(db: Executor, threatModelId: string) {
  return db
    .select({ comment: comments, author })
    .from(comments)
    .leftJoin(users, eq(users.id, comments.authorId))
    .where(eq(comments.threatModelId, threatModelId))
    .orderBy(asc(comments.createdAt), asc(comments.id));
}

/** Inserts many comments in one statement (an import); parents must come in an earlier call. */
export async function insertComments(db: Executor, rows: NewComment[]): Promise<void> {
  if (rows.length) await db.insert(comments).values(rows);
}

export async function updateComment(
  db: Executor,
  id: string,
  version: number,
  set: Partial<Pick<CommentRow, 'body' | 'resolvedAt' | 'resolvedBy'>>,
): Promise<CommentRow | null> {
  const [row] = await db
    .update(comments)
    .set({ ...set, version: version + 1, modifiedAt: new Date() })
    .where(and(eq(comments.id, id), eq(comments.version, version)))
    .returning();
  return row ?? null;
}

/** Deletes a comment (its replies cascade); returns the ids removed. */
export async function deleteComment(db: Executor, id: string): Promise<string[]> {
  const replies = await db
    .delete(comments)
    .where(eq(comments.parentId, id))
    .returning({ id: comments.id });
  const self = await db.delete(comments).where(eq(comments.id, id)).returning({ id: comments.id });
  return [...self, ...replies].map((r) => r.id);
}

/** Whether the diagram and/or threat a comment anchors to exist in the model (one query). */
export async function findAnchors(
  db: Executor,
  threatModelId: string,
  anchor: { diagramId?: string | null; threatId?: string | null },
) {
  const [row] = await db
    .select({
      diagram: anchor.diagramId
        ? sql<boolean>`exists (select 1 from ${diagrams} where ${diagrams.id} = ${anchor.diagramId} and ${diagrams.threatModelId} = ${threatModelId})`
        : sql<boolean>`true`,
      threatDiagramId: anchor.threatId
        ? sql<
            string | null
          >`(select coalesce(${threats.diagramId}::text, '') from ${threats} where ${threats.id} = ${anchor.threatId} and ${threats.threatModelId} = ${threatModelId})`
        : sql<string | null>`''`,
    })
    .from(sql`(select 1) as one`);
  return {
    diagramExists: Boolean(row?.diagram),
    /** null: no such threat; '': threat without a diagram; else the threat's diagram id. */
    threatDiagramId: row?.threatDiagramId ?? null,
  };
}
