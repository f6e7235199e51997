/**
 * `market-intel db init` through the built binary: the embedded SQLite
 * archive (every table, the ledger's too) when MYSQL_HOST is unset, and
 * init-db.sql on a real MariaDB (a fresh database, dropped afterwards),
 * applied twice without harm.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createConnection } from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnCli } from '../helpers/cli.js';

const database = `mi_dbinit_${process.pid}_${Date.now()}`;

afterAll(async () => {
  const admin = await createConnection({ host: '127.0.0.1', port: 3306, user: 'root' });
  await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
  await admin.end();
});

describe('market-intel db init', () => {
  it('creates the embedded SQLite archive with the event and ledger tables when MYSQL_HOST is unset', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mi-dbinit-'));
    const cli = spawnCli(['db', 'init', '--json'], { DATA_DIR: dataDir });
    expect((await cli.exited).code, cli.stderr()).toBe(0);
    const path = join(dataDir, 'market_memory.sqlite');
    expect(JSON.parse(cli.stdout())).toEqual({ store: 'sqlite', path });
    const db = new Database(path, { readonly: true });
    const tables = db.prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    db.close();
    expect(tables).toEqual(['ledger_meta', 'ledger_owner', 'ledger_records', 'portfolio_snapshots', 'quotes', 'runs', 'schema_version', 'sentiment', 'signals', 'sim_states', 'trades']);
  });

  it('applies init-db.sql to MariaDB, twice, at schema version 3', async () => {
    for (let i = 0; i < 2; i += 1) {
      const cli = spawnCli(['db', 'init', '--json'], { MYSQL_HOST: '127.0.0.1', MYSQL_DB: database });
      expect((await cli.exited).code, cli.stderr()).toBe(0);
      expect(JSON.parse(cli.stdout())).toEqual({ store: 'mysql', database, host: '127.0.0.1', port: 3306, schemaVersion: 3 });
    }
  });
});
