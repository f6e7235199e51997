/**
 * Ledger commit benchmark: what the portfolio's durable commit costs a tick.
 * Each tick of the worker commits its new ledger records with the marks and
 * (in a replay) the tick's timestamp, in one transaction, before its trades
 * count; this measures that commit, one after another as the tick loop
 * does, for each archive:
 *
 *   node --import tsx bench/ledger-commit.ts [commits]     (default 2000 per archive)
 *
 * - ledger.sqlite: the embedded archive (a temp market_memory.sqlite; WAL,
 *   synchronous FULL: an fsync per commit).
 * - ledger.mysql: MariaDB on 127.0.0.1:3306 (root, no password), a fresh
 *   database dropped afterwards (InnoDB as the server is configured).
 *
 * Each commit carries one trade record (a real fill's JSON size) and the
 * marks of 20 symbols. One JSON line per archive: commits/s and the
 * latency percentiles in ms.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createConnection } from 'mysql2/promise';
import { applySchema } from '../src/storage/apply-schema.js';
import type { LedgerArchive } from '../src/storage/ledger-archive.js';
import { MysqlLedgerArchive } from '../src/storage/mysql-ledger-archive.js';
import { SqliteLedgerArchive } from '../src/storage/sqlite-ledger-archive.js';

const commits = Number(process.argv[2] ?? 2_000);
const T0 = Date.parse('2026-12-07T14:30:00Z');
const SYMBOLS = Array.from({ length: 20 }, (_, i) => `S${String(i).padStart(3, '0')}`);

function payload(seq: number): string {
  return JSON.stringify({ id: String(seq), symbol: SYMBOLS[seq % SYMBOLS.length], side: seq % 2 === 0 ? 'BUY' : 'SELL', quantityMicro: 52_631_578, priceMicro: 190_120_000, feeCents: 100, reason: 'signal', confidence: 0.83, ts: T0 + seq * 1_000 });
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function measure(name: string, archive: LedgerArchive): Promise<void> {
  const book = `bench-${process.pid}`;
  const round = (x: number): number => Math.round(x * 1_000) / 1_000;
  // Warm-up: connections, statements, the first pages.
  for (let seq = 1; seq <= 50; seq += 1) await archive.commit(`${book}-warm`, [{ seq, kind: 'trade', tsMs: T0 + seq, payload: payload(seq) }], { marks: '{}' });
  const latencies: number[] = [];
  const started = performance.now();
  for (let seq = 1; seq <= commits; seq += 1) {
    const marks = JSON.stringify(Object.fromEntries(SYMBOLS.map((s, i) => [s, 100 + i + seq / 100])));
    const t = performance.now();
    await archive.commit(book, [{ seq, kind: 'trade', tsMs: T0 + seq * 1_000, payload: payload(seq) }], { marks, 'replay.lastTickMs': String(T0 + seq * 1_000) });
    latencies.push(performance.now() - t);
    if (seq % 500 === 0) process.stderr.write(`${name}: ${seq}/${commits}\n`);
  }
  const seconds = (performance.now() - started) / 1_000;
  const loaded = await archive.load(book);
  if (loaded.records.length !== commits) throw new Error(`${name}: ${loaded.records.length} records read back, expected ${commits}`);
  latencies.sort((a, b) => a - b);
  console.log(JSON.stringify({
    figure: name,
    commits,
    commitsPerS: Math.round(commits / seconds),
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
    maxMs: round(latencies.at(-1) ?? Number.NaN),
  }));
}

const dir = mkdtempSync(join(tmpdir(), 'mi-bench-ledger-'));
const sqlite = SqliteLedgerArchive.open(join(dir, 'market_memory.sqlite'));
await measure('ledger.sqlite', sqlite);
await sqlite.close();
rmSync(dir, { recursive: true, force: true });

const server = { host: '127.0.0.1', port: 3306, user: 'root' } as const;
const database = `mi_bench_ledger_${process.pid}`;
await applySchema({ ...server, database });
const mysql = MysqlLedgerArchive.open({ ...server, database });
try {
  await measure('ledger.mysql', mysql);
} finally {
  await mysql.close();
  const admin = await createConnection(server);
  await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
  await admin.end();
}
