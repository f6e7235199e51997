import { loadConfig } from '../config/index.js';
import { systemClock } from '../domain/index.js';
import type { SentimentMarket } from '../domain/index.js';
import type { MarketMood, SentimentEngine, SentimentProblem } from '../sentiment/engine.js';
import { buildSentiment } from '../worker/build.js';
import { orUsage, UsageError } from './usage-error.js';

function parseDays(raw: unknown): number | undefined {
  if (typeof raw !== 'string') return undefined;
  const n = /^\d+$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n) || n > 3650) throw new UsageError(`--history "${raw}": expected a number of days 0-3650`);
  return n;
}

function line(market: string, mood: MarketMood | null, why: string): string {
  if (mood) return `${market.padEnd(8)} ${mood.value.toFixed(1).padStart(5)}  ${mood.label.padEnd(13)} ${mood.source} (${new Date(mood.tsMs).toISOString()})`;
  return `${market.padEnd(8)}   n/a  unavailable   ${why}`;
}

/** Why a market has no mood: its source failed, or its last value is older than SENTIMENT_MAX_AGE_S. */
function whyUnavailable(engine: SentimentEngine, market: SentimentMarket, problem: SentimentProblem | undefined): string {
  if (problem) return `${problem.source}: ${problem.error instanceof Error ? problem.error.message : String(problem.error)}`;
  const last = engine.latest(market);
  if (last) return `${last.source}: stale, last value ${last.value} at ${new Date(last.tsMs).toISOString()} (SENTIMENT_MAX_AGE_S)`;
  return 'no source';
}

/**
 * `market-intel sentiment`: reads CNN's and alternative.me's Fear & Greed
 * once and prints the snapshot. A one-shot has no prices for the proxy, so a
 * market whose index is down is unavailable: exit 1, naming the cause.
 */
export async function sentimentCommand(options: Record<string, unknown>): Promise<void> {
  const historyDays = parseDays(options['history']);
  const config = orUsage(() => loadConfig({ requireSymbols: false }));
  const problems: SentimentProblem[] = [];
  const engine = buildSentiment(config, systemClock, true, (p) => problems.push(p));
  await engine.refresh();
  const snapshot = engine.snapshot(historyDays === undefined ? {} : { historyDays });
  const why = (market: SentimentMarket) => whyUnavailable(engine, market, problems.find((p) => p.market === market));
  if (options['json'] === true) {
    const errors = problems.map((p) => ({ source: p.source, market: p.market, error: p.error instanceof Error ? p.error.message : String(p.error) }));
    process.stdout.write(`${JSON.stringify({ ...snapshot, errors })}\n`);
  } else {
    process.stdout.write(`${line('equity', snapshot.equity, why('equity'))}\n${line('crypto', snapshot.crypto, why('crypto'))}\n`);
    if (snapshot.combined) process.stdout.write(`combined ${snapshot.combined.value.toFixed(1).padStart(5)}  ${snapshot.combined.label}\n`);
    for (const [market, points] of Object.entries(snapshot.history ?? {})) {
      for (const p of points) process.stdout.write(`${market.padEnd(8)} ${new Date(p.tsMs).toISOString().slice(0, 10)} ${p.value.toFixed(1).padStart(5)}  ${p.label}\n`);
    }
  }
  process.exitCode = snapshot.equity && snapshot.crypto ? 0 : 1;
}
