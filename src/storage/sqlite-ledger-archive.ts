import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { LedgerRecord } from '../portfolio/ledger.js';
import { sqlInstant } from './archive-rows.js';
import { StoreError } from './errors.js';
import { sqliteStoreError, sqliteTsMs } from './sqlite-archive.js';
import {
  assertBookName,
  assertCommittable,
  assertLoaded,
  assertSameRecords,
  BookInUse,
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
  CREATE TABLE IF NOT EXISTS ledger_owner (
    book TEXT PRIMARY KEY, host TEXT NOT NULL, pid INTEGER NOT NULL, since TEXT NOT NULL
  ) STRICT, WITHOUT ROWID;
`;

/** Whether process `pid` runs on this host (EPERM: it runs, as another user). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return typeof err === 'object' && err !== null && Reflect.get(err, 'code') === 'EPERM';
  }
}

type Row = { seq: unknown; kind: unknown; ts: unknown; payload: unknown };

/** Who claims books through an adapter: this process on this host, unless a test says otherwise. */
export type LedgerOwner = { readonly host: string; readonly pid: number };

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
  private readonly claimed = new Set<string>();
  private readonly owner: LedgerOwner;

  private constructor(db: Database.Database, where: string, owner: LedgerOwner) {
    this.db = db;
    this.where = where;
    this.owner = owner;
  }

  /**
   * Opens (creating the file, its folders and the ledger tables if missing) the archive at `path`.
   * @throws StoreError naming `path` when it cannot be used as a SQLite file.
   */
  static open(path: string, owner: LedgerOwner = { host: hostname(), pid: process.pid }): SqliteLedgerArchive {
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
      return new SqliteLedgerArchive(db, path, owner);
    } catch (err) {
      db?.close();
      throw new StoreError('sqlite', 'ledger.open', `file "${path}": ${err instanceof Error ? err.message : String(err)}`, { transient: false, cause: err });
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

  /**
   * Claims `book` for this process (`ledger_owner`: host and pid). A claim by
   * a process that no longer runs on this host, or by this very pid (a
   * container restarted as pid 1 again), is taken over; one from another host
   * cannot be checked and is refused (delete its `ledger_owner` row once that
   * worker is gone).
   */
  async claim(book: string): Promise<void> {
    assertBookName(book);
    const { host, pid } = this.owner;
    this.run('ledger.claim', () =>
      this.db.transaction(() => {
        const held = this.db.prepare<[string], { host: string; pid: number; since: string }>('SELECT host, pid, since FROM ledger_owner WHERE book = ?').get(book);
        if (held !== undefined && !(held.host === host && (held.pid === pid || !running(held.pid)))) {
          throw new BookInUse(this.name, book, `pid ${held.pid} on host ${held.host}, since ${held.since} UTC`);
        }
        this.db
          .prepare('INSERT INTO ledger_owner (book, host, pid, since) VALUES (?, ?, ?, ?) ON CONFLICT (book) DO UPDATE SET host = excluded.host, pid = excluded.pid, since = excluded.since')
          .run(book, host, pid, sqlInstant(Date.now()));
        this.claimed.add(book);
      }).immediate(),
    );
  }

  /** Gives up this process's claims, then closes the connection. */
  async close(): Promise<void> {
    if (!this.db.open) return;
    try {
      const release = this.db.prepare('DELETE FROM ledger_owner WHERE book = ? AND host = ? AND pid = ?');
      for (const book of this.claimed) release.run(book, this.owner.host, this.owner.pid);
    } finally {
      this.db.close();
    }
  }

  private record(row: Row): LedgerRecord {
    return ledgerRecordOf(this.name, { seq: row.seq, kind: row.kind, tsMs: sqliteTsMs(row.ts), payload: row.payload });
  }

  /** Runs `work`, mapping SQLite's failures to StoreErrors (busy, I/O and full disk are transient). */
  private run<T>(operation: string, work: () => T): T {
    if (!this.db.open) throw new StoreError(this.name, operation, `file "${this.where}" is closed`, { transient: false });
    try {
      return work();
    } catch (err) {
      throw sqliteStoreError(operation, this.where, err);
    }
  }
}
