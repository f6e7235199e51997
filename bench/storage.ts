/**
 * Storage benchmark: sustained events per second into each store through
 * its writer (the path the worker uses: enqueue, batch, write).
 *
 *   node --import tsx bench/storage.ts [events] [redis|redis-pipeline|mysql|influx …]
 *     (default 200000 events per store, every store)
 *
 * Stores: Redis (127.0.0.1:6379; one script call per batch of 1,000 running
 * an XADD per event, a SET per symbol for the latest quote and one EXPIRE;
 * `redis-pipeline`: the same commands as one pipeline a batch, the path of a
 * server or user that refuses scripts),
 * MariaDB (127.0.0.1:3306, root, a fresh database: multi-row INSERTs, 2,000
 * events a transaction), and a time-series server that speaks the InfluxDB
 * v2 write API (a private VictoriaMetrics, one point per event, 5,000 a
 * request). Four writes in flight each. Events are quotes of 50 symbols.
 * The clock runs from the first enqueue until the writer reports everything
 * written. Then each store is read back: Redis's own command counters, the
 * MariaDB row count, the time-series samples; a shortfall fails the run.
 * One JSON line per store:
 * {"figure":"storage.<store>","eventsPerSecond":…,"opsPerSecond":…}
 * (operations: commands Redis ran, MariaDB rows, time-series points).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { createConnection, type RowDataPacket } from 'mysql2/promise';
import { applySchema } from '../src/storage/apply-schema.js';
import { InfluxTimeSeries } from '../src/storage/influx-timeseries.js';
import { MysqlArchive } from '../src/storage/mysql-archive.js';
import type { EventSink, StoredEvent } from '../src/storage/ports.js';
import { RedisEpisodicMemory } from '../src/storage/redis-episodic.js';
import { StoreWriter } from '../src/storage/writer.js';
import { pollFor } from '../tests/helpers/server-process.js';
import { startVictoria } from '../tests/helpers/victoria.js';

const count = Number(process.argv[2] ?? 200_000);
const chosen = process.argv.slice(3);
const runs = (store: string): boolean => chosen.length === 0 || chosen.includes(store);
const SYMBOLS = 50;
const LANES = 4;
const runId = `bench-${Date.now()}`;
const events: StoredEvent[] = Array.from({ length: count }, (_, i) => ({
  kind: 'quote',
  id: `${runId}:quote:${i + 1}`,
  runId,
  tsMs: 1_700_000_000_000 + i * 10,
  symbol: `S${String(i % SYMBOLS).padStart(2, '0')}`,
  price: 100 + (i % 997) / 100,
  volume: 1000 + i,
  source: 'bench',
}));

/** Writes every event through a writer; the seconds from the first enqueue until all are written. */
async function timeWriter(sink: EventSink, batchSize: number): Promise<number> {
  const spoolDir = mkdtempSync(join(tmpdir(), 'mi-bench-spool-'));
  const writer = new StoreWriter({ sink, spoolDir, batchSize, concurrency: LANES, maxBuffer: count + 1, flushIntervalMs: 1 });
  const started = performance.now();
  writer.start();
  for (const e of events) writer.enqueue(e);
  while (writer.stats().written < count) {
    if (writer.stats().spooled > 0) throw new Error(`${sink.name}: the store refused writes during the benchmark`);
    await new Promise((r) => setTimeout(r, 2));
  }
  const seconds = (performance.now() - started) / 1000;
  await writer.close();
  return seconds;
}

function report(store: string, batchSize: number, seconds: number, ops: number, detail: Readonly<Record<string, number>> = {}): void {
  const figure = { figure: `storage.${store}`, events: count, batchSize, concurrency: LANES, seconds: Number(seconds.toFixed(3)) };
  console.log(JSON.stringify({ ...figure, ...detail, eventsPerSecond: Math.round(count / seconds), opsPerSecond: Math.round(ops / seconds) }));
}

/** Redis's own count of calls per command (INFO commandstats); commands run by a script count too. */
async function commandCalls(admin: Redis): Promise<Map<string, number>> {
  const calls = new Map<string, number>();
  for (const [, name, n] of (await admin.info('commandstats')).matchAll(/^cmdstat_([a-z|]+):calls=(\d+)/gm)) calls.set(name ?? '', Number(n));
  return calls;
}

/**
 * `scripted`: as the worker writes (one EVAL a batch). Otherwise as a user
 * whose ACL refuses scripts (`-@scripting`, made for the run and deleted
 * after), so every batch goes as a pipeline of the same commands.
 */
