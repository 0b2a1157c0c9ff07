import type { z } from '@hono/zod-openapi';
import type { Database, Executor } from '../../db';
import * as metadataRepo from '../../db/repositories/metadata.repository';
import { adjustCounts, type CountField } from '../../db/repositories/threat-models.repository';
import type { ServiceRequest } from '../context';
import { notFound, preconditionFailed } from '../errors';
import { assertVersion } from '../http';
import { applyJsonPatch, type JsonPatch } from '../json-patch';
import { parseInput } from '../schemas/parse-input';
import { diffChanges, recordAudit } from './audit';
import { authorize } from './policy';

interface ChildRow {
  id: string;
  threatModelId: string;
  version: number;
}

type Page = { limit: number; offset: number; sort: string };
type InModel = { threatModelId: string };
/** Names one child (a document, a repository) of a model. */
type ChildRef = InModel & { id: string };

/** The repository functions of one child table (one query each). */
export interface ChildRepository<Row extends ChildRow, Values> {
  list(db: Executor, threatModelId: string, page: Page): Promise<Row[]>;
  count(db: Executor, threatModelId: string): Promise<number>;
  find(db: Executor, threatModelId: string, id: string): Promise<Row | null>;
  insert(db: Executor, values: Values & { threatModelId: string; createdBy: string }): Promise<Row>;
  update(db: Executor, id: string, version: number, values: Values): Promise<Row | null>;
  remove(db: Executor, id: string, version: number): Promise<Row | null>;
}

export interface ChildSpec<Row extends ChildRow, Input, Values> {
  /** Audit entity type and metadata entity type. */
  entity: 'document' | 'repository';
  countField: CountField;
  repository: ChildRepository<Row, Values>;
  /** The body schema; a PATCH result must satisfy it too. */
  input: z.ZodType<Input>;
  values(input: Input): Values;
  /** The writable fields of a row, as the document a JSON Patch applies to. */
  patchable(row: Row): Record<string, unknown>;
  auditFields: readonly (keyof Row & string)[];
}

/**
 * The service of a plain child of a threat model (documents, repositories): the same rules
 * for each — authorization first, If-Match, conditional writes, counts and audit in one
 * transaction — so the two resources cannot drift apart.
 */
export function childService<Row extends ChildRow, Input, Values>(
  spec: ChildSpec<Row, Input, Values>,
) {
  const { entity, repository: repo } = spec;
  // The patch document of an empty row has exactly the writable keys: the allow-list.
  const allow = Object.fromEntries(
    Object.keys(spec.patchable({} as Row)).map((k) => [k, 'edit' as const]),
  );

  async function findAt(db: Executor, tmId: string, id: string, ifMatch: number | undefined) {
    const row = await repo.find(db, tmId, id);
    if (!row) throw notFound(entity);
    assertVersion(ifMatch, row.version);
    return row;
  }

  async function staleOrGone(tx: Executor, before: Row) {
    const now = await repo.find(tx, before.threatModelId, before.id);
    return now ? preconditionFailed(now.version) : notFound(entity);
  }

  async function write(db: Database, request: ServiceRequest, before: Row, input: Input) {
    return db.transaction(async (tx) => {
      const row = await repo.update(tx, before.id, before.version, spec.values(input));
      if (!row) throw await staleOrGone(tx, before);
      await recordAudit(tx, request, {
        action: `${entity}.update`,
        entityType: entity,
        entityId: row.id,
        threatModelId: row.threatModelId,
        changes: diffChanges(before, row, spec.auditFields),
      });
      return row;
    });
  }

  return {
    async list(
      db: Database,
      request: ServiceRequest,
      { threatModelId: tmId, page }: InModel & { page: Page },
    ) {
      await authorize(db, request, tmId, 'read');
      const [items, total] = await Promise.all([repo.list(db, tmId, page), repo.count(db, tmId)]);
      return { items, total };
    },

    async get(db: Database, request: ServiceRequest, { threatModelId: tmId, id }: ChildRef) {
      await authorize(db, request, tmId, 'read');
      return findAt(db, tmId, id, undefined);
    },

    async create(
      db: Database,
      request: ServiceRequest,
      { threatModelId: tmId, input }: InModel & { input: Input },
    ) {
      await authorize(db, request, tmId, 'edit');
      return db.transaction(async (tx) => {
        const row = await repo.insert(tx, {
          ...spec.values(input),
          threatModelId: tmId,
          createdBy: request.user.id,
        });
        await adjustCounts(tx, tmId, { [spec.countField]: 1 });
        await recordAudit(tx, request, {
          action: `${entity}.create`,
          entityType: entity,
          entityId: row.id,
          threatModelId: tmId,
          changes: diffChanges(null, row, spec.auditFields),
        });
        return row;
      });
    },

    async replace(
      db: Database,
      request: ServiceRequest,
      { threatModelId: tmId, id, ifMatch, input }: ChildRef & { ifMatch?: number; input: Input },
    ) {
      await authorize(db, request, tmId, 'edit');
      return write(db, request, await findAt(db, tmId, id, ifMatch), input);
    },

    /** The patch applies to the version read; the write is conditional on it (else 412). */
    async patch(
      db: Database,
      request: ServiceRequest,
      {
        threatModelId: tmId,
        id,
        ifMatch,
        patch,
      }: ChildRef & { ifMatch?: number; patch: JsonPatch },
    ) {
      const role = await authorize(db, request, tmId, 'edit');
      const before = await findAt(db, tmId, id, ifMatch);
      const patched = applyJsonPatch(spec.patchable(before), patch, allow, role);
      return write(db, request, before, parseInput(spec.input, patched));
    },

    async remove(
      db: Database,
      request: ServiceRequest,
      { threatModelId: tmId, id, ifMatch }: ChildRef & { ifMatch?: number },
    ) {
      await authorize(db, request, tmId, 'edit');
      await db.transaction(async (tx) => {
        const before = await findAt(tx, tmId, id, ifMatch);
        if (!(await repo.remove(tx, id, before.version))) throw await staleOrGone(tx, before);
        await metadataRepo.deleteAllMetadata(tx, tmId, entity, [id]);
        await adjustCounts(tx, tmId, { [spec.countField]: -1 });
        await recordAudit(tx, request, {
          action: `${entity}.delete`,
          entityType: entity,
          entityId: id,
          threatModelId: tmId,
          changes: diffChanges(before, null, spec.auditFields),
        });
      });
    },
  };
}
