import { createHash } from 'node:crypto';
import { createConnection, createPool, type Connection, type Pool, type PoolConnection, type RowDataPacket } from 'mysql2/promise';
import type { LedgerRecord } from '../portfolio/ledger.js';
import { sqlInstant } from './archive-rows.js';
import { StoreError } from './errors.js';
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
import { mysqlStoreError, SESSION_SQL_MODE, type MysqlArchiveOptions } from './mysql-archive.js';

/** The schema version that has the ledger tables (init-db.sql). */
export const LEDGER_SCHEMA_VERSION = 3;

/** Rows per INSERT: a tick appends a handful; a long catch-up stays far below max_allowed_packet. */
const ROWS_PER_INSERT = 500;


/**
 * The {@link LedgerArchive} in the MySQL / MariaDB archive (init-db.sql
 * version 3), through its own small mysql2 pool. A commit is one InnoDB
 * transaction that first locks the book's last seq (`SELECT … FOR UPDATE`),
 * so a commit whose answer was lost can be sent again and a second writer
 * on the same book is caught instead of interleaving. Every operation has a
 * deadline (`timeoutMs`): a server that stops answering fails the operation
 * (transient) and its connection is dropped, never stalling the caller.
 *
 * @see https://mariadb.com/kb/en/select/#for-update
 * @see https://sidorares.github.io/node-mysql2/docs
 */
export class MysqlLedgerArchive implements LedgerArchive {
  readonly name = 'mysql';
  readonly where: string;
  private readonly pool: Pool;
  private readonly password: string | undefined;
  private readonly timeoutMs: number;
  private checked = false;
  private readonly options: MysqlArchiveOptions;
  /** The connection that holds the claimed book's named lock; undefined once it is lost. */
  private lock: { readonly book: string; conn: Connection | undefined } | undefined;
  /** The driver connections whose session sql_mode is set. */
  private readonly strict = new WeakSet<object>();
  private closed = false;

  private constructor(options: MysqlArchiveOptions, timeoutMs: number) {
    this.options = options;
    this.where = `${options.host}:${options.port}/${options.database}`;
    this.password = options.password;
    this.timeoutMs = timeoutMs;
    this.pool = createPool({
      host: options.host,
      port: options.port,
      user: options.user,
      password: options.password,
      database: options.database,
      connectionLimit: 2,
      connectTimeout: Math.min(timeoutMs, 5_000),
      timezone: 'Z',
      dateStrings: false,
      supportBigNumbers: true,
      bigNumberStrings: false,
      resetOnRelease: false,
    });
    // An idle pooled connection that dies emits 'error' on the pool's connection; the next use reconnects.
    this.pool.on('connection', (conn) => conn.on('error', () => undefined));
  }

  /** A ledger archive on `options`' database; connects on first use (and again after a failure). */
  static open(options: MysqlArchiveOptions, timeoutMs = 5_000): MysqlLedgerArchive {
    return new MysqlLedgerArchive(options, timeoutMs);
  }

  async load(book: string): Promise<LedgerBook> {
    assertBookName(book);
    return this.session('ledger.load', async (conn) => {
      const [rows] = await conn.query<RowDataPacket[]>('SELECT seq, kind, ts, payload FROM ledger_records WHERE book = ? ORDER BY seq', [book]);
      const records = rows.map((row) => this.record(row));
      assertLoaded(this.name, book, records);
      const [metaRows] = await conn.query<RowDataPacket[]>('SELECT meta_key, value FROM ledger_meta WHERE book = ?', [book]);
      return { records, meta: Object.fromEntries(metaRows.map((m) => [String(m['meta_key']), String(m['value'])])) };
    });
  }

  async commit(book: string, records: readonly LedgerRecord[], meta: Readonly<Record<string, string>>): Promise<void> {
    assertBookName(book);
    assertCommittable(records);
    // The lock went with its connection (server restart, network): take it again before writing.
    if (this.lock?.book === book && this.lock.conn === undefined) await this.claim(book);
    await this.session('ledger.commit', async (conn) => {
      await conn.beginTransaction();
      const [lastRows] = await conn.query<RowDataPacket[]>('SELECT COALESCE(MAX(seq), 0) AS last FROM ledger_records WHERE book = ? FOR UPDATE', [book]);
      const last = Number(lastRows[0]?.['last'] ?? 0);
      if (commitPlan(this.name, book, last, records) === 'append') {
        for (let i = 0; i < records.length; i += ROWS_PER_INSERT) {
          const rows = records.slice(i, i + ROWS_PER_INSERT).map((r) => [book, r.seq, r.kind, sqlInstant(r.tsMs), r.payload]);
          await conn.query('INSERT INTO ledger_records (book, seq, kind, ts, payload) VALUES ?', [rows]);
        }
      } else if (records.length > 0) {
        const [stored] = await conn.query<RowDataPacket[]>(
          'SELECT seq, kind, ts, payload FROM ledger_records WHERE book = ? AND seq BETWEEN ? AND ? ORDER BY seq',
          [book, records[0]?.seq, records.at(-1)?.seq],
        );
        assertSameRecords(this.name, book, stored.map((row) => this.record(row)), records);
      }
      const metaRows = Object.entries(meta).map(([key, value]) => [book, key, value]);
      if (metaRows.length > 0) {
        await conn.query('INSERT INTO ledger_meta (book, meta_key, value) VALUES ? ON DUPLICATE KEY UPDATE value = VALUES(value)', [metaRows]);
      }
      await conn.commit();
    });
  }

