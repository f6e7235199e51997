import { createPool, type Pool, type PoolConnection, type ResultSetHeader, type RowDataPacket } from 'mysql2/promise';
import { StoreError } from './errors.js';
import type { Archive, ArchiveQuery, RunRecord, StoredEvent } from './ports.js';
import { archiveBatches, endRow, runRow, unknownRun, type ArchivedRun } from './archive-rows.js';
import { archiveEvent, archivedRun, oldestFirst, planQuery, type InstantReader } from './archive-read.js';

/** Where the archive database is. The password is only handed to the driver: never logged, never in an error. */
export type MysqlArchiveOptions = {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password?: string;
  /** The database init-db.sql created (`market_memory` unless configured). */
  readonly database: string;
};

/** The schema version this adapter writes (init-db.sql's last `schema_version` row). */
export const ARCHIVE_SCHEMA_VERSION = 2;

/** Rows per INSERT statement: ~200 KB of quotes, far below the default max_allowed_packet (16 MB on MariaDB). */
const ROWS_PER_INSERT = 1_000;

/**
 * Strict on every connection whatever the server's default: a value a column
 * cannot hold fails the statement instead of being truncated or clamped with
 * a warning, and backslash escapes (which mysql2's quoting relies on) stay on.
 */
export const SESSION_SQL_MODE = "SET SESSION sql_mode = 'STRICT_ALL_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'";

/** Driver and server codes after which the same statement can succeed later: the connection or the server, not the data. */
const TRANSIENT_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST', 'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT', 'ER_CON_COUNT_ERROR', 'ER_TOO_MANY_USER_CONNECTIONS',
  'ER_SERVER_SHUTDOWN', 'ER_NORMAL_SHUTDOWN', 'ER_QUERY_INTERRUPTED', 'ER_CLIENT_INTERACTION_TIMEOUT',
  'ER_NET_READ_ERROR', 'ER_NET_READ_INTERRUPTED', 'ER_NET_ERROR_ON_WRITE', 'ER_NET_WRITE_INTERRUPTED',
  'ER_OPTION_PREVENTS_STATEMENT', // --read-only: a failover in progress
]);

/** Server codes that mean the schema is missing or older than this adapter. */
const SCHEMA_CODES = new Set(['ER_BAD_DB_ERROR', 'ER_NO_SUCH_TABLE', 'ER_BAD_FIELD_ERROR']);

/**
 * The {@link Archive} in MySQL 8 / MariaDB 10.6+ (the schema of init-db.sql,
 * version 2), through a mysql2 pool of 4 connections.
 *
 * A `write` is one transaction with one multi-row INSERT per table (at most
 * 1,000 rows each); `ON DUPLICATE KEY UPDATE id = id` skips events already
 * stored (same event id, or same run + trade id, run + step). Not `INSERT
 * IGNORE`: that also turns data errors into warnings and stores truncated or
 * clamped values. DECIMALs travel as text both ways (`decimalNumbers: false`)
 * and DATETIME(3) as UTC (`timezone: 'Z'`), so values come back exactly.
 *
 * @see https://sidorares.github.io/node-mysql2/docs
 * @see https://mariadb.com/kb/en/insert-on-duplicate-key-update/
 * @see https://mariadb.com/kb/en/insert-ignore/
 */
export class MysqlArchive implements Archive {
  readonly name = 'mysql';
  private readonly pool: Pool;
  private readonly password: string | undefined;
  /** The driver connections whose session sql_mode is set. */
  private readonly strict = new WeakSet<object>();
  private closed = false;

  private constructor(pool: Pool, password: string | undefined) {
    this.pool = pool;
    this.password = password;
  }

  /**
   * Opens the pool, pings the server and checks the schema version.
   * @throws StoreError `MI_STORE_UNAVAILABLE` (transient) when the server cannot be reached;
   *   `MI_STORE_REJECTED` when it refuses the login or the database lacks schema version 2.
   */
  static async connect(options: MysqlArchiveOptions): Promise<MysqlArchive> {
    const pool = createPool({
      host: options.host,
      port: options.port,
      user: options.user,
      password: options.password,
      database: options.database,
      connectionLimit: 4,
      connectTimeout: 5_000,
      timezone: 'Z',
      dateStrings: false,
      supportBigNumbers: true,
      decimalNumbers: false,
      // MySQL 8 would hand back parsed JSON and MariaDB text; text from both.
      jsonStrings: true,
      // The session sql_mode must survive release (no COM_RESET_CONNECTION).
      resetOnRelease: false,
    });
    const archive = new MysqlArchive(pool, options.password);
    try {
      const version = await archive.session('connect', async (conn) => {
        await conn.ping();
        const [rows] = await conn.query<RowDataPacket[]>('SELECT MAX(version) AS version FROM schema_version');
        return Number(rows[0]?.['version'] ?? 0);
      });
      if (version < ARCHIVE_SCHEMA_VERSION) {
        const reason = `database "${options.database}" has schema version ${version}, expected ${ARCHIVE_SCHEMA_VERSION}: apply init-db.sql (market-intel db init)`;
        throw new StoreError('mysql', 'connect', reason, { transient: false });
      }
      return archive;
    } catch (err) {
      await archive.close().catch(() => undefined);
      throw err;
    }
  }

