/**
 * Crash safety of the paper portfolio, through the built binary, with its
 * ledger in each archive: the embedded SQLite file and a real MariaDB. A
 * replay killed with SIGKILL at random ticks and restarted on the same book
 * ends with exactly the book, and so the portfolio, of a run never killed:
 * nothing lost, no trade doubled, to the cent.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { createConnection, type Connection, type RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/domain/index.js';
import { MemoryLedger, PortfolioManager } from '../../src/portfolio/index.js';
import { applySchema } from '../../src/storage/apply-schema.js';
import { freePort, jsonLines, ROOT, spawnCli } from '../helpers/cli.js';

type Row = { seq: number; kind: string; tsMs: number; payload: string };
type Book = { rows: Row[]; meta: Record<string, string> };

/** Where a backend's books are and how the test reads them, independently of the code under test. */
type Backend = {
  readonly name: string;
  /** The environment that points a run at this archive (its own data folder or database). */
  env(): Record<string, string>;
  read(book: string): Promise<Book>;
};

/** The replay's tick timestamps, read from the CSV independently of the code under test. */
function tickTimes(): number[] {
  const [, ...rows] = readFileSync(join(ROOT, 'assets/replay/sample.csv'), 'utf8').trim().split('\n');
  return [...new Set(rows.map((row) => Date.parse(row.split(',')[0] ?? '')))].sort((a, b) => a - b);
}

/** The embedded archive: <data-dir>/market_memory.sqlite, read with its own connection. */
function sqliteBackend(): Backend {
  const dataDir = mkdtempSync(join(tmpdir(), 'mi-kill-'));
  const path = join(dataDir, 'market_memory.sqlite');
  return {
    name: 'the embedded SQLite archive',
    env: () => ({ DATA_DIR: dataDir }),
    async read(book) {
      const db = new Database(path, { readonly: true, fileMustExist: true });
      try {
        const rows = db
          .prepare<[string], { seq: number; kind: string; ts: string; payload: string }>('SELECT seq, kind, ts, payload FROM ledger_records WHERE book = ? ORDER BY seq')
          .all(book)
          .map((r) => ({ seq: r.seq, kind: r.kind, tsMs: Date.parse(`${r.ts.replace(' ', 'T')}Z`), payload: r.payload }));
        const meta = db.prepare<[string], { k: string; v: string }>('SELECT meta_key AS k, value AS v FROM ledger_meta WHERE book = ?').all(book);
        return { rows, meta: Object.fromEntries(meta.map((m) => [m.k, m.v])) };
      } finally {
        db.close();
      }
    },
  };
}

/** Real MariaDB on 127.0.0.1:3306 (root, no password; CI starts it): a fresh database for this file, dropped afterwards. */
const database = `mi_kill_${process.pid}_${Date.now()}`;
let admin: Connection | undefined;

function mysqlBackend(): Backend {
  const dataDir = mkdtempSync(join(tmpdir(), 'mi-kill-'));
  return {
    name: 'MariaDB',
    env: () => ({ DATA_DIR: dataDir, MYSQL_HOST: '127.0.0.1', MYSQL_PORT: '3306', MYSQL_USER: 'root', MYSQL_DATABASE: database }),
    async read(book) {
      if (admin === undefined) throw new Error('no admin connection');
      const [rows] = await admin.query<RowDataPacket[]>('SELECT seq, kind, ts, payload FROM ledger_records WHERE book = ? ORDER BY seq', [book]);
      const [meta] = await admin.query<RowDataPacket[]>('SELECT meta_key, value FROM ledger_meta WHERE book = ?', [book]);
      return {
        rows: rows.map((r) => ({ seq: Number(r['seq']), kind: String(r['kind']), tsMs: (r['ts'] as Date).getTime(), payload: String(r['payload']) })),
        meta: Object.fromEntries(meta.map((m) => [String(m['meta_key']), String(m['value'])])),
      };
    },
  };
}

beforeAll(async () => {
  await applySchema({ host: '127.0.0.1', port: 3306, user: 'root', database });
  admin = await createConnection({ host: '127.0.0.1', port: 3306, user: 'root', database, timezone: 'Z' });
});

afterAll(async () => {
  await admin?.query(`DROP DATABASE IF EXISTS \`${database}\``);
  await admin?.end();
});

async function lastTick(backend: Backend, book: string): Promise<number> {
  try {
    return Number((await backend.read(book)).meta['replay.lastTickMs'] ?? 0);
  } catch {
    return 0; // not created yet, or locked for a moment
  }
}

async function run(backend: Backend, book: string, interval: string) {
  return spawnCli(['run', '--source', 'replay:sample', '--interval', interval, '--no-metrics', '--zmq-port', String(await freePort()), '--book', book], { SIM_AGENTS: '200', ...backend.env() });
}

/** Runs until the book holds tick `targetMs` (or later), then SIGKILLs the worker; returns the tick it had stored. */
async function killAt(backend: Backend, book: string, targetMs: number): Promise<number> {
  const worker = await run(backend, book, '0.01');
  while ((await lastTick(backend, book)) < targetMs) {
    if (worker.child.exitCode !== null) throw new Error(`worker exited before tick ${targetMs}: ${worker.stderr()}`);
    await sleep(2);
  }
  worker.child.kill('SIGKILL');
  expect((await worker.exited).code).toBe(137);
  return lastTick(backend, book);
}

