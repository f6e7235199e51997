import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import { SqliteArchive } from '../storage/sqlite-archive.js';
import { createLogger } from '../telemetry/logger.js';
import { Metrics } from '../telemetry/metrics.js';
import { StoreStage } from './store-stage.js';

describe('StoreStage', () => {
  it('warms the embedded episodic memory from the archive: the last hour only', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mi-stores-'));
    const archive = SqliteArchive.open(join(dataDir, 'market_memory.sqlite'));
    const now = Date.now();
    const quote = (n: number, tsMs: number, price: number) => ({ kind: 'quote' as const, id: `old:quote:${n}`, runId: 'old', tsMs, symbol: 'AAPL', price, source: 'yahoo' });
    await archive.startRun({ runId: 'old', startedMs: now - 7_200_000, source: 'yahoo', symbols: ['AAPL'], capitalUsd: 100_000 });
    await archive.write([quote(1, now - 7_000_000, 180), quote(2, now - 600_000, 189.25)]);
    await archive.close();

    const config = loadConfig({ env: { DATA_DIR: dataDir }, envFile: false, flags: { symbols: 'AAPL' } });
    const stage = new StoreStage(config, new Metrics(), createLogger({ level: 'silent', pretty: false }));
    const detail = await stage.start();
    expect(detail).toBe('memory, sqlite; episodic memory warmed with 1 events of the last 3600 s');
    await stage.drain();
    expect(await stage.latest('quote', 'AAPL')).toMatchObject({ id: 'old:quote:2', price: 189.25 });
    await stage.close();
  });
});
