import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { StoreError } from './errors.js';
import { archiveBatches, endRow, runRow, unknownRun, type ArchivedRun, type SqlValue } from './archive-rows.js';
import { archiveEvent, archivedRun, oldestFirst, planQuery } from './archive-read.js';
import type { Archive, ArchiveQuery, RunRecord, StoredEvent } from './ports.js';

/**
 * The tables of init-db.sql (schema version 2) in SQLite: the same tables,
 * columns and keys, so both archives store the same values. STRICT tables;
 * instants are TEXT `YYYY-MM-DD HH:MM:SS.mmm` (UTC, sorting as time does),
 * money and prices TEXT with the MySQL column's fixed decimals (exact),
 * simulation floats REAL.
 */
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL) STRICT;
  CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY, started_at TEXT NOT NULL, ended_at TEXT, source TEXT NOT NULL, symbols TEXT NOT NULL,
    capital_usd TEXT NOT NULL, stop_reason TEXT, last_tick_ts TEXT
  ) STRICT;
  CREATE INDEX IF NOT EXISTS idx_runs_started ON runs (started_at);
  CREATE TABLE IF NOT EXISTS quotes (
    id INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE, run_id TEXT NOT NULL, ts TEXT NOT NULL, symbol TEXT NOT NULL,
    price TEXT NOT NULL, bid TEXT, ask TEXT, volume TEXT, source TEXT NOT NULL
  ) STRICT;
  CREATE INDEX IF NOT EXISTS idx_quotes_symbol_ts ON quotes (symbol, ts);
  CREATE INDEX IF NOT EXISTS idx_quotes_run_symbol_ts ON quotes (run_id, symbol, ts);
  CREATE INDEX IF NOT EXISTS idx_quotes_ts ON quotes (ts);
  CREATE TABLE IF NOT EXISTS sentiment (
    id INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE, run_id TEXT NOT NULL, ts TEXT NOT NULL, market TEXT NOT NULL,
    value TEXT NOT NULL, label TEXT NOT NULL, source TEXT NOT NULL
  ) STRICT;
  CREATE INDEX IF NOT EXISTS idx_sentiment_market_ts ON sentiment (market, ts);
  CREATE INDEX IF NOT EXISTS idx_sentiment_run_market_ts ON sentiment (run_id, market, ts);
  CREATE INDEX IF NOT EXISTS idx_sentiment_ts ON sentiment (ts);
  CREATE TABLE IF NOT EXISTS signals (
    id INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE, run_id TEXT NOT NULL, ts TEXT NOT NULL, symbol TEXT NOT NULL,
    action TEXT NOT NULL, confidence TEXT NOT NULL, source TEXT NOT NULL
  ) STRICT;
  CREATE INDEX IF NOT EXISTS idx_signals_symbol_ts ON signals (symbol, ts);
  CREATE INDEX IF NOT EXISTS idx_signals_run_symbol_ts ON signals (run_id, symbol, ts);
  CREATE INDEX IF NOT EXISTS idx_signals_ts ON signals (ts);
  CREATE TABLE IF NOT EXISTS sim_states (
    id INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE, run_id TEXT NOT NULL, ts TEXT NOT NULL, step INTEGER NOT NULL,
    global_state REAL NOT NULL, z3 REAL NOT NULL, backend TEXT NOT NULL, UNIQUE (run_id, step)
  ) STRICT;
  CREATE INDEX IF NOT EXISTS idx_sim_states_ts ON sim_states (ts);
  CREATE TABLE IF NOT EXISTS trades (
    id INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE, run_id TEXT NOT NULL, ts TEXT NOT NULL, trade_id TEXT NOT NULL,
    symbol TEXT NOT NULL, side TEXT NOT NULL, qty TEXT NOT NULL, price TEXT NOT NULL, fee_usd TEXT NOT NULL, pnl_usd TEXT,
    reason TEXT NOT NULL, UNIQUE (run_id, trade_id)
  ) STRICT;
  CREATE INDEX IF NOT EXISTS idx_trades_symbol_ts ON trades (symbol, ts);
  CREATE INDEX IF NOT EXISTS idx_trades_run ON trades (run_id, ts);
  CREATE INDEX IF NOT EXISTS idx_trades_ts ON trades (ts);
  CREATE TABLE IF NOT EXISTS portfolio_snapshots (
    id INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE, run_id TEXT NOT NULL, ts TEXT NOT NULL,
    equity_usd TEXT NOT NULL, cash_usd TEXT NOT NULL, exposure TEXT NOT NULL, realized_pnl_usd TEXT NOT NULL,
    unrealized_pnl_usd TEXT NOT NULL, total_pnl_usd TEXT NOT NULL, positions TEXT NOT NULL CHECK (json_valid(positions))
  ) STRICT;
  CREATE INDEX IF NOT EXISTS idx_snapshots_ts ON portfolio_snapshots (ts);
  CREATE INDEX IF NOT EXISTS idx_snapshots_run_ts ON portfolio_snapshots (run_id, ts);
  INSERT OR IGNORE INTO schema_version (version, applied_at) VALUES (2, strftime('%Y-%m-%d %H:%M:%f', 'now'));
