import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Context } from 'zeromq';
import { afterEach, describe, expect, it } from 'vitest';
import { ZmqPublisher } from '../bus/index.js';
import { loadConfig } from '../config/index.js';
import { ReplayClock } from '../domain/index.js';
import { PortfolioManager } from '../portfolio/index.js';
import { SqliteLedger } from '../storage/sqlite-ledger.js';
import { SqliteLedgerArchive } from '../storage/sqlite-ledger-archive.js';
import { Metrics } from '../telemetry/metrics.js';
import { WorkerHealth } from './health.js';
import { PortfolioStage } from './portfolio-stage.js';

const T0 = Date.UTC(2026, 11, 4, 15);
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
});

function stage(dataDir: string): PortfolioStage {
  const config = loadConfig({ env: {}, envFile: false, flags: { symbols: 'AAPL,MSFT', metrics: false, dataDir } });
  const bus = new ZmqPublisher({ endpoints: [`inproc://stage-${Math.random()}`], context: new Context() });
  const health = new WorkerHealth(config, {
    version: 'test', breakers: () => ({}), dataAgeS: () => ({}), bus: () => bus.stats(), counts: () => ({}), portfolio: () => undefined, stores: () => ({}),
  });
  const clock = new ReplayClock();
  clock.set(T0 + 86_400_000);
  const s = new PortfolioStage(config, bus, clock, new Metrics({ defaultMetrics: false }), health, pino({ level: 'silent' }));
  open.push(bus, s);
  return s;
}

describe('the portfolio stage and the ledger file of an earlier version', () => {
  it('imports <data-dir>/ledger.sqlite into the empty live book once, exactly, and sets the file aside', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mi-legacy-'));
    const legacy = SqliteLedger.open(join(dataDir, 'ledger.sqlite'));
    legacy.setMeta('run.mode', 'live');
    const before = new PortfolioManager({ initialCapital: 100_000 }, legacy);
    before.processSignal('AAPL', 'BUY', 190.12, { ts: T0 });
    before.processSignal('MSFT', 'BUY', 410.5, { ts: T0 + 1_000 });
    legacy.setMeta('marks', JSON.stringify({ AAPL: 191, MSFT: 409.25 }));
    const records = legacy.records();
    const expected = PortfolioManager.restore({ initialCapital: 100_000 }, legacy, { marks: { AAPL: 191, MSFT: 409.25 } }).getPortfolioState();
    legacy.close();

    const first = stage(dataDir);
    expect(await first.start()).toBe(`restored portfolio: equity ${expected.equity}, 2 positions, 2 trades, book live in ${join(dataDir, 'market_memory.sqlite')}`);
    expect(first.state()).toEqual(expected);
    expect(existsSync(join(dataDir, 'ledger.sqlite'))).toBe(false);
    expect(readdirSync(dataDir).filter((f) => /^ledger\.sqlite\.imported-[\dTZ-]+$/.test(f))).toHaveLength(1);
    await first.close();

    const archive = SqliteLedgerArchive.open(join(dataDir, 'market_memory.sqlite'));
    const book = await archive.load('live');
    await archive.close();
    expect(book.records).toEqual(records);
    expect(book.meta).toEqual({ 'run.mode': 'live', marks: JSON.stringify({ AAPL: 191, MSFT: 409.25 }) });

    // The next start restores from the archive; nothing is imported twice.
    const second = stage(dataDir);
    await second.start();
    expect(second.state()).toEqual(expected);
  });
});
