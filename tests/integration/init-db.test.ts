import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

/** Real MariaDB on 127.0.0.1:3306 as root with no password (CI starts it). */
const database = `mi_test_${process.pid}_${Date.now()}`;
const schema = readFileSync(join(ROOT, 'init-db.sql'), 'utf8').replaceAll('market_memory', database);

function sql(input: string): string {
  return execFileSync('mariadb', ['--protocol=tcp', '-h127.0.0.1', '-P3306', '-uroot', '--batch', '--skip-column-names'], {
    input,
    encoding: 'utf8',
  });
}

afterAll(() => {
  sql(`DROP DATABASE IF EXISTS ${database};`);
});

describe('init-db.sql', () => {
  it('creates every archive table and applies again without error', () => {
    sql(schema);
    sql(schema);
    const tables = sql(`SHOW TABLES FROM ${database};`).trim().split('\n').sort();
    expect(tables).toEqual([
      'ledger_meta', 'ledger_records', 'portfolio_snapshots', 'quotes', 'runs', 'schema_version', 'sentiment', 'signals', 'sim_states', 'trades',
    ]);
    expect(sql(`SELECT version FROM ${database}.schema_version ORDER BY version;`).trim()).toBe('1\n2\n3');
  });

  it('keeps money and prices exact (DECIMAL) and instants to the millisecond', () => {
    sql(schema);
    const columns = sql(
      `SELECT CONCAT(table_name, '.', column_name, ' ', column_type) FROM information_schema.columns
       WHERE table_schema = '${database}' AND column_name IN ('price', 'fee_usd', 'equity_usd', 'cash_usd', 'ts')
       ORDER BY table_name, column_name;`,
    );
    expect(columns).toContain('trades.price decimal(24,10)');
    expect(columns).toContain('trades.fee_usd decimal(20,2)');
    expect(columns).toContain('portfolio_snapshots.equity_usd decimal(20,2)');
    expect(columns).toContain('quotes.ts datetime(3)');
    expect(columns).toContain('ledger_records.ts datetime(3)');
    expect(columns).not.toMatch(/\b(float|double)\b.*price/);
  });
});
