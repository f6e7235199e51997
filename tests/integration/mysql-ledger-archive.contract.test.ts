import { createServer, type Server } from 'node:net';
import { createConnection, type Connection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applySchema } from '../../src/storage/apply-schema.js';
import { StoreError } from '../../src/storage/errors.js';
import { MysqlLedgerArchive } from '../../src/storage/mysql-ledger-archive.js';
import { ledgerArchiveContract } from '../contracts/ledger-archive-contract.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';

/** Real MariaDB on 127.0.0.1:3306 as root with no password (CI starts it); this file's own databases, dropped afterwards. */
const server = { host: '127.0.0.1', port: 3306, user: 'root' } as const;
const database = `mi_ledger_${process.pid}_${Date.now()}`;
const older = `${database}_v2`;

let admin: Connection;

beforeAll(async () => {
  expect(await applySchema({ ...server, database })).toBe(3);
  admin = await createConnection({ ...server, database });
  // A database at schema version 2: the ledger tables are missing.
  await admin.query(`CREATE DATABASE \`${older}\``);
  await admin.query(`CREATE TABLE \`${older}\`.schema_version (version INT UNSIGNED NOT NULL PRIMARY KEY, applied_at DATETIME(3) NOT NULL)`);
  await admin.query(`INSERT INTO \`${older}\`.schema_version VALUES (1, UTC_TIMESTAMP(3)), (2, UTC_TIMESTAMP(3))`);
});

afterAll(async () => {
  await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
  await admin.query(`DROP DATABASE IF EXISTS \`${older}\``);
  await admin.end();
});

ledgerArchiveContract('MysqlLedgerArchive (MariaDB on 127.0.0.1:3306)', async () => {
  await admin.query('DELETE FROM ledger_records');
  await admin.query('DELETE FROM ledger_meta');
  return {
    archive: MysqlLedgerArchive.open({ ...server, database }),
    reopen: async () => MysqlLedgerArchive.open({ ...server, database }),
    rival: async () => MysqlLedgerArchive.open({ ...server, database }),
    cleanup: async () => undefined,
  };
});

describe('MysqlLedgerArchive against a real MariaDB', () => {
  it('stores instants as DATETIME(3) UTC and payloads byte for byte', async () => {
    await admin.query("DELETE FROM ledger_records WHERE book = 'typed'");
    const archive = MysqlLedgerArchive.open({ ...server, database });
    await archive.commit('typed', [{ seq: 1, kind: 'trade', tsMs: Date.UTC(2026, 11, 7, 15, 4, 5, 678), payload: '{"q":"Zürich 🚀"}' }], {});
    await archive.close();
    const [rows] = await admin.query("SELECT DATE_FORMAT(ts, '%Y-%m-%d %H:%i:%s.%f') AS ts, HEX(payload) AS hex FROM ledger_records WHERE book = 'typed'");
    expect(rows).toEqual([{ ts: '2026-12-07 15:04:05.678000', hex: Buffer.from('{"q":"Zürich 🚀"}', 'utf8').toString('hex').toUpperCase() }]);
  });

  it('refuses a database without the ledger tables, saying how to add them', async () => {
    const archive = MysqlLedgerArchive.open({ ...server, database: older });
    const err = await archive.load('live').then(() => undefined, (e: unknown) => e);
    await archive.close();
    expect(err).toBeInstanceOf(StoreError);
    expect(String(err)).toContain('has schema version 2, expected 3 (the ledger tables): apply init-db.sql (market-intel db init)');
  });

  it('fails a commit (transient) within its deadline when the server is cut off, then commits again once it is back', async () => {
    const proxy = await startTcpProxy(server.port);
    const archive = MysqlLedgerArchive.open({ ...server, port: proxy.port, database }, 1_000);
    await admin.query("DELETE FROM ledger_records WHERE book = 'cut'");
    await admin.query("DELETE FROM ledger_meta WHERE book = 'cut'");
    const first = { seq: 1, kind: 'trade', tsMs: Date.UTC(2026, 11, 7), payload: '{}' };
    await archive.commit('cut', [first], { marks: 'a' });
    await proxy.cut();
    const started = performance.now();
    const err = await archive.commit('cut', [{ ...first, seq: 2 }], { marks: 'b' }).then(() => undefined, (e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(3_000);
    expect(err).toBeInstanceOf(StoreError);
    expect(err instanceof StoreError && err.transient).toBe(true);
    await proxy.restore();
    await archive.commit('cut', [{ ...first, seq: 2 }], { marks: 'b' });
    expect(await archive.load('cut')).toEqual({ records: [first, { ...first, seq: 2 }], meta: { marks: 'b' } });
    await archive.close();
    await proxy.close();
  });

  it('never shows the password in an error', async () => {
    const refusing: Server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
    const address = refusing.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const archive = MysqlLedgerArchive.open({ ...server, port, database, password: 'S3cret-never-shown' }, 1_000);
    const err = await archive.load('live').then(() => undefined, (e: unknown) => e);
    await archive.close();
    refusing.close();
    expect(err).toBeInstanceOf(StoreError);
    expect(String(err)).not.toContain('S3cret-never-shown');
    expect(String(err)).toContain('mysql ledger.load failed');
  });
});
