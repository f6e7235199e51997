/**
 * `market-intel history --symbol AAPL --since 1h [--kinds quote,trade]
 * [--limit n] [--json]`: reads the archive (MySQL when configured, else the
 * embedded SQLite file) and prints what it holds, oldest first.
 */
import { InputError } from '../domain/index.js';
import { loadConfig, type Config } from '../config/index.js';
import type { EventKind, StoredEvent } from '../storage/ports.js';
import { buildArchive } from '../worker/stores.js';
import { orUsage, UsageError } from './usage-error.js';

const KINDS: readonly EventKind[] = ['quote', 'sentiment', 'signal', 'sim_state', 'trade', 'portfolio'];
const UNIT_MS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** `90s`, `15m`, `1h`, `7d`, or an ISO-8601 instant → epoch ms. */
export function parseSince(value: string, nowMs: number): number {
  const relative = /^(\d+(?:\.\d+)?)([smhd])$/.exec(value.trim());
  if (relative) return nowMs - Number(relative[1]) * (UNIT_MS[relative[2] ?? 's'] ?? 1_000);
  const absolute = Date.parse(value);
  if (/^\d{4}-\d{2}-\d{2}/.test(value) && Number.isFinite(absolute)) return absolute;
  throw new UsageError(`--since "${value}": expected a duration such as 90s, 15m, 1h, 7d or an ISO-8601 time`);
}

function parseKinds(value: string | undefined): readonly EventKind[] {
  if (value === undefined) return KINDS;
  const parts = value.split(',').map((p) => p.trim());
  const kinds = parts.map((p) => KINDS.find((k) => k === p));
  if (kinds.some((k) => k === undefined)) throw new UsageError(`--kinds "${value}": expected a comma list of ${KINDS.join(', ')}`);
  return kinds.filter((k) => k !== undefined);
}

function parseLimit(value: string | undefined): number {
  if (value === undefined) return 1_000;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1_000_000) throw new UsageError(`--limit "${value}": expected an integer from 1 to 1000000`);
  return n;
}

function line(e: StoredEvent): string {
  const ts = new Date(e.tsMs).toISOString();
  switch (e.kind) {
    case 'quote':
      return `${ts}  quote      ${e.symbol.padEnd(10)} ${e.price}  ${e.source}`;
    case 'signal':
      return `${ts}  signal     ${e.symbol.padEnd(10)} ${e.action} ${e.confidence.toFixed(3)}`;
    case 'trade':
      return `${ts}  trade      ${e.symbol.padEnd(10)} ${e.side} ${e.qty} @ ${e.price}  fee ${e.fee}${e.pnl === undefined ? '' : `  pnl ${e.pnl}`}  ${e.reason}`;
    case 'sentiment':
      return `${ts}  sentiment  ${e.market.padEnd(10)} ${e.value} ${e.label}  ${e.source}`;
    case 'sim_state':
      return `${ts}  sim_state  step ${e.step}  Z ${e.globalState.toFixed(4)}`;
    case 'portfolio':
      return `${ts}  portfolio  equity ${e.equity}  cash ${e.cash}  pnl ${e.totalPnl}`;
  }
}

function readConfig(): Config {
  return orUsage(() => loadConfig({ requireSymbols: false }));
}

export async function historyCommand(options: Record<string, unknown>): Promise<void> {
  const symbol = text(options['symbol'])?.toUpperCase();
  const since = parseSince(text(options['since']) ?? '1h', Date.now());
  const kinds = parseKinds(text(options['kinds']));
  const limit = parseLimit(text(options['limit']));
  const config = readConfig();
  let archive;
  try {
    archive = buildArchive(config);
  } catch (err) {
    if (err instanceof InputError) throw new UsageError(err.message, { cause: err });
    throw err;
  }
  try {
    const events = await archive.query({ symbol, kinds: symbol === undefined ? kinds : kinds.filter((k) => k === 'quote' || k === 'signal' || k === 'trade'), sinceMs: since, limit });
    if (options['json'] === true) {
      process.stdout.write(`${JSON.stringify({ store: archive.name, symbol, sinceMs: since, count: events.length, events })}\n`);
    } else {
      for (const event of events) process.stdout.write(`${line(event)}\n`);
      process.stderr.write(`${events.length} events from the ${archive.name} archive since ${new Date(since).toISOString()}\n`);
    }
  } finally {
    await archive.close();
  }
}