  /** Stores `events` in one transaction; events already stored are skipped. */
  async write(events: readonly StoredEvent[]): Promise<void> {
    this.assertOpen('write');
    const batches = archiveBatches(this.name, events);
    if (batches.size === 0) return;
    await this.session('write', async (conn) => {
      await conn.beginTransaction();
      try {
        for (const [table, rows] of batches) {
          const columns = ['event_id', 'run_id', 'ts', ...table.columns].join(', ');
          for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
            const sql = `INSERT INTO ${table.table} (${columns}) VALUES ? ON DUPLICATE KEY UPDATE id = id`;
            await conn.query(sql, [rows.slice(i, i + ROWS_PER_INSERT)]);
          }
        }
        await conn.commit();
      } catch (err) {
        await conn.rollback().catch(() => undefined);
        throw err;
      }
    });
  }

  /** Records a run's start; a run id already recorded keeps its first record. */
  async startRun(run: RunRecord): Promise<void> {
    this.assertOpen('startRun');
    const row = runRow(this.name, run);
    await this.session('startRun', (conn) =>
      conn.query('INSERT INTO runs (run_id, started_at, source, symbols, capital_usd) VALUES (?) ON DUPLICATE KEY UPDATE run_id = run_id', [row]),
    );
  }

  /** Records (or overwrites) a run's end; rejects a run id that was never started. */
  async endRun(runId: string, endedMs: number, stopReason: string): Promise<void> {
    this.assertOpen('endRun');
    const row = endRow(this.name, runId, endedMs, stopReason);
    // mysql2 sets CLIENT_FOUND_ROWS: affectedRows counts matched rows, also when nothing changed.
    const [result] = await this.session('endRun', (conn) =>
      conn.query<ResultSetHeader>('UPDATE runs SET ended_at = ?, stop_reason = ? WHERE run_id = ?', row),
    );
    if (result.affectedRows === 0) throw unknownRun(this.name, runId);
  }

  /** Every recorded run, oldest start first. */
  async runs(): Promise<readonly ArchivedRun[]> {
    this.assertOpen('runs');
    const [rows] = await this.session('runs', (conn) => conn.query<RowDataPacket[]>('SELECT * FROM runs ORDER BY started_at, run_id'));
    return rows.map((row) => archivedRun(this.name, row, dateMs));
  }

  /** Events matching `query`, oldest first (equal instants in tick order, then write order). */
  async query(query: ArchiveQuery): Promise<readonly StoredEvent[]> {
    this.assertOpen('query');
    const plan = planQuery(this.name, query);
    const found = await this.session('query', async (conn) => {
      const perTable = [];
      for (const table of plan.tables) {
        const where = plan.symbol === undefined ? 'ts >= ?' : 'ts >= ? AND symbol = ?';
        const limit = plan.limit === undefined ? '' : ` LIMIT ${plan.limit}`;
        const params = plan.symbol === undefined ? [plan.since] : [plan.since, plan.symbol];
        const [rows] = await conn.query<RowDataPacket[]>(`SELECT * FROM ${table.table} WHERE ${where} ORDER BY ts, id${limit}`, params);
        perTable.push(rows.map((row) => archiveEvent(this.name, table, row, dateMs)));
      }
      return perTable;
    });
    return oldestFirst(found, plan.limit);
  }

  /** Ends the pool (waiting for statements in flight). Calling it again does nothing. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.pool.end();
    } catch (err) {
      throw mysqlStoreError('close', err, this.password);
    }
  }

  /** Runs `work` on a pooled connection in strict mode, mapping every driver failure to a StoreError. */
  private async session<T>(operation: string, work: (conn: PoolConnection) => Promise<T>): Promise<T> {
    let conn: PoolConnection | undefined;
    try {
      conn = await this.pool.getConnection();
      if (!this.strict.has(conn.connection)) {
        await conn.query(SESSION_SQL_MODE);
        this.strict.add(conn.connection);
      }
      return await work(conn);
    } catch (err) {
      throw mysqlStoreError(operation, err, this.password);
    } finally {
      conn?.release();
    }
  }

  private assertOpen(operation: string): void {
    if (this.closed) throw new StoreError(this.name, operation, 'the archive is closed', { transient: false });
  }
}

/** mysql2 hands DATETIME back as a Date read as UTC (`timezone: 'Z'`). */
const dateMs: InstantReader = (value) => (value instanceof Date && !Number.isNaN(value.getTime()) ? value.getTime() : undefined);

/**
 * `err` (from mysql2) as a StoreError for `operation`: transient for
 * connection, lock and server-state failures, a rejection for the rest. The
 * reason is the driver's code and message with `password` blanked out.
 */
export function mysqlStoreError(operation: string, err: unknown, password: string | undefined): StoreError {
  if (err instanceof StoreError) return err;
  const code = errorField(err, 'code');
  const fatal = errorField(err, 'fatal') === true;
  const hint = SCHEMA_CODES.has(String(code)) ? ' (apply init-db.sql: market-intel db init)' : '';
  const message = err instanceof Error ? err.message : String(err);
  let reason = `${typeof code === 'string' ? `${code}: ` : ''}${message}${hint}`;
  if (password !== undefined && password.length > 0) reason = reason.split(password).join('***');
  // A fatal error without a server code is the socket's (refused, reset, timed out): transient.
  const transient = TRANSIENT_CODES.has(String(code)) || (fatal && !String(code).startsWith('ER_'));
  return new StoreError('mysql', operation, reason, { transient, cause: err });
}

function errorField(err: unknown, key: string): unknown {
  return typeof err === 'object' && err !== null ? Reflect.get(err, key) : undefined;
}
