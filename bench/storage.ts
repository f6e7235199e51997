/**
 * Storage benchmark: sustained events per second into each store through
 * its writer (the path the worker uses: enqueue, batch, write).
 *
 *   node --import tsx bench/storage.ts [events]     (default 200000 per store)
 *
 * Stores: Redis (127.0.0.1:6379; one pipeline per batch: an XADD per event,
 * a SET per symbol for the latest quote, one EXPIRE), MariaDB (127.0.0.1:3306, root, a fresh
 * database: batched multi-row INSERT IGNORE), and a time-series server that
 * speaks the InfluxDB v2 write API (a private VictoriaMetrics, one point
 * per event). Events are quotes of 50 symbols. The clock runs from the first
 * enqueue until the writer reports everything written. One JSON line per
 * store: {"figure":"storage.<store>","eventsPerSecond":…,"opsPerSecond":…}
 * (operations: Redis commands, MariaDB rows, time-series points).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { applySchema } from '../src/storage/apply-schema.js';
import { InfluxTimeSeries } from '../src/storage/influx-timeseries.js';
import { MysqlArchive } from '../src/storage/mysql-archive.js';
import type { EventSink, StoredEvent } from '../src/storage/ports.js';
import { RedisEpisodicMemory } from '../src/storage/redis-episodic.js';
import { StoreWriter } from '../src/storage/writer.js';
import { startVictoria } from '../tests/helpers/victoria.js';

const count = Number(process.argv[2] ?? 200_000);
const runId = `bench-${Date.now()}`;
const events: StoredEvent[] = Array.from({ length: count }, (_, i) => ({
  kind: 'quote',
  id: `${runId}:quote:${i + 1}`,
  runId,
  tsMs: 1_700_000_000_000 + i * 10,
  symbol: `S${String(i % 50).padStart(2, '0')}`,
  price: 100 + (i % 997) / 100,
  volume: 1000 + i,
  source: 'bench',
}));

/** Commands or rows a store executes for `count` events written in batches of `batchSize`. */
type OpCount = (batchSize: number) => number;

async function measure(sink: EventSink, batchSize: number, concurrency: number, ops: OpCount): Promise<void> {
  const spoolDir = mkdtempSync(join(tmpdir(), 'mi-bench-spool-'));
  const writer = new StoreWriter({ sink, spoolDir, batchSize, concurrency, maxBuffer: count + 1, flushIntervalMs: 1 });
  // Warm-up: connections and prepared paths.
  await sink.write(events.slice(0, 100));
  const started = performance.now();
  writer.start();
  for (const e of events) writer.enqueue(e);
  while (writer.stats().written < count) {
    if (writer.stats().spooled > 0) throw new Error(`${sink.name}: the store refused writes during the benchmark`);
    await new Promise((r) => setTimeout(r, 2));
  }
  const seconds = (performance.now() - started) / 1000;
  await writer.close();
  const perSecond = count / seconds;
  console.log(JSON.stringify({ figure: `storage.${sink.name}`, events: count, batchSize, concurrency, seconds: Number(seconds.toFixed(3)), eventsPerSecond: Math.round(perSecond), opsPerSecond: Math.round(ops(batchSize) / seconds) }));
}

const redis = await RedisEpisodicMemory.connect({ keyPrefix: `mi-bench-${process.pid}:`, ttlS: 60 });
// Redis commands: one XADD per event; per batch one SET per symbol (the latest quote) and one EXPIRE.
const SYMBOLS = 50;
await measure(redis, 1_000, 4, (batch) => count + Math.ceil(count / batch) * (SYMBOLS + 1));

const database = `mi_bench_${process.pid}`;
const mysqlSettings = { host: '127.0.0.1', port: 3306, user: 'root', database };
await applySchema(mysqlSettings);
const mysql = await MysqlArchive.connect(mysqlSettings);
await measure(mysql, 2_000, 4, () => count);
const admin = await createConnection({ host: '127.0.0.1', port: 3306, user: 'root' });
await admin.query(`DROP DATABASE IF EXISTS ${database}`);
await admin.end();

const victoria = await startVictoria();
try {
  await measure(new InfluxTimeSeries({ url: victoria.url, org: 'bench', bucket: 'bench' }), 5_000, 4, () => count);
} finally {
  await victoria.close();
}