  async rename(from: string, to: string): Promise<void> {
    assertBookName(from);
    assertBookName(to);
    await this.session('ledger.rename', async (conn) => {
      await conn.beginTransaction();
      const [taken] = await conn.query<RowDataPacket[]>(
        '(SELECT 1 FROM ledger_meta WHERE book = ? LIMIT 1) UNION ALL (SELECT 1 FROM ledger_records WHERE book = ? LIMIT 1)',
        [to, to],
      );
      if (taken.length > 0) throw new StoreError(this.name, 'ledger.rename', `book "${to}" already exists`, { transient: false });
      await conn.query('UPDATE ledger_records SET book = ? WHERE book = ?', [to, from]);
      await conn.query('UPDATE ledger_meta SET book = ? WHERE book = ?', [to, from]);
      await conn.commit();
    });
  }

  /**
   * Claims `book` with a named lock (`GET_LOCK`) on a connection of its own,
   * held until `close`: the server frees it when that connection ends, also
   * when the process is killed. If the connection is lost, the next commit
   * takes the lock again (or fails, if another worker took the book meanwhile).
   * @see https://mariadb.com/kb/en/get_lock/
   */
  async claim(book: string): Promise<void> {
    assertBookName(book);
    if (this.lock?.book === book && this.lock.conn !== undefined) return;
    const name = `market-intel:${createHash('sha1').update(`${this.options.database}/${book}`).digest('hex')}`;
    let conn: Connection | undefined;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new StoreError(this.name, 'ledger.claim', `no answer from ${this.where} within ${this.timeoutMs} ms`, { transient: true })), this.timeoutMs);
    });
    try {
      const attempt = (async () => {
        conn = await createConnection({ host: this.options.host, port: this.options.port, user: this.options.user, password: this.options.password, database: this.options.database, connectTimeout: Math.min(this.timeoutMs, 5_000) });
        const [rows] = await conn.query<RowDataPacket[]>('SELECT GET_LOCK(?, 0) AS got, IS_USED_LOCK(?) AS holder', [name, name]);
        return rows[0];
      })();
      attempt.catch(() => undefined);
      const row = await Promise.race([attempt, deadline]);
      if (Number(row?.['got']) !== 1) throw new BookInUse(this.name, book, `MySQL connection ${String(row?.['holder'])} holds its lock ${name}`);
    } catch (err) {
      const failed: Connection | undefined = conn;
      failed?.destroy();
      throw mysqlStoreError('ledger.claim', err, this.password);
    } finally {
      clearTimeout(timer);
    }
    const held: Connection | undefined = conn;
    if (held === undefined) return;
    const lock: { readonly book: string; conn: Connection | undefined } = { book, conn: held };
    const lost = (): void => {
      if (lock.conn === held) lock.conn = undefined;
    };
    held.on('error', lost);
    held.on('end', lost);
    this.lock = lock;
  }

  /** Ends the pool and the lock's connection (freeing the book). Calling it again does nothing. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const lockConn = this.lock?.conn;
    this.lock = undefined;
    await lockConn?.end().catch(() => lockConn.destroy());
    await this.pool.end().catch(() => undefined);
  }

  private record(row: RowDataPacket): LedgerRecord {
    const ts: unknown = row['ts'];
    const tsMs = ts instanceof Date && !Number.isNaN(ts.getTime()) ? ts.getTime() : undefined;
    return ledgerRecordOf(this.name, { seq: row['seq'], kind: row['kind'], tsMs, payload: row['payload'] });
  }

  /**
   * Runs `work` on a pooled connection within the deadline, mapping failures to
   * StoreErrors. A failed connection is destroyed, not returned to the pool
   * (an open transaction on it rolls back on the server).
   */
  private async session<T>(operation: string, work: (conn: PoolConnection) => Promise<T>): Promise<T> {
    if (this.closed) throw new StoreError(this.name, operation, 'the ledger archive is closed', { transient: false });
    let conn: PoolConnection | undefined;
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new StoreError(this.name, operation, `no answer from ${this.where} within ${this.timeoutMs} ms`, { transient: true })), this.timeoutMs);
    });
    const attempt = (async () => {
      const acquired = await this.pool.getConnection();
      conn = acquired;
      // Past the deadline: the caller has its error; this connection is in an unknown state.
      if (settled) throw new Error('deadline passed');
      if (!this.strict.has(acquired.connection)) {
        await acquired.query(SESSION_SQL_MODE);
        this.strict.add(acquired.connection);
      }
      if (!this.checked) await this.checkSchema(acquired);
      return work(acquired);
    })();
    // After a deadline, whatever the attempt holds is dropped when it ends.
    attempt.catch(() => undefined).finally(() => {
      if (settled) conn?.destroy();
    });
    try {
      const result = await Promise.race([attempt, deadline]);
      conn?.release();
      conn = undefined;
      return result;
    } catch (err) {
      conn?.destroy();
      conn = undefined;
      throw mysqlStoreError(operation, err, this.password);
    } finally {
      settled = true;
      clearTimeout(timer);
    }
  }

  private async checkSchema(conn: PoolConnection): Promise<void> {
    const [rows] = await conn.query<RowDataPacket[]>('SELECT MAX(version) AS version FROM schema_version');
    const version = Number(rows[0]?.['version'] ?? 0);
    if (version < LEDGER_SCHEMA_VERSION) {
      const reason = `database "${this.where}" has schema version ${version}, expected ${LEDGER_SCHEMA_VERSION} (the ledger tables): apply init-db.sql (market-intel db init)`;
      throw new StoreError(this.name, 'connect', reason, { transient: false });
    }
    this.checked = true;
  }
}
