/**
 * The {@link Ledger} in memory: for tests, benchmarks and runs without a
 * ledger file. Nothing survives the process; restore works within it.
 */
import { ErrorCode, InvariantError } from '../domain/index.js';
import type { Ledger, LedgerRecord } from './ledger.js';

/** An in-memory ledger: records in an array, meta in a Map. */
export class MemoryLedger implements Ledger {
  private readonly items: LedgerRecord[] = [];
  private readonly meta = new Map<string, string>();

  /** A ledger holding `records` (seq 1..n) and `meta`, e.g. a book loaded from the archive. */
  static of(records: readonly LedgerRecord[], meta: Readonly<Record<string, string>> = {}): MemoryLedger {
    const ledger = new MemoryLedger();
    for (const record of records) ledger.append(record);
    for (const [key, value] of Object.entries(meta)) ledger.setMeta(key, value);
    return ledger;
  }

  /** The records after `seq`, in seq order: what a tick appended since `lastSeq()` was `seq`. */
  recordsAfter(seq: number): readonly LedgerRecord[] {
    return this.items.slice(Math.max(0, seq));
  }

  /** Drops the records after `seq` (a tick whose commit to the archive failed). */
  truncate(seq: number): void {
    if (seq < this.items.length) this.items.length = Math.max(0, seq);
  }

  /** Stores `record`; throws InvariantError unless its seq is lastSeq() + 1. */
  append(record: LedgerRecord): void {
    const expected = this.items.length + 1;
    if (record.seq !== expected) {
      throw new InvariantError(`ledger append: seq ${record.seq} offered, expected ${expected} (seqs have no gaps)`, {
        code: ErrorCode.invariant,
      });
    }
    this.items.push({ seq: record.seq, kind: record.kind, tsMs: record.tsMs, payload: record.payload });
  }

  /** A copy of every record, in seq order. */
  records(): readonly LedgerRecord[] {
    return this.items.slice();
  }

  lastSeq(): number {
    return this.items.length;
  }

  getMeta(key: string): string | undefined {
    return this.meta.get(key);
  }

  /** Removes `key` from the meta (undoing a setMeta). */
  deleteMeta(key: string): void {
    this.meta.delete(key);
  }

  setMeta(key: string, value: string): void {
    this.meta.set(key, value);
  }

  /** Runs `work`; if it throws, records and meta go back to how they were. */
  atomically<T>(work: () => T): T {
    const count = this.items.length;
    const meta = new Map(this.meta);
    try {
      return work();
    } catch (err) {
      this.items.length = count;
      this.meta.clear();
      for (const [k, v] of meta) this.meta.set(k, v);
      throw err;
    }
  }

  /** Nothing to release; the records stay readable. */
  close(): void {}
}
