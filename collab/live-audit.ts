import type { Logger } from 'pino';
import type { Database } from '../db';
import * as auditRepo from '../db/repositories/audit.repository';

/** A cell as the audit log names it: its label (or nothing) and whether it is a flow. */
export interface NamedCell {
  id: string;
  label: string | null;
  flow: boolean;
}

export interface LiveEditEffects {
  added: NamedCell[];
  changed: NamedCell[];
  deleted: NamedCell[];
}

interface Pending {
  userId: string;
  since: number;
  added: Map<string, NamedCell>;
  changed: Map<string, NamedCell>;
  deleted: Map<string, NamedCell>;
  timer: NodeJS.Timeout;
}

export interface LiveAuditOptions {
  db: Database;
  logger: Logger;
  diagramId: string;
  threatModelId: string;
  /** One entry per user per this window of editing. */
  windowMs: number;
}

/**
 * The audit trail of one room's live edits: per user, what they added, changed and deleted
 * within a window is written as one `diagram.live_edit` entry naming the cells ("deleted
 * Database and 2 flows"). A cell added and deleted within the window is not mentioned.
 */
export class LiveAudit {
  private readonly pending = new Map<string, Pending>();
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly options: LiveAuditOptions) {}

  note(userId: string, effects: LiveEditEffects): void {
    if (!effects.added.length && !effects.changed.length && !effects.deleted.length) return;
    let entry = this.pending.get(userId);
    if (!entry) {
      const timer = setTimeout(() => this.flush(userId), this.options.windowMs);
      timer.unref();
      entry = {
        userId,
        since: Date.now(),
        added: new Map(),
        changed: new Map(),
        deleted: new Map(),
        timer,
      };
      this.pending.set(userId, entry);
    }
    for (const cell of effects.added) entry.added.set(cell.id, cell);
    for (const cell of effects.changed) {
      if (entry.added.has(cell.id)) entry.added.set(cell.id, cell);
      else entry.changed.set(cell.id, cell);
    }
    for (const cell of effects.deleted) {
      if (entry.added.delete(cell.id)) continue;
      entry.changed.delete(cell.id);
      entry.deleted.set(cell.id, cell);
    }
  }

  /** Writes every pending entry now (a session ends, the room unloads, the server stops). */
  flushAll(): Promise<void> {
    for (const userId of [...this.pending.keys()]) this.flush(userId);
    return this.writing;
  }

  private flush(userId: string): void {
    const entry = this.pending.get(userId);
    if (!entry) return;
    this.pending.delete(userId);
    clearTimeout(entry.timer);
    const added = [...entry.added.values()];
    const changed = [...entry.changed.values()];
    const deleted = [...entry.deleted.values()];
    if (!added.length && !changed.length && !deleted.length) return;
    const summary = describeLiveEdit({ added, changed, deleted });
    const list = (cells: NamedCell[]) =>
      cells.length
        ? { before: null, after: cells.map(({ id, label, flow }) => ({ id, label, flow })) }
        : undefined;
    const changes: Record<string, { before: unknown; after: unknown }> = {
      summary: { before: null, after: summary },
    };
    for (const [key, cells] of [
      ['added', added],
      ['changed', changed],
      ['deleted', deleted],
    ] as const) {
      const value = list(cells);
      if (value) changes[key] = value;
    }
    const { db, logger, diagramId, threatModelId } = this.options;
    this.writing = this.writing
      .then(() =>
        auditRepo.insertAuditEntry(db, {
          actorId: userId,
          action: 'diagram.live_edit',
          entityType: 'diagram',
          entityId: diagramId,
          threatModelId,
          changes,
        }),
      )
      .catch((err) => logger.warn({ err, diagramId }, 'live edit audit failed'));
  }
}

/**
 * "added Web app, changed Orders API and deleted Database and 2 flows": named cells first
 * (at most three per verb), the rest counted as flows or elements.
 */
export function describeLiveEdit(effects: LiveEditEffects): string {
  const part = (verb: string, cells: NamedCell[]): string | null => {
    if (!cells.length) return null;
    const named = cells.filter((c) => c.label && !c.flow).slice(0, 3);
    const rest = cells.filter((c) => !named.includes(c));
    const flows = rest.filter((c) => c.flow).length;
    const others = rest.length - flows;
    const words = named.map((c) => c.label as string);
    if (others) words.push(`${others} ${others === 1 ? 'element' : 'elements'}`);
    if (flows) words.push(`${flows} ${flows === 1 ? 'flow' : 'flows'}`);
    return `${verb} ${joinWords(words)}`;
  };
  const parts = [
    part('added', effects.added),
    part('changed', effects.changed),
    part('deleted', effects.deleted),
  ].filter((p): p is string => p !== null);
  return joinWords(parts);
}

function joinWords(words: string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}
