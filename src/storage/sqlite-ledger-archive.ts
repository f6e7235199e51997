import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { LedgerRecord } from '../portfolio/ledger.js';
import { sqlInstant } from './archive-rows.js';
import { StoreError } from './errors.js';
import {
  assertBookName,
  assertCommittable,
  assertLoaded,
  assertSameRecords,
  commitPlan,
  ledgerRecordOf,
  type LedgerArchive,
  type LedgerBook,
} from './ledger-archive.js';

/** The ledger tables of init-db.sql version 3, in SQLite (instants as `YYYY-MM-DD HH:MM:SS.mmm` UTC text). */
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS ledger_records (
    book TEXT NOT NULL, seq INTEGER NOT NULL, kind TEXT NOT NULL, ts TEXT NOT NULL, payload TEXT NOT NULL,
    PRIMARY KEY (book, seq)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS idx_ledger_records_ts ON ledger_records (ts);
  CREATE TABLE IF NOT EXISTS ledger_meta (
    book TEXT NOT NULL, meta_key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (book, meta_key)
  ) STRICT, WITHOUT ROWID;
`;

type Row = { seq: unknown; kind: unknown; ts: unknown; payload: unknown };

/**
 * The {@link LedgerArchive} in the embedded SQLite archive
 * (`data/market_memory.sqlite`, beside the event tables) through
 * better-sqlite3, on its own connection. WAL with `synchronous = FULL`: a
 * commit is one transaction, fsynced before it resolves, so a trade counts
 * only once it survives a power loss.
 *
 * @see https://www.sqlite.org/pragma.html#pragma_synchronous
 */
export class SqliteLedgerArchive implements LedgerArchive {
  readonly name = 'sqlite';
  readonly where: string;
  private readonly db: Database.Database;

  private constructor(db: Database.Database, where: string) {
    this.db = db;
    this.where = where;
  }

  /**
   * Opens (creating the file, its folders and the ledger tables if missing) the archive at `path`.
   * @throws StoreError naming `path` when it cannot be used as a SQLite file.
   */
  static open(path: string): SqliteLedgerArchive {
    let db: Database.Database | undefined;
    try {
      if (path.length === 0 || path === ':memory:') throw new Error('expected a file path');
      mkdirSync(dirname(path), { recursive: true });
      db = new Database(path);
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (mode !== 'wal') throw new Error(`journal mode stayed ${JSON.stringify(mode)}`);
      db.pragma('synchronous = FULL');
      db.pragma('fullfsync = ON');
      // The archive writer's connection to the same file, or a reader in another process, may hold the lock briefly.
      db.pragma('busy_timeout = 5000');
      db.exec(SCHEMA);
      return new SqliteLedgerArchive(db, path);
    } catch (err) {
      db?.close();
      throw new StoreError('sqlite', 'ledger.open', `file "${path}": ${reason(err)}`, { transient: false, cause: err });
    }
  }

  async load(book: string): Promise<LedgerBook> {
    assertBookName(book);
    return this.run('ledger.load', () => {
      const rows = this.db.prepare<[string], Row>('SELECT seq, kind, ts, payload FROM ledger_records WHERE book = ? ORDER BY seq').all(book);
      const records = rows.map((row) => this.record(row));
      assertLoaded(this.name, book, records);
      const metaRows = this.db.prepare<[string], { k: string; v: string }>('SELECT meta_key AS k, value AS v FROM ledger_meta WHERE book = ?').all(book);
      return { records, meta: Object.fromEntries(metaRows.map((m) => [m.k, m.v])) };
    });
  }

  async commit(book: string, records: readonly LedgerRecord[], meta: Readonly<Record<string, string>>): Promise<void> {
    assertBookName(book);
    assertCommittable(records);
    this.run('ledger.commit', () =>
      this.db.transaction(() => {
        const last = Number(this.db.prepare('SELECT COALESCE(MAX(seq), 0) FROM ledger_records WHERE book = ?').pluck().get(book));
        if (commitPlan(this.name, book, last, records) === 'append') {
          const insert = this.db.prepare('INSERT INTO ledger_records (book, seq, kind, ts, payload) VALUES (?, ?, ?, ?, ?)');
          for (const r of records) insert.run(book, r.seq, r.kind, sqlInstant(r.tsMs), r.payload);
        } else if (records.length > 0) {
          const stored = this.db
            .prepare<[string, number, number], Row>('SELECT seq, kind, ts, payload FROM ledger_records WHERE book = ? AND seq BETWEEN ? AND ? ORDER BY seq')
            .all(book, records[0]?.seq ?? 0, records.at(-1)?.seq ?? 0)
            .map((row) => this.record(row));
          assertSameRecords(this.name, book, stored, records);
        }
        const upsert = this.db.prepare(
          'INSERT INTO ledger_meta (book, meta_key, value) VALUES (?, ?, ?) ON CONFLICT (book, meta_key) DO UPDATE SET value = excluded.value',
        );
        for (const [key, value] of Object.entries(meta)) upsert.run(book, key, value);
      }).immediate(),
    );
  }

  async rename(from: string, to: string): Promise<void> {
    assertBookName(from);
    assertBookName(to);
    this.run('ledger.rename', () =>
      this.db.transaction(() => {
        const taken = this.db.prepare('SELECT 1 FROM ledger_meta WHERE book = ? UNION ALL SELECT 1 FROM ledger_records WHERE book = ? LIMIT 1').get(to, to);
        if (taken !== undefined) throw new StoreError(this.name, 'ledger.rename', `book "${to}" already exists`, { transient: false });
        this.db.prepare('UPDATE ledger_records SET book = ? WHERE book = ?').run(to, from);
        this.db.prepare('UPDATE ledger_meta SET book = ? WHERE book = ?').run(to, from);
      }).immediate(),
    );
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  private record(row: Row): LedgerRecord {
    const tsMs = typeof row.ts === 'string' ? Date.parse(`${row.ts.replace(' ', 'T')}Z`) : undefined;
    return ledgerRecordOf(this.name, { seq: row.seq, kind: row.kind, tsMs: Number.isNaN(tsMs) ? undefined : tsMs, payload: row.payload });
  }

  /** Runs `work`, mapping SQLite's failures to StoreErrors (busy, I/O and full disk are transient). */
  private run<T>(operation: string, work: () => T): T {
    if (!this.db.open) throw new StoreError(this.name, operation, `file "${this.where}" is closed`, { transient: false });
    try {
      return work();
    } catch (err) {
      if (err instanceof StoreError) throw err;
      const code = typeof err === 'object' && err !== null ? String(Reflect.get(err, 'code')) : '';
      const transient = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|PROTOCOL|CANTOPEN)/.test(code);
      throw new StoreError(this.name, operation, `file "${this.where}": ${reason(err)}`, { transient, cause: err });
    }
  }
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
