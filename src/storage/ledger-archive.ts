/**
 * The portfolio's ledger in the archive: books of ledger records (see
 * src/portfolio/ledger.ts) with their run state, in the archive's
 * `ledger_records` and `ledger_meta` tables (init-db.sql version 3). The
 * worker keeps the book in memory, trades on it, and commits each tick's new
 * records and meta here in one transaction before any of that tick's trades
 * counts; at start it loads the book and rebuilds the portfolio from it.
 */
import { ErrorCode, InvariantError } from '../domain/index.js';
import type { LedgerRecord } from '../portfolio/ledger.js';
import { StoreError } from './errors.js';

/** One book as stored: its records in seq order (1..n, no gaps) and its meta. */
export type LedgerBook = {
  readonly records: readonly LedgerRecord[];
  readonly meta: Readonly<Record<string, string>>;
};

/** A book's name: what `--book` accepts. */
export const BOOK_NAME = /^[A-Za-z0-9][A-Za-z0-9._@:-]{0,63}$/;

/** The latest instant a DATETIME(3) column holds: 9999-12-31 23:59:59.999 UTC. */
const MAX_TS_MS = 253_402_300_799_999;

/** The ledger tables of an archive (SQLite or MySQL). Every failure is a StoreError naming the store. */
export interface LedgerArchive {
  /** `sqlite` or `mysql`, as in StoreError. */
  readonly name: string;
  /** Where the book lives, for people: a file path or `host:port/database`; never a credential. */
  readonly where: string;
  /** Book `book` as stored; empty (no records, no meta) when it was never written. */
  load(book: string): Promise<LedgerBook>;
  /**
   * Appends `records` (whose seqs continue the book: the first is its last
   * seq + 1) and sets each key of `meta`, in one transaction: all of it is
   * durable when this resolves, or none of it is stored. Records already
   * stored, identical, are skipped: committing again after an answer was lost
   * on the way back is harmless.
   * @throws StoreError `transient` when the store cannot be reached (try again);
   *   not transient when the book holds other records at those seqs, or the
   *   seqs would leave a gap (another writer, or a book changed under us: load it again).
   */
  commit(book: string, records: readonly LedgerRecord[], meta: Readonly<Record<string, string>>): Promise<void>;
  /** Renames book `from` to `to` (a finished replay moved aside). Throws if `to` holds anything. */
  rename(from: string, to: string): Promise<void>;
  /**
   * Makes this adapter the one writer of `book` until `close` (or the
   * process ends): a second worker on the same book is refused instead of
   * trading on it too. A writer that died (killed, crashed) frees the book:
   * MySQL drops its named lock with the connection; SQLite checks whether
   * the process that holds it, on this host, still runs. Claiming again
   * (after a reconnect) is harmless.
   * @throws StoreError not transient, {@link BookInUse}, naming who holds it.
   */
  claim(book: string): Promise<void>;
  close(): Promise<void>;
}

/** Checks `book` is a valid name; an InvariantError otherwise (config validates user input before). */
export function assertBookName(book: string): void {
  if (!BOOK_NAME.test(book)) {
    throw new InvariantError(`ledger book ${JSON.stringify(book)}: expected 1 to 64 letters, digits, ".", "_", "@", ":" or "-"`, {
      code: ErrorCode.invariant,
    });
  }
}

/** Checks `records` run in seq order without gaps and carry storable instants. */
export function assertCommittable(records: readonly LedgerRecord[]): void {
  records.forEach((record, i) => {
    const first = records[0]?.seq ?? 0;
    if (record.seq !== first + i || !Number.isSafeInteger(record.seq) || record.seq < 1) {
      throw new InvariantError(`ledger commit: seq ${record.seq} at position ${i}; expected ${first + i} (seqs have no gaps)`, {
        code: ErrorCode.invariant,
      });
    }
    if (!Number.isInteger(record.tsMs) || record.tsMs < 0 || record.tsMs > MAX_TS_MS) {
      throw new InvariantError(`ledger commit: seq ${record.seq} has time ${record.tsMs}; expected epoch ms from 1970 to 9999`, {
        code: ErrorCode.invariant,
      });
    }
  });
}

/**
 * What a commit does with its records given the book's last stored seq:
 * `append` them, `skip` them (all already stored; the caller compares them),
 * or throw the conflict.
 */
export function commitPlan(store: string, book: string, lastStored: number, records: readonly LedgerRecord[]): 'append' | 'skip' {
  const first = records[0]?.seq;
  const last = records.at(-1)?.seq;
  if (first === undefined || last === undefined) return 'skip';
  if (lastStored === first - 1) return 'append';
  if (lastStored >= last) return 'skip';
  throw ledgerConflict(store, book, `it holds seq 1..${lastStored}, the commit brings ${first}..${last}`);
}

/** Throws the conflict unless `stored` are exactly `records` (an earlier commit of them that landed). */
export function assertSameRecords(store: string, book: string, stored: readonly LedgerRecord[], records: readonly LedgerRecord[]): void {
  const differs = stored.length !== records.length || stored.some((s, i) => {
    const r = records[i];
    return r === undefined || s.seq !== r.seq || s.kind !== r.kind || s.tsMs !== r.tsMs || s.payload !== r.payload;
  });
  if (differs) {
    const first = records[0]?.seq ?? 0;
    throw ledgerConflict(store, book, `it holds other records at seq ${first}..${first + records.length - 1} (another writer?)`);
  }
}

/** Another live worker holds the book. */
export class BookInUse extends StoreError {
  constructor(store: string, readonly book: string, readonly holder: string) {
    super(store, 'ledger.claim', `book "${book}" is in use by another worker (${holder})`, { transient: false });
  }
}

/** The book is not what this writer thinks it is: not transient, the caller loads it again. */
export function ledgerConflict(store: string, book: string, reason: string): StoreError {
  return new StoreError(store, 'ledger.commit', `book "${book}": ${reason}`, { transient: false });
}

/** A record read back from a row `{seq, kind, tsMs, payload}`, checked. */
export function ledgerRecordOf(store: string, row: { seq: unknown; kind: unknown; tsMs: number | undefined; payload: unknown }): LedgerRecord {
  const seq = typeof row.seq === 'string' ? Number(row.seq) : row.seq;
  const { kind, tsMs, payload } = row;
  if (typeof seq === 'number' && typeof kind === 'string' && typeof tsMs === 'number' && typeof payload === 'string') {
    return { seq, kind, tsMs, payload };
  }
  throw new StoreError(store, 'ledger.load', `unreadable ledger row seq ${String(row.seq)}`, { transient: false });
}

/** Checks loaded records are seq 1..n in order, as every commit left them. */
export function assertLoaded(store: string, book: string, records: readonly LedgerRecord[]): void {
  records.forEach((record, i) => {
    if (record.seq !== i + 1) {
      throw new StoreError(store, 'ledger.load', `book "${book}": seq ${record.seq} at position ${i + 1}; expected 1..n without gaps`, { transient: false });
    }
  });
}
