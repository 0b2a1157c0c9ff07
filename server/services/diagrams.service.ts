import type { Database, Executor } from '../../db';
import * as repo from '../../db/repositories/diagrams.repository';
import type { DiagramSummaryRow } from '../../db/repositories/diagrams.repository';
import * as metadataRepo from '../../db/repositories/metadata.repository';
import * as threatsRepo from '../../db/repositories/threats.repository';
import { adjustCounts } from '../../db/repositories/threat-models.repository';
import { applyCellDelta, countCellChanges } from '../../model/cell-changes';
import { withFreshIds, type Cell } from '../../model/cells';
import type * as Y from 'yjs';
import { writeLiveThreat } from '../../model/live-threats';
import { replaceCells } from '../../model/ydoc';
import type { LiveDiagrams, ServiceRequest } from '../context';
import { notFound, preconditionFailed } from '../errors';
import { assertVersion } from '../http';
import { applyJsonPatch, type JsonPatch } from '../json-patch';
import { DiagramFieldsSchema } from '../schemas/diagrams.schemas';
import { cellsOrBadRequest, parseInput } from '../schemas/parse-input';
import { diffChanges, recordAudit, type Changes } from './audit';
import { toLiveThreat } from './live-threats.service';
import { authorize } from './policy';

/** What diagram services need: the database and the live documents (collab/'s interface). */
export interface DiagramDeps {
  db: Database;
  live: LiveDiagrams;
}

const AUDIT_FIELDS = ['name', 'description'] as const;
/** Transaction origin of REST cell writes inside the live document's transaction. */
const REST_ORIGIN = 'rest';

/** Names one diagram of a model. */
export interface DiagramRef {
  threatModelId: string;
  diagramId: string;
}

export async function listDiagrams(
  { db }: DiagramDeps,
  request: ServiceRequest,
  {
    threatModelId,
    page,
  }: { threatModelId: string; page: { limit: number; offset: number; sort: string } },
) {
  await authorize(db, request, threatModelId, 'read');
  const [items, total] = await Promise.all([
    repo.listDiagrams(db, threatModelId, page),
    repo.countDiagrams(db, threatModelId),
  ]);
  return { items, total };
}

/** A diagram with its current cells (the live room's when one is open). */
export async function getDiagram(
  { db, live }: DiagramDeps,
  request: ServiceRequest,
  { threatModelId, diagramId }: DiagramRef,
) {
  await authorize(db, request, threatModelId, 'read');
  const row = await repo.findDiagram(db, threatModelId, diagramId);
  if (!row) throw notFound('diagram');
  return { row, cells: await live.readCells(diagramId) };
}

/**
 * Creates a diagram: the row, the model's count and the audit entry commit together; the
 * cells then go into the live document (its update log lives outside this transaction).
 */
export async function createDiagram(
  { db, live }: DiagramDeps,
  request: ServiceRequest,
  {
    threatModelId,
    diagram: input,
  }: {
    threatModelId: string;
    diagram: { name: string; type: 'DFD-1.0.0'; description?: string | null; cells?: unknown[] };
  },
) {
  await authorize(db, request, threatModelId, 'edit');
  const cells = cellsOrBadRequest(input.cells ?? []);
  const row = await db.transaction(async (tx) => {
    const created = await repo.insertDiagram(tx, {
      threatModelId,
      name: input.name,
      type: input.type,
      description: input.description ?? null,
      createdBy: request.user.id,
    });
    await adjustCounts(tx, threatModelId, { diagramCount: 1 });
    await recordAudit(tx, request, {
      action: 'diagram.create',
      entityType: 'diagram',
      entityId: created.id,
      threatModelId,
      changes: {
        ...diffChanges(null, created, [...AUDIT_FIELDS, 'type']),
        cells: { before: null, after: { added: cells.length, removed: 0, changed: 0 } },
      },
    });
    return created;
  });
  const stored = cells.length
    ? await live.transact(row.id, (doc) => replaceCells(doc, cells, REST_ORIGIN), request.user.id)
    : [];
  return { row, cells: stored };
}

/**
 * Duplicates a diagram within its model: the cells (from the live document when a session is
 * open) under new ids, and with `with_threats` the threats recorded against it, pointing at
 * the copied cells. Row, copied threats, counts and audit entry commit together.
 */
