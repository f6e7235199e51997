import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { InputError, ErrorCode } from '../../../domain/index.js';
import { CSV_HEADER, formatReplayCsv, parseReplayCsv } from './csv.js';

const MSFT_CSV = fileURLToPath(new URL('../../../../tests/fixtures/data/msft-daily-2000-2001.csv', import.meta.url));

function csvError(text: string): InputError {
  try {
    parseReplayCsv(text, 'x.csv');
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error('expected an InputError');
}

describe('parseReplayCsv', () => {
  it('reads the recorded MSFT daily data set', async () => {
    const { bars, placeOf } = parseReplayCsv(await readFile(MSFT_CSV, 'utf8'), 'msft.csv');
    // tests/fixtures/data/PROVENANCE.md: 249 daily bars 2000-09-27..2001-09-27; first and last lines of the file.
    expect(bars).toHaveLength(249);
    expect(bars[0]).toEqual({
      symbol: 'MSFT', tsMs: Date.UTC(2000, 8, 27, 21), open: 63.4375, high: 63.5625, low: 59.8125, close: 60.625, volume: 53_077_800,
    });
    expect(bars[248]).toEqual({
      symbol: 'MSFT', tsMs: Date.UTC(2001, 8, 27, 21), open: 50.1, high: 50.68, low: 48, close: 49.96, volume: 40_595_600,
    });
    expect(placeOf(0)).toBe('msft.csv:2');
    expect(placeOf(248)).toBe('msft.csv:250');
  });

  it('accepts a BOM, CRLF, blank lines, blanks around fields and every timestamp form', () => {
    const text = `\uFEFF${CSV_HEADER}\r\n\r\n2020-08-31,aapl,1,2,0.5,1.5,0\r\n 1598880600000 , MSFT ,1,2,0.5,1.5,10\r\n2020-08-31T09:30:00-04:00,btc/usdt,1,2,0.5,1.5,0.25\r\n\r\n`;
    const { bars, placeOf } = parseReplayCsv(text, 'x.csv');
    expect(bars.map((b) => [b.symbol, b.tsMs])).toEqual([
      ['AAPL', Date.UTC(2020, 7, 31)],
      ['MSFT', 1_598_880_600_000],
      ['BTC/USDT', 1_598_880_600_000],
    ]);
    expect(placeOf(1)).toBe('x.csv:4');
  });

  it('names file, line, field, value and rule for a bad price', () => {
    const err = csvError(`${CSV_HEADER}\n2020-08-31,AAPL,1,2,0.5,1.5,0\n2020-09-01,AAPL,1,2,0.5,abc,0\n`);
    expect(err.message).toBe('x.csv:3: close "abc": expected a number > 0');
    expect(err.code).toBe(ErrorCode.replayRow);
  });

  it('rejects zero prices, negative volumes, bad symbols and zone-less timestamps', () => {
    expect(csvError(`${CSV_HEADER}\n2020-08-31,AAPL,0,2,0.5,1.5,0`).message).toBe('x.csv:2: open "0": expected a number > 0');
    expect(csvError(`${CSV_HEADER}\n2020-08-31,AAPL,1,2,0.5,1.5,-1`).message).toBe('x.csv:2: volume "-1": expected a number >= 0');
    expect(csvError(`${CSV_HEADER}\n2020-08-31,AA PL,1,2,0.5,1.5,1`).message).toMatch(/^x\.csv:2: symbol "AA PL": expected symbols like AAPL/);
    expect(csvError(`${CSV_HEADER}\n2020-08-31T13:30:00,AAPL,1,2,0.5,1.5,1`).message).toMatch(
      /^x\.csv:2: timestamp "2020-08-31T13:30:00": expected ISO-8601 with a zone/,
    );
  });

  it('rejects a row with the wrong number of fields', () => {
    expect(csvError(`${CSV_HEADER}\n2020-08-31,AAPL,1,2`).message).toBe(
      `x.csv:2: "2020-08-31,AAPL,1,2": expected 7 fields (${CSV_HEADER}), got 4`,
    );
  });

  it('rejects a wrong or missing header', () => {
    const wrong = csvError('date,symbol,open,high,low,close,volume\n');
    expect(wrong.message).toBe(`x.csv: header "date,symbol,open,high,low,close,volume": expected the first line to be "${CSV_HEADER}"`);
    expect(wrong.code).toBe(ErrorCode.replayFormat);
    expect(csvError('\n\n').message).toBe(`x.csv: no header: expected the first line to be "${CSV_HEADER}"`);
  });

  it('parses a 62,000-row file (the size of the USD/CHF half-hourly set) completely', () => {
    const start = Date.UTC(1996, 3, 1);
    const rows = Array.from({ length: 62_000 }, (_, i) => `${new Date(start + i * 1_800_000).toISOString()},USDCHF,1.2,1.3,1.1,1.25,100`);
    const text = [CSV_HEADER, ...rows].join('\n');
    const { bars } = parseReplayCsv(text, 'big.csv');
    expect(bars).toHaveLength(62_000);
    expect(bars.at(-1)).toEqual({ symbol: 'USDCHF', tsMs: start + 61_999 * 1_800_000, open: 1.2, high: 1.3, low: 1.1, close: 1.25, volume: 100 });
  });
});

describe('formatReplayCsv', () => {
  it('writes bars that parse back unchanged', () => {
    const bars = [
      { symbol: 'AAPL', tsMs: 1_598_880_600_000, open: 127.58000183105469, high: 131, low: 126, close: 129.0399932861328, volume: 225_702_700 },
    ];
    const text = formatReplayCsv(bars);
    expect(text).toBe(`${CSV_HEADER}\n2020-08-31T13:30:00Z,AAPL,127.58000183105469,131,126,129.0399932861328,225702700\n`);
    expect(parseReplayCsv(text, 'x.csv').bars).toEqual(bars);
  });
});
