import { createServer, connect as connectTcp, type Socket } from 'node:net';
import { createConnection, type Connection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applySchema } from '../../src/storage/apply-schema.js';
import { StoreError, StoreErrorCode } from '../../src/storage/errors.js';
import { MysqlArchive } from '../../src/storage/mysql-archive.js';
import type { StoredEvent } from '../../src/storage/ports.js';
import { BASE_MS, archiveContract, storedEvent } from '../contracts/archive-contract.js';

/** Real MariaDB on 127.0.0.1:3306 as root with no password (CI starts it); this file's own database, dropped afterwards. */
const server = { host: '127.0.0.1', port: 3306, user: 'root' } as const;
const database = `mi_test_${process.pid}_${Date.now()}`;
const empty = `${database}_empty`;
/** A user made for the secret-scrubbing test: its password must never show in an error. */
const user = { name: `mi_u_${process.pid}_${Date.now() % 1e6}`, password: `Pw_${process.pid}_never_shown` };
const TABLES = ['quotes', 'sentiment', 'signals', 'sim_states', 'trades', 'portfolio_snapshots', 'runs'];

let admin: Connection;

beforeAll(async () => {
  expect(await applySchema({ ...server, database })).toBe(3);
  admin = await createConnection({ ...server, database });
  await admin.query(`CREATE DATABASE \`${empty}\``);
  await admin.query('CREATE USER ?@? IDENTIFIED BY ?', [user.name, '%', user.password]);
  await admin.query(`GRANT SELECT, INSERT, UPDATE ON \`${database}\`.* TO ?@?`, [user.name, '%']);
});

afterAll(async () => {
  await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
  await admin.query(`DROP DATABASE IF EXISTS \`${empty}\``);
  await admin.query('DROP USER IF EXISTS ?@?', [user.name, '%']);
  await admin.end();
});

archiveContract('MysqlArchive (MariaDB on 127.0.0.1:3306)', async () => {
  for (const table of TABLES) await admin.query(`TRUNCATE TABLE ${table}`);
  const archive = await MysqlArchive.connect({ ...server, database });
  return { archive, cleanup: () => archive.close() };
});

async function failure(promise: Promise<unknown>): Promise<StoreError> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StoreError);
  if (!(err instanceof StoreError)) throw new Error('unreachable: not a StoreError');
  return err;
}

/** A TCP relay to MariaDB that can be cut (every socket destroyed) and restarted on the same port: a server going away. */
async function startRelay(port = 0): Promise<{ readonly port: number; cut(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const relay = createServer((client) => {
    const upstream = connectTcp(server.port, server.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => s.destroy());
      s.on('close', () => (client.destroy(), upstream.destroy()));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => relay.listen(port, '127.0.0.1', resolve));
  const address = relay.address();
  return {
    port: typeof address === 'object' && address !== null ? address.port : port,
    cut: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => relay.close(() => resolve()));
    },
  };
}

const quote = (seq: number): StoredEvent => storedEvent('relay-run', seq, BASE_MS + seq, { kind: 'quote', symbol: 'RELAY', price: 1 + seq / 100, source: 'yahoo' });

describe('MysqlArchive', () => {
  it('rejects a connect to a closed port quickly as MI_STORE_UNAVAILABLE, naming mysql and connect but not the password', async () => {
    const started = performance.now();
    const err = await failure(MysqlArchive.connect({ host: '127.0.0.1', port: 1, user: 'market', password: user.password, database }));
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(err).toMatchObject({ code: StoreErrorCode.unavailable, transient: true, store: 'mysql', operation: 'connect' });
    expect(err.message).toMatch(/^mysql connect failed: ECONNREFUSED/);
    expect(err.message).not.toContain(user.password);
  });

  it('rejects a wrong password as MI_STORE_REJECTED without showing it', async () => {
    const password = 'wrong-password-shown-nowhere';
    const err = await failure(MysqlArchive.connect({ ...server, user: user.name, password, database }));
    expect(err).toMatchObject({ code: StoreErrorCode.rejected, transient: false, operation: 'connect' });
    expect(err.message).toContain('ER_ACCESS_DENIED_ERROR');
    expect(err.message).not.toContain(password);
  });

  it('blanks the password out of a server message that quotes it', async () => {
    // Asking for a database named like the password makes the server quote it back.
    const err = await failure(MysqlArchive.connect({ ...server, user: user.name, password: user.password, database: user.password }));
    expect(err).toMatchObject({ code: StoreErrorCode.rejected, transient: false });
    expect(err.message).toContain("to database '***'");
    expect(err.message).not.toContain(user.password);
    const ok = await MysqlArchive.connect({ ...server, user: user.name, password: user.password, database });
    await ok.close();
  });

  it('rejects a database without the schema, pointing at init-db.sql', async () => {
    const err = await failure(MysqlArchive.connect({ ...server, database: empty }));
    expect(err).toMatchObject({ code: StoreErrorCode.rejected, transient: false, operation: 'connect' });
    expect(err.message).toContain('ER_NO_SUCH_TABLE');
    expect(err.message).toContain('market-intel db init');
  });

  it('reports a server that went away as transient, then writes again once it is back', async () => {
    const relay = await startRelay();
    const archive = await MysqlArchive.connect({ ...server, port: relay.port, database });
    let back: Awaited<ReturnType<typeof startRelay>> | undefined;
    try {
      await archive.write([quote(1)]);
      await relay.cut();
      const err = await failure(archive.write([quote(2)]));
      expect(err).toMatchObject({ code: StoreErrorCode.unavailable, transient: true, operation: 'write' });
      back = await startRelay(relay.port);
      await archive.write([quote(2), quote(1)]);
      expect(await archive.query({ sinceMs: 0, symbol: 'RELAY' })).toStrictEqual([quote(1), quote(2)]);
    } finally {
      await archive.close();
      await back?.cut();
    }
  });

  it('applies the schema again without error, returning version 2, and refuses an unsafe database name', async () => {
    expect(await applySchema({ ...server, database })).toBe(3);
    const err = await failure(applySchema({ ...server, database: 'x`; DROP DATABASE mysql; --' }));
    expect(err).toMatchObject({ code: StoreErrorCode.rejected, operation: 'applySchema' });
  });
});
