import { ErrorCode, InputError, parseSymbol } from '../../../domain/index.js';
import type { ReplayData } from './types.js';

/**
 * Keeps only the given symbols of a replay, dropping ticks left without a
 * quote. Symbols are matched case-insensitively; an empty list keeps all.
 * Throws InputError (`replayFormat`) when a requested symbol has no bar.
 */
export function filterSymbols(data: ReplayData, symbols: readonly string[]): ReplayData {
  if (symbols.length === 0) return data;
  const wanted = new Set(symbols.map((raw) => parseSymbol(raw)?.symbol ?? raw.trim().toUpperCase()));
  const missing = [...wanted].filter((s) => !data.symbols.includes(s));
  if (missing.length > 0) {
    throw new InputError(
      `--symbols ${JSON.stringify(missing.join(','))}: not in the replay data (it has ${data.symbols.join(', ')})`,
      { code: ErrorCode.replayFormat },
    );
  }
  const ticks = data.ticks
    .map((tick) => ({ tsMs: tick.tsMs, quotes: tick.quotes.filter((q) => wanted.has(q.symbol)) }))
    .filter((tick) => tick.quotes.length > 0);
  return { symbols: data.symbols.filter((s) => wanted.has(s)), ticks, files: data.files };
}
