/**
 * Sentiment proxy benchmark: what one computeProxyIndex call costs on the
 * engine's input, i.e. ProxyHistory.series for every symbol of one asset class
 * (full rings of 500 prices) followed by the computation, default options.
 *
 *   node --import tsx bench/sentiment-proxy.ts [symbols] [rounds]     (default 500, 2000)
 *
 * Prices are seeded random walks (mulberry32), so every run sees the same
 * data. One JSON line: msPerCall (series + computation) and the value reached,
 * which must not change between runs.
 */
import { performance } from 'node:perf_hooks';
import { computeProxyIndex, ProxyHistory } from '../src/sentiment/proxy.js';
import { mulberry32 } from '../src/domain/index.js';

const symbolCount = Number(process.argv[2] ?? 500);
const rounds = Number(process.argv[3] ?? 2000);


const random = mulberry32(42);
const history = new ProxyHistory(500);
const symbols = Array.from({ length: symbolCount }, (_, i) => `S${i}`);
for (const symbol of symbols) {
  let price = 100;
  for (let k = 0; k < 500; k += 1) {
    price *= Math.exp((random() - 0.5) * 0.02);
    history.add(symbol, price);
  }
}

let value = Number.NaN;
for (let i = 0; i < 50; i += 1) value = computeProxyIndex(history.series(symbols))?.value ?? Number.NaN;
const start = performance.now();
for (let i = 0; i < rounds; i += 1) value = computeProxyIndex(history.series(symbols))?.value ?? Number.NaN;
const ms = performance.now() - start;
console.log(JSON.stringify({ bench: 'sentiment.proxy', symbols: symbolCount, prices: 500, rounds, msPerCall: +(ms / rounds).toFixed(4), value }));