export async function duplicateDiagram(
  { db, live }: DiagramDeps,
  request: ServiceRequest,
  {
    threatModelId: tmId,
    diagramId: id,
    copy: input,
  }: {
    threatModelId: string;
    diagramId: string;
    copy: { name?: string; with_threats: boolean };
  },
) {
  await authorize(db, request, tmId, 'edit');
  const source = await repo.findDiagram(db, tmId, id);
  if (!source) throw notFound('diagram');
  const original = await live.readCells(id);
  const ids = new Map(original.map((c) => [c.id, crypto.randomUUID()]));
  const cells = withFreshIds(original, ids);
  const { row, threats } = await db.transaction(async (tx) => {
    const created = await repo.insertDiagram(tx, {
      threatModelId: tmId,
      name: input.name ?? `${source.name} (copy)`,
      type: source.type,
      description: source.description,
      createdBy: request.user.id,
    });
    const copied = input.with_threats
      ? await threatsRepo.insertThreats(
          tx,
          (await threatsRepo.listThreatsOfDiagram(tx, tmId, id)).map(
            ({ id: _id, createdAt: _c, modifiedAt: _m, version: _v, ...threat }) => ({
              ...threat,
              diagramId: created.id,
              cellId: threat.cellId ? (ids.get(threat.cellId) ?? null) : null,
              cellIds: threat.cellIds.flatMap((c) => (ids.has(c) ? [ids.get(c)!] : [])),
              createdBy: request.user.id,
            }),
          ),
        )
      : [];
    await adjustCounts(tx, tmId, { diagramCount: 1, threatCount: copied.length });
    await recordAudit(tx, request, {
      action: 'diagram.duplicate',
      entityType: 'diagram',
      entityId: created.id,
      threatModelId: tmId,
      changes: {
        ...diffChanges(null, created, [...AUDIT_FIELDS, 'type']),
        source_diagram_id: { before: null, after: id },
        cells: { before: null, after: { added: cells.length, removed: 0, changed: 0 } },
        threats: { before: null, after: copied.length },
      },
    });
    return { row: created, threats: copied };
  });
  // The copies carry no mitigation links, so their summaries need no further reads.
  const stored =
    cells.length || threats.length
      ? await live.transact(
          row.id,
          (doc) => {
            replaceCells(doc, cells, REST_ORIGIN);
            for (const t of threats) writeLiveThreat(doc, toLiveThreat(t, []));
          },
          request.user.id,
        )
      : [];
  return { row, cells: stored, threats: threats.length };
}

/** PUT: replaces name, description and cells (cells made equal field by field). */
export async function replaceDiagram(
  deps: DiagramDeps,
  request: ServiceRequest,
  {
    threatModelId,
    diagramId,
    ifMatch,
    diagram: input,
  }: DiagramRef & {
    ifMatch?: number;
    diagram: { name: string; description?: string | null; cells: unknown[] };
  },
) {
  await authorize(deps.db, request, threatModelId, 'edit');
  const cells = cellsOrBadRequest(input.cells);
  const before = await findAt(deps.db, threatModelId, diagramId, ifMatch);
  const oldCells = await deps.live.readCells(diagramId);
  return writeDiagram(deps, request, before, input, 'diagram.cells.replace', {
    before: oldCells,
    after: cells,
    apply: (doc) => replaceCells(doc, cells, REST_ORIGIN),
  });
}

/** Whether any operation reads or writes `/cells` (renames need not load the document). */
const touchesCells = (patch: JsonPatch) =>
  patch.some((op) => [op.path, op.from ?? ''].some((p) => /^\/cells(\/|$)/.test(p)));

/**
 * PATCH over name, description and cells. The patch is applied to the current cells and the
 * result validated whole; only the cells and fields it changed are written to the live
 * document, so concurrent live edits elsewhere survive.
 */
