import * as Y from 'yjs';
import { CloseCode } from './close-codes';
import type { CollabConnection } from './collab-connection';
import { encodeSyncStep2 } from './protocol';

export interface SyncAnswerLimits {
  /** Answers a connection gets at once… */
  burst: number;
  /** …then one per this interval. */
  intervalMs: number;
  /** Requests that arrive while one already waits; beyond, the peer is closed. */
  maxWaiting: number;
  /** An answer waits while more than this is still queued towards the peer. */
  maxOutstandingBytes: number;
}

interface Budget {
  tokens: number;
  refilledAt: number;
  /** The latest state vector asked for while no answer was due (the latest wins). */
  waiting: Uint8Array | null;
  waitingCount: number;
  timer: NodeJS.Timeout | null;
}

const EMPTY_STATE_VECTOR = Y.encodeStateVector(new Y.Doc());

/**
 * Answers sync step 1 for one room. The whole state (what a fresh join asks for) is encoded
 * once per document change and reused; each connection is answered at a bounded rate and
 * not while much is still queued towards it, so asking again and again costs the node no
 * more than one honest join. A peer that keeps asking is closed (1008).
 */
export class SyncAnswers {
  private full: Uint8Array | null = null;
  private readonly budgets = new WeakMap<CollabConnection, Budget>();
  /** Whole-state encodings computed (diagnostics and tests). */
  encodings = 0;

  constructor(
    private readonly doc: Y.Doc,
    private readonly limits: SyncAnswerLimits,
  ) {}

  /** The document changed: the cached encoding is stale. */
  invalidate(): void {
    this.full = null;
  }

  /** A peer's sync step 1. */
  request(conn: CollabConnection, stateVector: Uint8Array): void {
    const budget = this.budgetOf(conn);
    this.refill(budget);
    if (budget.waiting === null && budget.tokens >= 1 && !this.backedUp(conn)) {
      budget.tokens--;
      conn.send(this.answer(stateVector));
      return;
    }
    if (budget.waiting !== null && ++budget.waitingCount > this.limits.maxWaiting) {
      this.forget(conn);
      conn.close(CloseCode.PolicyViolation, 'too many sync requests');
      return;
    }
    budget.waiting = stateVector;
    this.schedule(conn, budget);
  }

  /** Stops any answer still waiting for a connection that left. */
  forget(conn: CollabConnection): void {
    const budget = this.budgets.get(conn);
    if (budget?.timer) clearTimeout(budget.timer);
    this.budgets.delete(conn);
  }

  private answer(stateVector: Uint8Array): Uint8Array {
    if (!sameBytes(stateVector, EMPTY_STATE_VECTOR)) return encodeSyncStep2(this.doc, stateVector);
    if (!this.full) {
      this.full = encodeSyncStep2(this.doc, EMPTY_STATE_VECTOR);
      this.encodings++;
    }
    return this.full;
  }

  private backedUp(conn: CollabConnection): boolean {
    return conn.ws.bufferedAmount > this.limits.maxOutstandingBytes;
  }

  private budgetOf(conn: CollabConnection): Budget {
    let budget = this.budgets.get(conn);
    if (!budget) {
      budget = {
        tokens: this.limits.burst,
        refilledAt: Date.now(),
        waiting: null,
        waitingCount: 0,
        timer: null,
      };
      this.budgets.set(conn, budget);
    }
    return budget;
  }

  private refill(budget: Budget): void {
    const now = Date.now();
    const earned = Math.floor((now - budget.refilledAt) / this.limits.intervalMs);
    if (earned > 0) {
      budget.tokens = Math.min(this.limits.burst, budget.tokens + earned);
      budget.refilledAt += earned * this.limits.intervalMs;
    }
  }

  private schedule(conn: CollabConnection, budget: Budget): void {
    if (budget.timer) return;
    const due = Math.max(10, budget.refilledAt + this.limits.intervalMs - Date.now());
    budget.timer = setTimeout(() => {
      budget.timer = null;
      if (conn.isClosed || budget.waiting === null) return;
      this.refill(budget);
      if (budget.tokens < 1 || this.backedUp(conn)) return this.schedule(conn, budget);
      budget.tokens--;
      const stateVector = budget.waiting;
      budget.waiting = null;
      budget.waitingCount = 0;
      conn.send(this.answer(stateVector));
    }, due);
    budget.timer.unref();
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && a.every((v, i) => v === b[i]);
}