async function benchRedis(scripted: boolean): Promise<void> {
  const batchSize = 1_000;
  const prefix = `mi-bench-${process.pid}:`;
  const admin = new Redis({ lazyConnect: true });
  await admin.connect();
  const user = `mi-bench-noscript-${process.pid}`;
  if (!scripted) await admin.call('ACL', 'SETUSER', user, 'on', '>bench', '~*', '&*', '+@all', '-@scripting');
  const url = scripted ? 'redis://127.0.0.1:6379' : `redis://${user}:bench@127.0.0.1:6379`;
  const redis = await RedisEpisodicMemory.connect({ url, keyPrefix: prefix, ttlS: 60 });
  await redis.write(events.slice(0, 100)); // warm-up: connection and script cache
  const before = await commandCalls(admin);
  const seconds = await timeWriter(redis, batchSize);
  const after = await commandCalls(admin);
  const ran = (name: string): number => (after.get(name) ?? 0) - (before.get(name) ?? 0);
  // Per batch: an XADD per event, a SET per symbol, one EXPIRE, and the EVAL that runs them.
  const batches = Math.ceil(count / batchSize);
  const expected = { xadd: count, set: batches * SYMBOLS, expire: batches, eval: scripted ? batches : 0 };
  for (const [name, calls] of Object.entries(expected)) {
    // Other clients of the same server can only add calls.
    if (ran(name) < calls) throw new Error(`redis: ${ran(name)} ${name} calls, expected at least ${calls}`);
  }
  // The writer closed the store: read the last symbol's latest key and the stream's TTL directly.
  const last = events.at(-1);
  const latest = last?.kind === 'quote' ? await admin.get(`${prefix}latest:quote:${last.symbol}`) : null;
  if (latest === null || !latest.includes(`"id":"${last?.id}"`) || (await admin.ttl(`${prefix}events`)) <= 0) {
    throw new Error('redis: the last quote or the stream TTL is missing');
  }
  const keys = await admin.keys(`${prefix}*`);
  if (keys.length > 0) await admin.del(...keys);
  if (!scripted) await admin.call('ACL', 'DELUSER', user);
  await admin.quit();
  const commandsRun = expected.xadd + expected.set + expected.expire;
  report(scripted ? 'redis' : 'redis-pipeline', batchSize, seconds, commandsRun, { commandsRun, commandsSent: scripted ? expected.eval : commandsRun });
}

async function benchMysql(): Promise<void> {
  const database = `mi_bench_${process.pid}`;
  const settings = { host: '127.0.0.1', port: 3306, user: 'root', database };
  await applySchema(settings);
  const mysql = await MysqlArchive.connect(settings);
  await mysql.write(events.slice(0, 100)); // warm-up: the pool's connections (these rows are written again, stored once)
  const seconds = await timeWriter(mysql, 2_000);
  const admin = await createConnection({ host: '127.0.0.1', port: 3306, user: 'root' });
  try {
    const [rows] = await admin.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${database}.quotes WHERE run_id = ?`, [runId]);
    const stored = Number(rows[0]?.['n'] ?? 0);
    if (stored !== count) throw new Error(`mysql: ${stored} rows stored, expected ${count}`);
    report('mysql', 2_000, seconds, stored);
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${database}`);
    await admin.end();
  }
}

async function benchInflux(): Promise<void> {
  const victoria = await startVictoria();
  try {
    const influx = new InfluxTimeSeries({ url: victoria.url, org: 'bench', bucket: 'bench' });
    await influx.write(events.slice(0, 100)); // warm-up: the HTTP agent (these points are written again, kept once)
    const seconds = await timeWriter(influx, 5_000);
    // One price sample per event; a sample can take about a second to show after the flush.
    const samples = async (): Promise<number> =>
      (await victoria.exportSeries('{__name__="market_data_price"}')).reduce((n, series) => n + series.values.length, 0);
    await pollFor(async () => ((await samples()) >= count ? true : undefined), 15_000, `${count} price samples`, 500);
    const stored = await samples();
    if (stored !== count) throw new Error(`influx: ${stored} price samples, expected ${count}`);
    report('influx', 5_000, seconds, stored);
  } finally {
    await victoria.close();
  }
}

if (runs('redis')) await benchRedis(true);
if (runs('redis-pipeline')) await benchRedis(false);
if (runs('mysql')) await benchMysql();
if (runs('influx')) await benchInflux();
