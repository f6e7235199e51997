import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { ErrorCode, InputError, InvariantError, PermanentError } from '../domain/index.js';
import type { Ledger, LedgerRecord } from '../portfolio/ledger.js';

/** Stable codes of the SQLite ledger's own failures (branch on these, never on text). */
export const SqliteLedgerErrorCode = {
  /** The path cannot be created, opened or read as a SQLite database in WAL mode. */
  open: 'MI_LEDGER_OPEN',
  /** SQLite refused a write (disk full, I/O error, another writer took the seq). */
  write: 'MI_LEDGER_WRITE',
} as const;

/** The durability settings in force on a ledger's connection, as SQLite reports them. */
export type SqliteLedgerPragmas = {
  /** `wal` for a file, `memory` for {@link SqliteLedger.memory}. */
  readonly journalMode: string;
  /** SQLite's number for `PRAGMA synchronous`: 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA. */
  readonly synchronous: number;
};

type Statements = {
  readonly insert: Database.Statement<[number, string, number, string]>;
  readonly all: Database.Statement<[]>;
  readonly getMeta: Database.Statement<[string]>;
  readonly setMeta: Database.Statement<[string, string]>;
};

/** With the `u` flag a surrogate class matches only unpaired halves; SQLite's UTF-8 would turn them into U+FFFD. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS ledger (
    seq INTEGER PRIMARY KEY, kind TEXT NOT NULL, ts_ms INTEGER NOT NULL, payload TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS ledger_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

/**
 * The {@link Ledger} in a SQLite file, through better-sqlite3 (synchronous,
 * like the port). One connection per ledger; one process writes a ledger.
 *
 * Durability: WAL journal with `synchronous = FULL`, so every append (one
 * transaction) fsyncs the WAL before it returns. Under NORMAL, which
 * better-sqlite3 builds as the WAL default, a commit survives a process
 * crash but the last ones can roll back after a power loss or OS crash,
 * while the manager has already counted those fills: the rebuilt portfolio
 * would then disagree with what was traded. A ledger appends once per fill,
 * not per tick, so it can pay one fsync per append (`fullfsync` makes that
 * fsync reach the platter on macOS too; elsewhere it is a no-op).
 *
 * @see https://www.sqlite.org/pragma.html#pragma_synchronous
 * @see https://www.sqlite.org/wal.html
 * @see https://github.com/WiseLibs/better-sqlite3/blob/master/docs/api.md
 */
export class SqliteLedger implements Ledger {
  private readonly db: Database.Database;
  private readonly stmts: Statements;
  private readonly insertInTransaction: (record: LedgerRecord) => void;
  /** The last committed seq: read once at open, then kept in step by `append`. */
  private last: number;