`;

/** SQLite result codes after which trying again can succeed: locked, busy, I/O, full disk. */
const TRANSIENT = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|PROTOCOL|CANTOPEN)/;

/**
 * The {@link Archive} in a SQLite file through better-sqlite3: the embedded
 * default when no MySQL is configured (the worker uses
 * `data/market_memory.sqlite`). Same tables and contract as
 * {@link MysqlArchive}: a batch is one transaction, re-written events are
 * stored once (`ON CONFLICT DO NOTHING` on the event id and on the domain
 * keys, never on other constraints as `INSERT OR IGNORE` would).
 *
 * WAL journal with `synchronous = FULL`: a batch is on disk when `write`
 * resolves, so the writer may drop it (one fsync per batch, not per event).
 *
 * @see https://github.com/WiseLibs/better-sqlite3/blob/master/docs/api.md
 * @see https://www.sqlite.org/lang_upsert.html
 * @see https://www.sqlite.org/stricttables.html
 */
export class SqliteArchive implements Archive {
  readonly name = 'sqlite';
  private readonly db: Database.Database;
  /** Prepared statements by SQL text: the inserts of the six tables and the few query shapes. */
  private readonly statements = new Map<string, Database.Statement<SqlValue[]>>();

  private constructor(db: Database.Database) {
    this.db = db;
  }

  /**
   * Opens (creating it, its folders and its tables if missing) the archive at `path`.
   * @throws StoreError `MI_STORE_REJECTED` naming `path` when it cannot be used as a SQLite file.
   */
  static open(path: string): SqliteArchive {
    let db: Database.Database | undefined;
    try {
      if (path.length === 0 || path === ':memory:') throw new Error('expected a file path (use SqliteArchive.memory())');
      mkdirSync(dirname(path), { recursive: true });
      db = new Database(path);
      db.pragma('journal_mode = WAL');
      return SqliteArchive.prepare(db);
    } catch (err) {
      db?.close();
      throw new StoreError('sqlite', 'open', `file "${path}": ${reason(err)}`, { transient: false, cause: err });
    }
  }

  /** An archive in an in-memory database: same SQL, nothing survives `close` (tests). */
  static memory(): SqliteArchive {
    return SqliteArchive.prepare(new Database(':memory:'));
  }

  private static prepare(db: Database.Database): SqliteArchive {
    db.pragma('synchronous = FULL');
    // Another process reading the file (a report, the sqlite3 shell) holds the lock briefly: wait, do not fail.
    db.pragma('busy_timeout = 5000');
    db.exec(SCHEMA);
    return new SqliteArchive(db);
  }

  /** Stores `events` in one transaction; events already stored (by event id, run + trade id, run + step) are skipped. */
  async write(events: readonly StoredEvent[]): Promise<void> {
    this.assertOpen('write');
    const batches = archiveBatches(this.name, events);
    this.run('write', () =>
      this.db.transaction(() => {
        for (const [table, rows] of batches) {
          const columns = ['event_id', 'run_id', 'ts', ...table.columns];
          const insert = this.statement(
            `INSERT INTO ${table.table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')}) ON CONFLICT DO NOTHING`,
          );
          for (const row of rows) insert.run(...row);
        }
      })(),
    );
  }

  /** Records a run's start; a run id already recorded keeps its first record. */
  async startRun(run: RunRecord): Promise<void> {
    this.assertOpen('startRun');
    const row = runRow(this.name, run);
    const sql = 'INSERT INTO runs (run_id, started_at, source, symbols, capital_usd) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING';
    this.run('startRun', () => this.statement(sql).run(...row));
  }

  /** Records (or overwrites) a run's end; rejects a run id that was never started. */
  async endRun(runId: string, endedMs: number, stopReason: string): Promise<void> {
    this.assertOpen('endRun');
    const row = endRow(this.name, runId, endedMs, stopReason);
    const result = this.run('endRun', () => this.statement('UPDATE runs SET ended_at = ?, stop_reason = ? WHERE run_id = ?').run(...row));
    if (result.changes === 0) throw unknownRun(this.name, runId);
  }

  /** Every recorded run, oldest start first. */
  async runs(): Promise<readonly ArchivedRun[]> {
    this.assertOpen('runs');
    const rows = this.run('runs', () => this.statement('SELECT * FROM runs ORDER BY started_at, run_id').all());
    return rows.map((row) => archivedRun(this.name, row, sqliteTsMs));
  }

  /** Events matching `query`, oldest first (equal instants in tick order, then write order). */
  async query(query: ArchiveQuery): Promise<readonly StoredEvent[]> {
    this.assertOpen('query');
    const plan = planQuery(this.name, query);
    const found = plan.tables.map((table) => {
      const where = plan.symbol === undefined ? 'ts >= ?' : 'ts >= ? AND symbol = ?';
      const limit = plan.limit === undefined ? '' : ` LIMIT ${plan.limit}`;
      const sql = `SELECT * FROM ${table.table} WHERE ${where} ORDER BY ts, id${limit}`;
      const params = plan.symbol === undefined ? [plan.since] : [plan.since, plan.symbol];
      const rows = this.run('query', () => this.statement(sql).all(...params));
      return rows.map((row) => archiveEvent(this.name, table, row, sqliteTsMs));
    });
    return oldestFirst(found, plan.limit);
  }

  /** Closes the database. Calling it again does nothing. */
  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  private statement(sql: string): Database.Statement<SqlValue[]> {
    let prepared = this.statements.get(sql);
    if (prepared === undefined) {
      prepared = this.db.prepare<SqlValue[]>(sql);
      this.statements.set(sql, prepared);
    }
    return prepared;
  }

  private run<T>(operation: string, work: () => T): T {
    try {
      return work();
    } catch (err) {
      throw sqliteStoreError(operation, this.db.name, err);
    }
  }

  private assertOpen(operation: string): void {
    if (!this.db.open) {
      throw new StoreError(this.name, operation, `file "${this.db.name}": the archive is closed`, { transient: false });
    }
  }
}

/** `err` (from better-sqlite3) as a StoreError naming the file; busy, I/O and full disk are transient. */
export function sqliteStoreError(operation: string, file: string, err: unknown): StoreError {
  if (err instanceof StoreError) return err;
  const code = err instanceof Database.SqliteError ? err.code : '';
  return new StoreError('sqlite', operation, `file "${file}": ${reason(err)}`, { transient: TRANSIENT.test(code), cause: err });
}

/** SQLite keeps instants as the same text MySQL's DATETIME(3) shows. */
export function sqliteTsMs(value: unknown): number | undefined {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$/.test(value)) return undefined;
  const ms = Date.parse(`${value.replace(' ', 'T')}Z`);
  return Number.isNaN(ms) ? undefined : ms;
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
