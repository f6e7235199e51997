import { loadConfig } from '../config/index.js';
import { systemClock, type Quote } from '../domain/index.js';
import type { SymbolFailure } from '../market/port.js';
import { buildChain } from '../worker/chain.js';
import { orUsage, orUsageAsync } from './usage-error.js';

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function age(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7_200) return `${Math.round(s / 60)}m`;
  if (s < 172_800) return `${Math.round(s / 3_600)}h`;
  return `${Math.round(s / 86_400)}d`;
}

function human(quote: Quote, nowMs: number): string {
  const book = quote.bid !== undefined && quote.ask !== undefined ? `  bid ${quote.bid} ask ${quote.ask}` : '';
  return `${quote.symbol.padEnd(10)} ${String(quote.price).padStart(12)}  ${quote.source.padEnd(14)} age ${age(nowMs - quote.tsMs)}${book}`;
}

function failureLine(f: SymbolFailure): string {
  const causes = f.causes.map((c) => `${c.source}: ${c.reason}`).join('; ');
  return `market-intel: no provider could serve ${f.symbol} (${causes || 'no provider serves it'})`;
}

/**
 * `market-intel quote AAPL,MSFT,BTC/USDT`: one pass of the provider chain.
 * Prints each quote with the provider that served it and its age; exits 1
 * naming every provider's failure when a symbol could not be served.
 */
export async function quoteCommand(symbols: string, options: Record<string, unknown>): Promise<void> {
  const config = orUsage(() => loadConfig({ flags: { symbols, sources: text(options['sources']), maxQuoteAge: text(options['maxQuoteAge']) } }));
  const json = options['json'] === true;
  const chain = await orUsageAsync(() => buildChain(config, systemClock, () => undefined));
  const { fetcher, skipped } = chain;
  if (!json) for (const s of skipped) process.stderr.write(`${s.source} skipped: ${s.reason}\n`);
  try {
    const { quotes, failures } = await fetcher.fetch(config.symbols);
    const nowMs = systemClock.nowMs();
    if (json) {
      const rows = quotes.map((q) => ({ ...q, ts: new Date(q.tsMs).toISOString(), ageS: (nowMs - q.tsMs) / 1000 }));
      process.stdout.write(`${JSON.stringify({ quotes: rows, failures, skipped })}\n`);
    } else {
      for (const quote of quotes) process.stdout.write(`${human(quote, nowMs)}\n`);
      for (const failure of failures) process.stderr.write(`${failureLine(failure)}\n`);
    }
    process.exitCode = failures.length > 0 ? 1 : 0;
  } finally {
    await fetcher.close();
  }
}
