/**
 * The portfolio's ledger: an append-only, ordered record of everything that
 * changed the portfolio (fills, trading-day openings, halts). A record is
 * durable once `append` returns; a trade counts only after that. The
 * manager can be rebuilt exactly by replaying the records in `seq` order.
 */

/** One ledger record. The ledger stores it as is; only the manager reads `payload`. */
export type LedgerRecord = {
  /** 1, 2, 3, … with no gaps: the order records were appended in. */
  readonly seq: number;
  /** What the record is (`trade`, `day`, …), for queries and humans. */
  readonly kind: string;
  /** When it happened, epoch ms UTC (the clock of the run: replay or wall). */
  readonly tsMs: number;
  /** The record itself, as JSON written by the manager. */
  readonly payload: string;
};

/**
 * Where ledger records live: in memory (tests, --no-ledger) or in a file
 * (SQLite). Synchronous on purpose: a fill is applied only after its record
 * is durable, with no await between them in the tick.
 */
export interface Ledger {
  /** Stores `record` durably. Throws if `record.seq` is not the next one. */
  append(record: LedgerRecord): void;
  /** Every record, in `seq` order. */
  records(): readonly LedgerRecord[];
  /** The last appended `seq`, 0 when empty. */
  lastSeq(): number;
  /**
   * A small durable key-value store beside the records, for run state that
   * must survive a crash with them (e.g. the last replay tick completed).
   */
  getMeta(key: string): string | undefined;
  setMeta(key: string, value: string): void;
  /**
   * Runs `work` (appends and meta writes) as one unit: all of it is durable
   * when this returns, or, if `work` throws, none of it is stored and the
   * error is rethrown. A caller that applied changes in memory must then
   * treat its state as lost (rebuild from the ledger).
   */
  atomically<T>(work: () => T): T;
  close(): void;
}
