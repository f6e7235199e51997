import { describe, expect, it } from 'vitest';
import type { Bar } from '../../../domain/index.js';
import { ErrorCode, InputError } from '../../../domain/index.js';
import { mergeBars, symbolsOf, ticksFromBars } from './merge.js';
import type { ParsedBars } from './types.js';

function bar(symbol: string, tsMs: number, close: number): Bar {
  return { symbol, tsMs, open: close, high: close, low: close, close, volume: 10 };
}

function part(file: string, bars: readonly Bar[]): ParsedBars {
  return { bars, placeOf: (index) => `${file}:${index + 2}` };
}

describe('mergeBars and ticksFromBars', () => {
  it('puts two symbols at the same instant into one tick, quotes sorted by symbol', () => {
    const bars = mergeBars([part('b.csv', [bar('TSLA', 1000, 991.1412)]), part('a.csv', [bar('AAPL', 1000, 166.975)])]);
    expect(ticksFromBars(bars)).toEqual([
      {
        tsMs: 1000,
        quotes: [
          { symbol: 'AAPL', price: 166.975, volume: 10, tsMs: 1000, source: 'replay' },
          { symbol: 'TSLA', price: 991.1412, volume: 10, tsMs: 1000, source: 'replay' },
        ],
      },
    ]);
  });

  it('makes one tick per distinct timestamp, ascending, whatever the input order', () => {
    const bars = mergeBars([
      part('a.csv', [bar('AAPL', 3000, 3), bar('AAPL', 1000, 1)]),
      part('b.csv', [bar('MSFT', 2000, 2), bar('MSFT', 3000, 4)]),
    ]);
    const ticks = ticksFromBars(bars);
    expect(ticks.map((t) => [t.tsMs, t.quotes.map((q) => `${q.symbol}=${q.price}`)])).toEqual([
      [1000, ['AAPL=1']],
      [2000, ['MSFT=2']],
      [3000, ['AAPL=3', 'MSFT=4']],
    ]);
    expect(symbolsOf(bars)).toEqual(['AAPL', 'MSFT']);
  });

  it('names both places of a duplicate bar across files', () => {
    const run = () => mergeBars([part('a.csv', [bar('AAPL', 1_598_880_600_000, 1)]), part('b.csv', [bar('MSFT', 1, 1), bar('AAPL', 1_598_880_600_000, 2)])]);
    expect(run).toThrow(InputError);
    expect(run).toThrow('duplicate bar for AAPL at 2020-08-31T13:30:00Z: a.csv:2 and b.csv:3 (expected one bar per symbol and timestamp)');
  });

  it('names both rows of a duplicate bar within one file', () => {
    try {
      mergeBars([part('a.csv', [bar('AAPL', 5, 1), bar('MSFT', 5, 1), bar('AAPL', 5, 2)])]);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(InputError);
      expect(err).toMatchObject({ code: ErrorCode.replayRow });
      expect(String(err)).toContain('a.csv:2 and a.csv:4');
    }
  });
});
