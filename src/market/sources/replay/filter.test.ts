import { describe, expect, it } from 'vitest';
import { ErrorCode, InputError } from '../../../domain/index.js';
import { filterSymbols } from './filter.js';
import type { ReplayData } from './types.js';

function quote(symbol: string, tsMs: number, price: number) {
  return { symbol, price, volume: 1, tsMs, source: 'replay' };
}

const DATA: ReplayData = {
  symbols: ['AAPL', 'MSFT'],
  ticks: [
    { tsMs: 1, quotes: [quote('AAPL', 1, 10), quote('MSFT', 1, 20)] },
    { tsMs: 2, quotes: [quote('MSFT', 2, 21)] },
    { tsMs: 3, quotes: [quote('AAPL', 3, 11)] },
  ],
  files: ['a.csv'],
};

describe('filterSymbols', () => {
  it('keeps only the given symbols and drops ticks left empty', () => {
    const kept = filterSymbols(DATA, ['aapl']);
    expect(kept.symbols).toEqual(['AAPL']);
    expect(kept.ticks).toEqual([
      { tsMs: 1, quotes: [quote('AAPL', 1, 10)] },
      { tsMs: 3, quotes: [quote('AAPL', 3, 11)] },
    ]);
    expect(kept.files).toEqual(['a.csv']);
  });

  it('keeps everything for an empty list', () => {
    expect(filterSymbols(DATA, [])).toBe(DATA);
  });

  it('rejects a symbol that has no bar, listing the symbols there are', () => {
    const run = () => filterSymbols(DATA, ['AAPL', 'TSLA']);
    expect(run).toThrow(InputError);
    expect(run).toThrow('--symbols "TSLA": not in the replay data (it has AAPL, MSFT)');
    expect(() => filterSymbols(DATA, ['TSLA'])).toThrow(expect.objectContaining({ code: ErrorCode.replayFormat }));
  });
});
