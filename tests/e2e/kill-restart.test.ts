/**
 * Crash safety of the paper portfolio, through the built binary: a replay
 * killed with SIGKILL at random ticks and restarted on the same ledger ends
 * with exactly the ledger, and so the portfolio, of a run never killed:
 * nothing lost, no trade doubled, to the cent.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/domain/index.js';
import { PortfolioManager } from '../../src/portfolio/index.js';
import { SqliteLedger } from '../../src/storage/sqlite-ledger.js';
import { freePort, jsonLines, ROOT, spawnCli } from '../helpers/cli.js';

type Row = { seq: number; kind: string; tsMs: number; payload: string };

/** The replay's tick timestamps, read from the CSV independently of the code under test. */
function tickTimes(): number[] {
  const [, ...rows] = readFileSync(join(ROOT, 'assets/replay/sample.csv'), 'utf8').trim().split('\n');
  return [...new Set(rows.map((row) => Date.parse(row.split(',')[0] ?? '')))].sort((a, b) => a - b);
}

function readLedger(path: string): { rows: Row[]; meta: Record<string, string> } {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT seq, kind, ts_ms AS tsMs, payload FROM ledger ORDER BY seq').all() as Row[];
    const meta = Object.fromEntries((db.prepare('SELECT key, value FROM ledger_meta').all() as { key: string; value: string }[]).map((m) => [m.key, m.value]));
    return { rows, meta };
  } finally {
    db.close();
  }
}

function lastTick(path: string): number {
  try {
    return Number(readLedger(path).meta['replay.lastTickMs'] ?? 0);
  } catch {
    return 0; // not created yet, or locked for a moment
  }
}

async function run(ledger: string, interval: string) {
  return spawnCli(['run', '--source', 'replay:sample', '--interval', interval, '--no-metrics', '--zmq-port', String(await freePort()), '--ledger', ledger], { SIM_AGENTS: '200' });
}

/** Runs until the ledger holds tick `targetMs` (or later), then SIGKILLs the worker; returns the tick it had stored. */
async function killAt(ledger: string, targetMs: number): Promise<number> {
  const worker = await run(ledger, '0.01');
  while (lastTick(ledger) < targetMs) {
    if (worker.child.exitCode !== null) throw new Error(`worker exited before tick ${targetMs}: ${worker.stderr()}`);
    await sleep(2);
  }
  worker.child.kill('SIGKILL');
  expect((await worker.exited).code).toBe(137);
  return lastTick(ledger);
}

/** The portfolio a ledger holds, valued at its stored marks. */
function finalState(path: string) {
  const ledger = SqliteLedger.open(path);
  try {
    const marks = JSON.parse(ledger.getMeta('marks') ?? '{}') as Record<string, number>;
    const state = PortfolioManager.restore({ initialCapital: 100_000 }, ledger, { marks }).getPortfolioState();
    return { cash: state.cash, equity: state.equity, realizedPnl: state.realizedPnl, positions: state.positions, tradeCount: state.tradeCount };
  } finally {
    ledger.close();
  }
}

describe('market-intel run killed with SIGKILL and restarted on the same ledger', () => {
  it('ends with the ledger and portfolio of a run that was never killed, position for position, to the cent', { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mi-kill-'));
    const times = tickTimes();
    expect(times).toHaveLength(301);

    const reference = join(dir, 'reference.sqlite');
    const whole = await run(reference, '0');
    expect((await whole.exited).code).toBe(0);
    const expected = readLedger(reference);
    const trades = expected.rows.filter((r) => r.kind === 'trade');
    expect(trades.length).toBeGreaterThan(3); // the run trades: a kill can lose or double something
    expect(expected.meta['replay.finished']).toBe('1');

    // Three kill points at random ticks, in order, on one ledger; the seed is in every message.
    const seed = Date.now() % 1_000_000;
    const random = mulberry32(seed);
    const points = [40, 140, 240].map((base) => base + Math.floor(random() * 50));
    const crashed = join(dir, 'crashed.sqlite');
    let caughtUpBefore = 0;
    for (const point of points) {
      const target = times[point] ?? 0;
      const stored = await killAt(crashed, target);
      expect(stored, `seed ${seed}, kill at tick ${point}`).toBeGreaterThanOrEqual(target);
      expect(readLedger(crashed).meta['replay.finished'], `seed ${seed}`).toBeUndefined();
      caughtUpBefore = times.filter((t) => t <= stored).length;
    }
    const last = await run(crashed, '0');
    expect((await last.exited).code).toBe(0);
    const logs = jsonLines(last.stdout());
    expect(logs.find((l) => l['msg'] === 'portfolio restored from the ledger'), `seed ${seed}`).toBeDefined();
    const resumed = logs.find((l) => String(l['msg']).startsWith('resumed replay'));
    expect(resumed?.['ticks'], `seed ${seed}`).toBe(caughtUpBefore);
    expect(logs.find((l) => l['msg'] === 'run finished')?.['ticks'], `seed ${seed}`).toBe(301 - caughtUpBefore);

    const actual = readLedger(crashed);
    expect(actual.rows, `seed ${seed}, kills at ticks ${points.join(', ')}`).toEqual(expected.rows);
    expect(actual.meta['marks']).toBe(expected.meta['marks']);
    expect(finalState(crashed)).toEqual(finalState(reference));
  });

  it('starts a finished replay afresh, keeping the finished ledger aside', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mi-kill-'));
    const path = join(dir, 'ledger.sqlite');
    expect((await (await run(path, '0')).exited).code).toBe(0);
    const first = readLedger(path);
    const again = await run(path, '0');
    expect((await again.exited).code).toBe(0);
    expect(jsonLines(again.stdout()).find((l) => l['msg'] === 'starting a fresh replay portfolio')?.['reason']).toBe('that replay had finished');
    expect(readLedger(path).rows).toEqual(first.rows);
  });

  it('refuses a live portfolio ledger for a replay, in one line, exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mi-kill-'));
    const path = join(dir, 'live.sqlite');
    const ledger = SqliteLedger.open(path);
    ledger.setMeta('run.mode', 'live');
    new PortfolioManager({ initialCapital: 100_000 }, ledger);
    ledger.close();
    const cli = await run(path, '0');
    expect((await cli.exited).code).toBe(2);
    expect(cli.stderr()).toBe(`market-intel: --ledger "${path}": holds a live portfolio; give this replay its own ledger file\n`);
  });
});
