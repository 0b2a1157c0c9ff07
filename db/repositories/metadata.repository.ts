import { and, asc, count, eq, inArray } from 'drizzle-orm';
import type { Executor } from '../client';
import { diagrams, documents, metadata, repositories, threats } from '../schema';
import type { MetadataEntityType } from '../schema/enums';

export type MetadataRow = typeof metadata.$inferSelect;

/** Whose metadata: the entity and the model it lives in (every query is scoped by both). */
export interface MetadataOwner {
  threatModelId: string;
  entityType: MetadataEntityType;
  entityId: string;
}

const of = (o: MetadataOwner) =>
  and(
    eq(metadata.threatModelId, o.threatModelId),
    eq(metadata.entityType, o.entityType),
    eq(metadata.entityId, o.entityId),
  );

/** One page of an entity's metadata, by key. */
export async function listMetadata(
  db: Executor,
  owner: MetadataOwner,
  page: { limit: number; offset: number },
): Promise<MetadataRow[]> {
  return db
    .select()
    .from(metadata)
    .where(of(owner))
    .orderBy(asc(metadata.key))
    .limit(page.limit)
    .offset(page.offset);
}

export async function countMetadata(db: Executor, owner: MetadataOwner): Promise<number> {
  const [row] = await db.select({ n: count() }).from(metadata).where(of(owner));
  return row?.n ?? 0;
}

export async function findMetadata(
  db: Executor,
  owner: MetadataOwner,
  key: string,
): Promise<MetadataRow | null> {
  const [row] = await db
    .select()
    .from(metadata)
    .where(and(of(owner), eq(metadata.key, key)));
  return row ?? null;
}

/**
 * Sets one key. The unique key is (entity_type, entity_id, key) without the model, so the
 * update only happens for a row of the same model: a cell id reused in another model can
 * never overwrite that model's metadata (null comes back instead).
 */
export async function upsertMetadata(
  db: Executor,
  owner: MetadataOwner,
  key: string,
  value: string,
): Promise<MetadataRow | null> {
  const [row] = await db
    .insert(metadata)
    .values({ ...owner, key, value })
    .onConflictDoUpdate({
      target: [metadata.entityType, metadata.entityId, metadata.key],
      set: { value, modifiedAt: new Date() },
      setWhere: eq(metadata.threatModelId, owner.threatModelId),
    })
    .returning();
  return row ?? null;
}

/**
 * Inserts many keys of one entity in one statement (after deleteAllMetadata). Keys held by
 * the same entity id in another model are skipped, so fewer rows than items come back.
 */
export async function insertMetadata(
  db: Executor,
  owner: MetadataOwner,
  items: { key: string; value: string }[],
): Promise<MetadataRow[]> {
  if (!items.length) return [];
  return db
    .insert(metadata)
    .values(items.map((i) => ({ ...owner, ...i })))
    .onConflictDoNothing()
    .returning();
}

/** Every metadata row of a model (an export), by entity and key. */
export async function listModelMetadata(
  db: Executor,
  threatModelId: string,
): Promise<MetadataRow[]> {
  return db
    .select()
    .from(metadata)
    .where(eq(metadata.threatModelId, threatModelId))
    .orderBy(asc(metadata.entityType), asc(metadata.entityId), asc(metadata.key));
}

/** Inserts the metadata of many entities (an import) in one statement. */
export async function insertMetadataRows(
  db: Executor,
  rows: (MetadataOwner & { key: string; value: string })[],
): Promise<void> {
  if (rows.length) await db.insert(metadata).values(rows).onConflictDoNothing();
}

export async function deleteMetadataKey(
  db: Executor,
  owner: MetadataOwner,
  key: string,
): Promise<MetadataRow | null> {
  const [row] = await db
    .delete(metadata)
    .where(and(of(owner), eq(metadata.key, key)))
    .returning();
  return row ?? null;
}

/** Removes every key of the given entities (when they are deleted or replaced wholesale). */
export async function deleteAllMetadata(
  db: Executor,
  threatModelId: string,
  entityType: MetadataEntityType,
  entityIds: string[],
): Promise<MetadataRow[]> {
  if (!entityIds.length) return [];
  return db
    .delete(metadata)
    .where(
      and(
        eq(metadata.threatModelId, threatModelId),
        eq(metadata.entityType, entityType),
        inArray(metadata.entityId, entityIds),
      ),
    )
    .returning();
}

const TABLES = {
  threat: threats,
  diagram: diagrams,
  document: documents,
  repository: repositories,
};

/** True when the threat, diagram, document or repository exists in this model. */
export async function entityExists(
  db: Executor,
  entityType: keyof typeof TABLES,
  threatModelId: string,
  id: string,
): Promise<boolean> {
  const table = TABLES[entityType];
  const rows = await db
    .select({ id: table.id })
    .from(table)
    .where(and(eq(table.id, id), eq(table.threatModelId, threatModelId)));
  return rows.length > 0;
}