export async function patchDiagram(
  deps: DiagramDeps,
  request: ServiceRequest,
  { threatModelId, diagramId, ifMatch, patch }: DiagramRef & { ifMatch?: number; patch: JsonPatch },
) {
  const role = await authorize(deps.db, request, threatModelId, 'edit');
  const before = await findAt(deps.db, threatModelId, diagramId, ifMatch);
  const withCells = touchesCells(patch);
  const oldCells = withCells ? await deps.live.readCells(diagramId) : [];
  const document = { name: before.name, description: before.description, cells: oldCells };
  const patched = applyJsonPatch(
    document,
    patch,
    { name: 'edit', description: 'edit', cells: 'edit' },
    role,
  );
  const fields = parseInput(DiagramFieldsSchema, patched);
  const cells = withCells ? cellsOrBadRequest(patched.cells) : null;
  return writeDiagram(
    deps,
    request,
    before,
    fields,
    'diagram.cells.patch',
    cells && {
      before: oldCells,
      after: cells,
      apply: (doc) => applyCellDelta(doc, oldCells, cells),
    },
  );
}

interface CellWrite {
  before: readonly Cell[];
  after: readonly Cell[];
  apply: (doc: Y.Doc) => void;
}

/** The diagram at the caller's If-Match version, or 404 / 412. */
async function findAt(db: Executor, tmId: string, id: string, ifMatch: number | undefined) {
  const row = await repo.findDiagram(db, tmId, id);
  if (!row) throw notFound('diagram');
  assertVersion(ifMatch, row.version);
  return row;
}

/**
 * Bumps the version (conditional on the version read, so a concurrent REST writer gets 412
 * and nothing is written) and audits in one transaction, then writes the cells to the live
 * document. The order matters: the version check must pass before any participant sees cells.
 */
async function writeDiagram(
  { db, live }: DiagramDeps,
  request: ServiceRequest,
  before: DiagramSummaryRow,
  fields: { name: string; description?: string | null },
  cellAction: string,
  cells: CellWrite | null,
) {
  const values = { name: fields.name, description: fields.description ?? null };
  const row = await db.transaction(async (tx) => {
    const updated = await repo.updateDiagram(tx, before.id, before.version, values);
    if (!updated) throw await staleOrGone(tx, before);
    const changes: Changes = diffChanges(before, updated, AUDIT_FIELDS);
    const counts = cells && countCellChanges(cells.before, cells.after);
    if (cells) {
      // Metadata of cells this write removes goes with them (live deletions keep theirs).
      const kept = new Set(cells.after.map((c) => c.id));
      const removed = cells.before.filter((c) => !kept.has(c.id)).map((c) => c.id);
      await metadataRepo.deleteAllMetadata(tx, before.threatModelId, 'cell', removed);
    }
    if (counts && counts.added + counts.removed + counts.changed > 0) {
      changes.cells = {
        before: { count: cells.before.length },
        after: { count: cells.after.length, ...counts },
      };
    }
    await recordAudit(tx, request, {
      action: changes.cells ? cellAction : 'diagram.update',
      entityType: 'diagram',
      entityId: before.id,
      threatModelId: before.threatModelId,
      changes,
    });
    return updated;
  });
  const stored = cells
    ? await live.transact(before.id, cells.apply, request.user.id)
    : await live.readCells(before.id);
  return { row, cells: stored };
}

/** Deletes a diagram with its metadata and its cells' metadata; threats keep their rows. */
export async function deleteDiagram(
  { db, live }: DiagramDeps,
  request: ServiceRequest,
  { threatModelId, diagramId, ifMatch }: DiagramRef & { ifMatch?: number },
): Promise<void> {
  await authorize(db, request, threatModelId, 'edit');
  const before = await findAt(db, threatModelId, diagramId, ifMatch);
  const cellIds = (await live.readCells(diagramId)).map((c) => c.id);
  await db.transaction(async (tx) => {
    const row = await repo.deleteDiagram(tx, diagramId, before.version);
    if (!row) throw await staleOrGone(tx, before);
    await metadataRepo.deleteAllMetadata(tx, threatModelId, 'diagram', [diagramId]);
    await metadataRepo.deleteAllMetadata(tx, threatModelId, 'cell', cellIds);
    await adjustCounts(tx, threatModelId, { diagramCount: -1 });
    await recordAudit(tx, request, {
      action: 'diagram.delete',
      entityType: 'diagram',
      entityId: diagramId,
      threatModelId,
      changes: diffChanges(before, null, AUDIT_FIELDS),
    });
  });
}

/** A conditional write matched nothing: 412 with the current version, or 404 if deleted. */
async function staleOrGone(tx: Executor, before: DiagramSummaryRow) {
  const now = await repo.findDiagram(tx, before.threatModelId, before.id);
  return now ? preconditionFailed(now.version) : notFound('diagram');
}
