/**
 * `market-intel db init`: applies init-db.sql (idempotent) to the configured
 * MySQL/MariaDB (MYSQL_HOST, MYSQL_PORT, MYSQL_USER, MYSQL_PASSWORD,
 * MYSQL_DB), or creates the embedded SQLite archive when none is configured.
 */
import { join } from 'node:path';
import { InputError } from '../domain/index.js';
import { DEFAULTS, loadConfig, type Config } from '../config/index.js';
import { applySchema } from '../storage/apply-schema.js';
import { SqliteArchive } from '../storage/sqlite-archive.js';
import { SqliteLedgerArchive } from '../storage/sqlite-ledger-archive.js';
import { StoreError } from '../storage/errors.js';
import { orUsage, UsageError } from './usage-error.js';

function readConfig(): Config {
  return orUsage(() => loadConfig({ requireSymbols: false }));
}

export async function dbInitCommand(options: Record<string, unknown>): Promise<void> {
  const config = readConfig();
  const json = options['json'] === true;
  const mysql = config.mysql;
  if (mysql === undefined) {
    const path = join(config.dataDir, DEFAULTS.archiveFile);
    try {
      const archive = SqliteArchive.open(path);
      await archive.close();
      // The portfolio's ledger tables live in the same file.
      const ledger = SqliteLedgerArchive.open(path);
      await ledger.close();
    } catch (err) {
      if (err instanceof InputError || err instanceof StoreError) throw new UsageError(err.message, { cause: err });
      throw err;
    }
    process.stdout.write(json ? `${JSON.stringify({ store: 'sqlite', path })}\n` : `archive ready: SQLite ${path} (MYSQL_HOST is unset)\n`);
    return;
  }
  try {
    const version = await applySchema(mysql);
    const where = `${mysql.user}@${mysql.host}:${mysql.port}/${mysql.database}`;
    process.stdout.write(json ? `${JSON.stringify({ store: 'mysql', database: mysql.database, host: mysql.host, port: mysql.port, schemaVersion: version })}\n` : `applied init-db.sql to ${where} (schema version ${version})\n`);
  } catch (err) {
    if (err instanceof StoreError) {
      process.stderr.write(`market-intel: ${err.message}\n`);
      process.exitCode = 1;
      return;
    }
    throw err;
  }
}
