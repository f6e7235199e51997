import { readFile } from 'node:fs/promises';
import { createConnection, type Connection, type RowDataPacket } from 'mysql2/promise';
import { StoreError } from './errors.js';
import { mysqlStoreError, type MysqlArchiveOptions } from './mysql-archive.js';

/** init-db.sql at the package root (two levels up from both src/storage and dist/storage). */
const INIT_DB_SQL = new URL('../../init-db.sql', import.meta.url);

/** The database name init-db.sql is written for; replaced by the configured one. */
const SCHEMA_DATABASE = 'market_memory';

/** A name that is safe unquoted in init-db.sql's statements (MySQL allows more; the archive needs no more). */
const DATABASE_NAME = /^[A-Za-z0-9_]{1,64}$/;

/**
 * Creates (or brings up to date) the archive database `options.database`:
 * runs init-db.sql, which is idempotent, with `market_memory` replaced by
 * that name. For `market-intel db init`; the user needs CREATE, ALTER and
 * INDEX rights.
 * @returns the database's schema version after the run (3 for this init-db.sql).
 * @throws StoreError `MI_STORE_REJECTED` for a database name other than letters, digits and `_`,
 *   or a statement the server refuses; `MI_STORE_UNAVAILABLE` when the server cannot be reached.
 * @see https://sidorares.github.io/node-mysql2/docs#using-multiple-statements
 */
export async function applySchema(options: MysqlArchiveOptions): Promise<number> {
  if (!DATABASE_NAME.test(options.database)) {
    const reason = `database name ${JSON.stringify(options.database)}: expected 1 to 64 letters, digits or _`;
    throw new StoreError('mysql', 'applySchema', reason, { transient: false });
  }
  let sql: string;
  try {
    sql = (await readFile(INIT_DB_SQL, 'utf8')).replaceAll(SCHEMA_DATABASE, options.database);
  } catch (err) {
    throw new StoreError('mysql', 'applySchema', `cannot read init-db.sql (${String(err)})`, { transient: false, cause: err });
  }
  let conn: Connection | undefined;
  try {
    // No `database`: init-db.sql creates it, then USEs it.
    conn = await createConnection({
      host: options.host,
      port: options.port,
      user: options.user,
      password: options.password,
      multipleStatements: true,
      connectTimeout: 5_000,
      timezone: 'Z',
    });
    await conn.query(sql);
    const [rows] = await conn.query<RowDataPacket[]>('SELECT MAX(version) AS version FROM schema_version');
    return Number(rows[0]?.['version'] ?? 0);
  } catch (err) {
    throw mysqlStoreError('applySchema', err, options.password);
  } finally {
    await conn?.end().catch(() => undefined);
  }
}