/** The portfolio a book holds, valued at its stored marks. */
function finalState(book: Book) {
  const ledger = MemoryLedger.of(book.rows);
  const marks = JSON.parse(book.meta['marks'] ?? '{}') as Record<string, number>;
  const state = PortfolioManager.restore({ initialCapital: 100_000 }, ledger, { marks }).getPortfolioState();
  return { cash: state.cash, equity: state.equity, realizedPnl: state.realizedPnl, positions: state.positions, tradeCount: state.tradeCount };
}

describe.each([{ make: sqliteBackend }, { make: mysqlBackend }])('market-intel run killed with SIGKILL and restarted on the same book', ({ make }) => {
  const backend = make();

  it(`ends with the book and portfolio of a run that was never killed, position for position, to the cent (${backend.name})`, { timeout: 180_000 }, async () => {
    const times = tickTimes();
    expect(times).toHaveLength(301);

    const whole = await run(backend, 'reference', '0');
    expect((await whole.exited).code, whole.stderr()).toBe(0);
    const expected = await backend.read('reference');
    const trades = expected.rows.filter((r) => r.kind === 'trade');
    expect(trades.length).toBeGreaterThan(3); // the run trades: a kill can lose or double something
    expect(expected.meta['replay.finished']).toBe('1');

    // Three kill points at random ticks, in order, on one book; the seed is in every message.
    const seed = Date.now() % 1_000_000;
    const random = mulberry32(seed);
    const points = [40, 140, 240].map((base) => base + Math.floor(random() * 50));
    let caughtUpBefore = 0;
    for (const point of points) {
      const target = times[point] ?? 0;
      const stored = await killAt(backend, 'crashed', target);
      expect(stored, `seed ${seed}, kill at tick ${point}`).toBeGreaterThanOrEqual(target);
      expect((await backend.read('crashed')).meta['replay.finished'], `seed ${seed}`).toBeUndefined();
      caughtUpBefore = times.filter((t) => t <= stored).length;
    }
    const last = await run(backend, 'crashed', '0');
    expect((await last.exited).code).toBe(0);
    const logs = jsonLines(last.stdout());
    expect(logs.find((l) => l['msg'] === 'portfolio restored from the archive'), `seed ${seed}`).toBeDefined();
    const resumed = logs.find((l) => String(l['msg']).startsWith('resumed replay'));
    expect(resumed?.['ticks'], `seed ${seed}`).toBe(caughtUpBefore);
    expect(logs.find((l) => l['msg'] === 'run finished')?.['ticks'], `seed ${seed}`).toBe(301 - caughtUpBefore);

    const actual = await backend.read('crashed');
    expect(actual.rows, `seed ${seed}, kills at ticks ${points.join(', ')}`).toEqual(expected.rows);
    expect(actual.meta['marks']).toBe(expected.meta['marks']);
    expect(finalState(actual)).toEqual(finalState(expected));
  });

  it(`starts a finished replay afresh, keeping the finished book aside (${backend.name})`, { timeout: 60_000 }, async () => {
    expect((await (await run(backend, 'twice', '0')).exited).code).toBe(0);
    const first = await backend.read('twice');
    const again = await run(backend, 'twice', '0');
    expect((await again.exited).code).toBe(0);
    const fresh = jsonLines(again.stdout()).find((l) => l['msg'] === 'starting a fresh replay portfolio');
    expect(fresh?.['reason']).toBe('that replay had finished');
    expect(String(fresh?.['movedTo'])).toMatch(/^twice@\d{4}-\d\d-\d\dT/);
    expect((await backend.read(String(fresh?.['movedTo']))).rows).toEqual(first.rows);
    expect((await backend.read('twice')).rows).toEqual(first.rows);
  });

  it(`refuses a live portfolio's book for a replay, in one line, exit 2 (${backend.name})`, { timeout: 60_000 }, async () => {
    const live = spawnCli(['run', '--symbols', 'AAPL', '--ticks', '1', '--no-metrics', '--zmq-port', String(await freePort()), '--book', 'desk', '--sources', 'yahoo', '--no-simulation'], {
      ...backend.env(),
      YAHOO_BASE_URL: 'http://127.0.0.1:1',
    });
    await live.exited;
    expect((await backend.read('desk')).meta['run.mode']).toBe('live');
    const cli = await run(backend, 'desk', '0');
    expect((await cli.exited).code).toBe(2);
    expect(cli.stderr()).toMatch(/^market-intel: --book "desk": holds a live portfolio in \S+; give this replay its own book\n$/);
  });
  it(`refuses a second worker on a book another running worker holds, in one line, exit 2 (${backend.name})`, { timeout: 60_000 }, async () => {
    const live = async (): Promise<ReturnType<typeof spawnCli>> =>
      spawnCli(['run', '--symbols', 'AAPL', '--no-metrics', '--book', 'shared', '--sources', 'yahoo', '--no-simulation', '--zmq-port', String(await freePort())], {
        ...backend.env(),
        YAHOO_BASE_URL: 'http://127.0.0.1:1',
      });
    const first = await live();
    try {
      await first.waitFor('"component":"portfolio"');
      const second = await live();
      expect((await second.exited).code).toBe(2);
      expect(second.stderr()).toMatch(/^market-intel: --book "shared": in use by another worker \(.+\) in \S+; give each worker its own book \(--book <name>\)\n$/);
    } finally {
      first.child.kill('SIGTERM');
      await first.exited;
    }
    // Its holder gone, the book is free again.
    const third = await live();
    await third.waitFor('"component":"portfolio"');
    third.child.kill('SIGTERM');
    expect((await third.exited).code).toBe(0);
  });
});
