import type { Database, Executor } from '../../db';
import * as repo from '../../db/repositories/metadata.repository';
import type { MetadataOwner, MetadataRow } from '../../db/repositories/metadata.repository';
import type { LiveDiagrams, ServiceRequest } from '../context';
import { conflict, notFound } from '../errors';
import { recordAudit, type Changes } from './audit';
import { authorize } from './policy';

/** API.md limit: at most this many keys per entity. */
export const MAX_METADATA_KEYS = 100;

/** Whose metadata; for a cell, `diagramId` is the diagram holding it. */
export interface MetadataTarget extends MetadataOwner {
  diagramId?: string;
}

export interface MetadataDeps {
  db: Database;
  live: LiveDiagrams;
}

/** 404 unless the entity exists in the model (a cell: exists in its diagram's live cells). */
async function assertTarget({ db, live }: MetadataDeps, t: MetadataTarget): Promise<void> {
  const { entityType: type, threatModelId: tm, entityId: id } = t;
  if (type === 'threat_model') return;
  if (type === 'cell') {
    const diagram = t.diagramId!;
    if (!(await repo.entityExists(db, 'diagram', tm, diagram))) throw notFound('diagram');
    if (!(await live.readCells(diagram)).some((cell) => cell.id === id)) throw notFound('cell');
    return;
  }
  if (!(await repo.entityExists(db, type, tm, id))) throw notFound(type);
}

const owner = (t: MetadataTarget): MetadataOwner => ({
  threatModelId: t.threatModelId,
  entityType: t.entityType,
  entityId: t.entityId,
});

async function audit(
  tx: Executor,
  request: ServiceRequest,
  t: MetadataTarget,
  action: string,
  changes: Changes,
) {
  await recordAudit(tx, request, {
    action: `metadata.${action}`,
    entityType: t.entityType,
    entityId: t.entityId,
    threatModelId: t.threatModelId,
    changes,
  });
}

const crossModel = () =>
  conflict('metadata_conflict', 'Another threat model holds metadata for this entity id.');

export async function listMetadata(
  deps: MetadataDeps,
  request: ServiceRequest,
  { target: t, page }: { target: MetadataTarget; page: { limit: number; offset: number } },
) {
  await authorize(deps.db, request, t.threatModelId, 'read');
  await assertTarget(deps, t);
  const [items, total] = await Promise.all([
    repo.listMetadata(deps.db, owner(t), page),
    repo.countMetadata(deps.db, owner(t)),
  ]);
  return { items, total };
}

/** Replaces every key of the entity with `items` (keys unique, ≤ MAX_METADATA_KEYS). */
export async function replaceMetadata(
  deps: MetadataDeps,
  request: ServiceRequest,
  { target: t, items }: { target: MetadataTarget; items: { key: string; value: string }[] },
): Promise<MetadataRow[]> {
  await authorize(deps.db, request, t.threatModelId, 'edit');
  await assertTarget(deps, t);
  return deps.db.transaction(async (tx) => {
    const removed = await repo.deleteAllMetadata(tx, t.threatModelId, t.entityType, [t.entityId]);
    const rows = await repo.insertMetadata(tx, owner(t), items);
    if (rows.length < items.length) throw crossModel();
    const changes: Changes = {};
    const old = new Map(removed.map((r) => [r.key, r.value]));
    for (const { key, value } of items) {
      if (old.get(key) !== value) changes[key] = { before: old.get(key) ?? null, after: value };
      old.delete(key);
    }
    for (const [key, value] of old) changes[key] = { before: value, after: null };
    await audit(tx, request, t, 'replace', changes);
    return rows.sort((a, b) => (a.key < b.key ? -1 : 1));
  });
}

export async function getMetadataKey(
  deps: MetadataDeps,
  request: ServiceRequest,
  { target: t, key }: { target: MetadataTarget; key: string },
) {
  await authorize(deps.db, request, t.threatModelId, 'read');
  await assertTarget(deps, t);
  const row = await repo.findMetadata(deps.db, owner(t), key);
  if (!row) throw notFound('metadata key');
  return row;
}

/** Sets one key; `created` tells 201 from 200. A new key beyond the limit → 409. */
export async function putMetadataKey(
  deps: MetadataDeps,
  request: ServiceRequest,
  { target: t, key, value }: { target: MetadataTarget; key: string; value: string },
) {
  await authorize(deps.db, request, t.threatModelId, 'edit');
  await assertTarget(deps, t);
  return deps.db.transaction(async (tx) => {
    const before = await repo.findMetadata(tx, owner(t), key);
    if (!before && (await repo.countMetadata(tx, owner(t))) >= MAX_METADATA_KEYS) {
      throw conflict('metadata_limit', `An entity holds at most ${MAX_METADATA_KEYS} keys.`);
    }
    const row = await repo.upsertMetadata(tx, owner(t), key, value);
    if (!row) throw crossModel();
    await audit(tx, request, t, 'set', { [key]: { before: before?.value ?? null, after: value } });
    return { row, created: !before };
  });
}

export async function deleteMetadataKey(
  deps: MetadataDeps,
  request: ServiceRequest,
  { target: t, key }: { target: MetadataTarget; key: string },
): Promise<void> {
  await authorize(deps.db, request, t.threatModelId, 'edit');
  await assertTarget(deps, t);
  await deps.db.transaction(async (tx) => {
    const row = await repo.deleteMetadataKey(tx, owner(t), key);
    if (!row) throw notFound('metadata key');
    await audit(tx, request, t, 'delete', { [key]: { before: row.value, after: null } });
  });
}