  private constructor(db: Database.Database) {
    this.db = db;
    this.stmts = {
      insert: db.prepare('INSERT INTO ledger (seq, kind, ts_ms, payload) VALUES (?, ?, ?, ?)'),
      all: db.prepare('SELECT seq, kind, ts_ms AS tsMs, payload FROM ledger ORDER BY seq'),
      getMeta: db.prepare('SELECT value FROM ledger_meta WHERE key = ?').pluck(),
      setMeta: db.prepare(
        'INSERT INTO ledger_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      ),
    };
    const insert = this.stmts.insert;
    this.insertInTransaction = db.transaction((record: LedgerRecord) => {
      insert.run(record.seq, record.kind, record.tsMs, record.payload);
    });
    this.last = readLastSeq(db);
  }

  /**
   * Opens (creating it and its folder if missing) the ledger file at `path`.
   * @throws InputError `MI_LEDGER_OPEN` naming `path` when it cannot be used
   *   (a directory, no permission, not a SQLite file).
   * @throws InvariantError when the stored seqs are not 1..n without gaps.
   */
  static open(path: string): SqliteLedger {
    let db: Database.Database | undefined;
    try {
      if (path.length === 0) throw new Error('the path is empty');
      mkdirSync(dirname(path), { recursive: true });
      db = new Database(path);
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (mode !== 'wal') throw new Error(`journal mode stayed ${JSON.stringify(mode)}, WAL needs a file`);
      setDurable(db);
      db.exec(SCHEMA);
    } catch (err) {
      db?.close();
      throw new InputError(
        `ledger file "${path}": cannot open it as a SQLite database (${reason(err)}); expected a writable file path`,
        { code: SqliteLedgerErrorCode.open, cause: err },
      );
    }
    try {
      return new SqliteLedger(db);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  /** A ledger in an in-memory SQLite database: same SQL, nothing survives `close`. */
  static memory(): SqliteLedger {
    const db = new Database(':memory:');
    setDurable(db);
    db.exec(SCHEMA);
    return new SqliteLedger(db);
  }

  /**
   * Stores `record` in its own transaction; it is on disk when this returns.
   * @throws InvariantError when `record.seq` is not `lastSeq() + 1`, or a string holds a lone
   *   surrogate (JSON.stringify never writes one); nothing is written.
   * @throws PermanentError `MI_LEDGER_WRITE` when SQLite refuses the write (nothing is written).
   */
  append(record: LedgerRecord): void {
    this.assertOpen('append');
    const expected = this.last + 1;
    if (record.seq !== expected) {
      throw new InvariantError(
        `ledger append: seq ${record.seq} is not the next one; expected ${expected} (last seq ${this.last})`,
        { code: ErrorCode.invariant },
      );
    }
    if (LONE_SURROGATE.test(record.kind) || LONE_SURROGATE.test(record.payload)) {
      throw new InvariantError(`ledger append: seq ${record.seq} has a lone UTF-16 surrogate, which SQLite cannot store exactly`, {
        code: ErrorCode.invariant,
      });
    }
    try {
      this.insertInTransaction(record);
    } catch (err) {
      throw new PermanentError(`ledger file "${this.db.name}": append of seq ${record.seq} failed (${reason(err)})`, {
        code: SqliteLedgerErrorCode.write,
        cause: err,
      });
    }
    this.last = record.seq;
  }

  /**
   * Runs `work` in one SQLite transaction (appends inside it become
   * savepoints): one commit, one fsync, for all of it; rolled back if it throws.
   */
  atomically<T>(work: () => T): T {
    this.assertOpen('atomically');
    const before = this.last;
    try {
      return this.db.transaction(work)();
    } catch (err) {
      this.last = before;
      throw err;
    }
  }

  /** Every record, in seq order, read from the database. */
  records(): readonly LedgerRecord[] {
    this.assertOpen('records');
    return this.stmts.all.all().map(toRecord);
  }

  /** The last appended seq, 0 when empty (cached: no query). */
  lastSeq(): number {
    return this.last;
  }

  /** The value stored under `key`, or undefined. */
  getMeta(key: string): string | undefined {
    this.assertOpen('getMeta');
    const value: unknown = this.stmts.getMeta.get(key);
    if (value === undefined || typeof value === 'string') return value;
    throw new InvariantError(`ledger meta "${key}": stored value is a ${typeof value}, expected a string`, {
      code: ErrorCode.invariant,
    });
  }

  /** Stores `value` under `key` (replacing any), durably like `append`. */
  setMeta(key: string, value: string): void {
    this.assertOpen('setMeta');
    try {
      this.stmts.setMeta.run(key, value);
    } catch (err) {
      throw new PermanentError(`ledger file "${this.db.name}": setMeta "${key}" failed (${reason(err)})`, {
        code: SqliteLedgerErrorCode.write,
        cause: err,
      });
    }
  }

  /** Closes the connection (checkpointing the WAL). Calling it again does nothing. */
  close(): void {
    if (this.db.open) this.db.close();
  }

  /** The journal mode and synchronous level SQLite reports for this connection. */
  pragmas(): SqliteLedgerPragmas {
    this.assertOpen('pragmas');
    const journalMode = this.db.pragma('journal_mode', { simple: true });
    const synchronous = this.db.pragma('synchronous', { simple: true });
    if (typeof journalMode !== 'string' || typeof synchronous !== 'number') {
      throw new InvariantError('ledger pragmas: SQLite returned unexpected types', { code: ErrorCode.invariant });
    }
    return { journalMode, synchronous };
  }

  private assertOpen(operation: string): void {
    if (!this.db.open) {
      throw new InvariantError(`ledger file "${this.db.name}": ${operation} after close`, { code: ErrorCode.invariant });
    }
  }
}

/** FULL: fsync the WAL at every commit (see the class comment for why not NORMAL). */
function setDurable(db: Database.Database): void {
  db.pragma('synchronous = FULL');
  db.pragma('fullfsync = ON');
}

/** The last seq, after checking the stored seqs are exactly 1..n (the cache relies on it). */
function readLastSeq(db: Database.Database): number {
  const row: unknown = db.prepare('SELECT COUNT(*) AS n, COALESCE(MIN(seq), 1) AS lo, COALESCE(MAX(seq), 0) AS hi FROM ledger').get();
  const n = numberField(row, 'n');
  const lo = numberField(row, 'lo');
  const hi = numberField(row, 'hi');
  if (lo !== 1 || hi !== n) {
    throw new InvariantError(
      `ledger file "${db.name}": ${n} records with seq ${lo}..${hi}; expected seq 1..${n} without gaps`,
      { code: ErrorCode.invariant },
    );
  }
  return hi;
}

function numberField(row: unknown, key: string): number {
  const value: unknown = typeof row === 'object' && row !== null ? Reflect.get(row, key) : undefined;
  if (typeof value === 'number') return value;
  throw new InvariantError(`ledger query: ${key} is ${String(value)}, expected a number`, { code: ErrorCode.invariant });
}

/** A stored row as a record; the schema allows other types in a non-STRICT table, so check. */
function toRecord(row: unknown): LedgerRecord {
  if (typeof row === 'object' && row !== null && 'seq' in row && 'kind' in row && 'tsMs' in row && 'payload' in row) {
    const { seq, kind, tsMs, payload } = row;
    if (typeof seq === 'number' && typeof kind === 'string' && typeof tsMs === 'number' && typeof payload === 'string') {
      return { seq, kind, tsMs, payload };
    }
  }
  throw new InvariantError(`ledger row ${JSON.stringify(row)}: expected {seq, kind, tsMs, payload}`, {
    code: ErrorCode.invariant,
  });
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
