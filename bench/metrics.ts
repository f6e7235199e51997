/**
 * Metrics benchmark: what one tick's worth of metric updates costs, to set
 * against the tick time (issue 8: metrics add < 2% to it).
 *
 *   node --import tsx bench/metrics.ts [ticks]     (default 200000)
 *
 * One tick = 20 quotes (20 symbols, 2 sources), each: published('quote.SYM'),
 * dataAge(SYM), dataFetch(source, seconds, ok); then once per tick:
 * published of portfolio and health, portfolio(), storeBacklog(),
 * tickDuration(). The Metrics instance has prom-client's Node defaults on,
 * as in the worker. Measured after a warm-up of a tenth of the ticks.
 *
 * Figure, one JSON line: metrics.tick, nsPerTick (mean); also
 * percentOf1sTick (the default interval) and renderMs, the cost of one
 * scrape with those series (off the tick path, for reference).
 */
import { performance } from 'node:perf_hooks';
import { Metrics } from '../src/telemetry/metrics.js';

const ticks = Number(process.argv[2] ?? process.env['BENCH_METRICS_TICKS'] ?? 200_000);
const SYMBOLS = Array.from({ length: 20 }, (_, i) => `S${i}`);
const TOPICS = SYMBOLS.map((s) => `quote.${s}`);
const SOURCES = ['yahoo', 'polygon'];

function runTicks(metrics: Metrics, n: number): number {
  const t0 = performance.now();
  for (let t = 0; t < n; t += 1) {
    for (let i = 0; i < SYMBOLS.length; i += 1) {
      metrics.published(TOPICS[i] ?? 'quote.X');
      metrics.dataAge(SYMBOLS[i] ?? 'X', (t + i) % 5);
      metrics.dataFetch(SOURCES[i % 2] ?? 'yahoo', 0.01 + (i % 7) * 0.03, i % 13 !== 0);
    }
    metrics.published('portfolio');
    metrics.published('health');
    metrics.portfolio({ equity: 100_000 + t, realizedPnl: t, unrealizedPnl: -t, totalPnl: 0, exposure: 0.4, winRate: 0.55 });
    metrics.storeBacklog('redis', t % 10);
    metrics.tickDuration(0.004);
  }
  return performance.now() - t0;
}

const metrics = new Metrics();
runTicks(metrics, Math.max(1, Math.floor(ticks / 10)));
const ms = runTicks(metrics, ticks);
const nsPerTick = (ms * 1e6) / ticks;

const renders = 200;
const r0 = performance.now();
for (let i = 0; i < renders; i += 1) await metrics.render();
const renderMs = (performance.now() - r0) / renders;

console.log(
  JSON.stringify({
    figure: 'metrics.tick',
    nsPerTick: Math.round(nsPerTick),
    percentOf1sTick: Number(((nsPerTick / 1e9) * 100).toFixed(4)),
    renderMs: Number(renderMs.toFixed(3)),
    ticks,
    updatesPerTick: SYMBOLS.length * 3 + 5,
    seconds: Number((ms / 1000).toFixed(3)),
  }),
);
