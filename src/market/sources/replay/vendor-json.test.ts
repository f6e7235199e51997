import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ErrorCode, InputError } from '../../../domain/index.js';
import type { ReplayOptions } from './types.js';
import { formatJsonPath, parseVendorJson } from './vendor-json.js';

const VENDORS = fileURLToPath(new URL('../../../../tests/fixtures/vendors/', import.meta.url));
const AAPL_CHART = 'yahoo/chart-AAPL-1d-2020-08-31_2020-11-07.json';
const MSFT_CHART = 'yahoo/chart-MSFT-1d-div-2021-02-01_2022-01-31.json';
const POLYGON_AGGS = 'polygon/aggs-AAPL-1day-2005-04-01_2005-04-04.json';
const ALPACA_BARS = 'alpaca/bars-AAPL-doc-example.json';
const ALPACA_MULTI = 'alpaca/multi-bars-AAPL-TSLA-doc-example.json';
const BINANCE_KLINES = 'ccxt/binance-klines-BTCUSDT-1h-2024-01-30.json';

async function fixture(name: string): Promise<string> {
  return readFile(`${VENDORS}${name}`, 'utf8');
}

async function parseFixture(name: string, options: ReplayOptions = {}) {
  return parseVendorJson(await fixture(name), name, options);
}

function vendorError(text: string, options: ReplayOptions = {}): InputError {
  try {
    parseVendorJson(text, 'x.json', options);
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error('expected an InputError');
}

describe('parseVendorJson: yahoo chart', () => {
  it('reads every bar of the recorded AAPL chart', async () => {
    const { bars, placeOf } = await parseFixture(AAPL_CHART);
    // PROVENANCE.md: 49 daily bars 2020-08-31..2020-11-06. Values: chart.result[0], first and last entries
    // (timestamp 1598880600 / 1604673000; indicators.quote[0] open/high/low/close/volume).
    expect(bars).toHaveLength(49);
    expect(bars[0]).toEqual({
      symbol: 'AAPL', tsMs: 1_598_880_600_000, open: 127.58000183105469, high: 131, low: 126, close: 129.0399932861328, volume: 225_702_700,
    });
    expect(bars[48]).toMatchObject({ tsMs: Date.UTC(2020, 10, 6, 14, 30), close: 118.69000244140625, volume: 114_457_900 });
    expect(placeOf(1)).toBe(`${AAPL_CHART} chart.result[0].timestamp[1]`);
  });

  it('reads every bar of the recorded MSFT chart', async () => {
    const { bars } = await parseFixture(MSFT_CHART);
    // PROVENANCE.md: 252 daily bars 2021-02-01..2022-01-28; first close 239.64999389648438, last 308.260009765625.
    expect(bars).toHaveLength(252);
    expect(bars[0]).toMatchObject({ symbol: 'MSFT', tsMs: Date.UTC(2021, 1, 1, 14, 30), close: 239.64999389648438, volume: 33_314_200 });
    expect(bars[251]).toMatchObject({ tsMs: Date.UTC(2022, 0, 28, 14, 30), close: 308.260009765625, volume: 49_743_700 });
  });

  it('skips entries whose close is null', async () => {
    const chart: unknown = JSON.parse(await fixture(AAPL_CHART));
    const quote = (chart as { chart: { result: { indicators: { quote: Record<string, unknown[]>[] } }[] } }).chart.result[0]
      ?.indicators.quote[0];
    for (const field of ['open', 'high', 'low', 'close', 'volume']) {
      if (quote?.[field] !== undefined) quote[field][1] = null;
    }
    const { bars } = parseVendorJson(JSON.stringify(chart), 'x.json', {});
    expect(bars).toHaveLength(48);
    // The second recorded bar (2020-09-01, timestamp 1598967000) is gone; the third (close 131.39999389648438) follows the first.
    expect(bars.map((b) => b.close).slice(0, 2)).toEqual([129.0399932861328, 131.39999389648438]);
  });

  it('names the JSON path and value of a bad entry', async () => {
    const text = (await fixture(AAPL_CHART)).replace('129.0399932861328', '-129.0399932861328');
    const err = vendorError(text);
    expect(err.message).toBe('x.json: chart.result[0].indicators.quote[0].close[0] -129.0399932861328: expected a number > 0');
    expect(err.code).toBe(ErrorCode.replayRow);
  });
});

describe('parseVendorJson: polygon aggregates', () => {
  it('reads both recorded AAPL bars', async () => {
    const { bars, placeOf } = await parseFixture(POLYGON_AGGS);
    // results[0]: t 1112331600000 (2005-04-01T05:00Z), o 1.5032 h 1.5064 l 1.4489 c 1.4604 v 642646396; results[1].c 1.4675.
    expect(bars).toEqual([
      { symbol: 'AAPL', tsMs: 1_112_331_600_000, open: 1.5032, high: 1.5064, low: 1.4489, close: 1.4604, volume: 642_646_396 },
      { symbol: 'AAPL', tsMs: 1_112_587_200_000, open: 1.4639, high: 1.4754, low: 1.4343, close: 1.4675, volume: 578_172_308 },
    ]);
    expect(placeOf(1)).toBe(`${POLYGON_AGGS} results[1]`);
  });

  it('names the JSON path and value of a bad close', async () => {
    const text = (await fixture(POLYGON_AGGS)).replace('"c": 1.4675', '"c": "abc"');
    expect(vendorError(text).message).toBe('x.json: results[1].c "abc": expected a number > 0');
  });
});

describe('parseVendorJson: alpaca bars', () => {
  it('reads the single-symbol doc example', async () => {
    const { bars } = await parseFixture(ALPACA_BARS);
    // bars[0]: t 2022-04-11T08:00:00Z, o 168.99 h 169.81 l 168.99 c 169 v 7170.
    expect(bars).toEqual([
      { symbol: 'AAPL', tsMs: Date.UTC(2022, 3, 11, 8), open: 168.99, high: 169.81, low: 168.99, close: 169, volume: 7170 },
    ]);
  });

  it('reads the multi-symbol doc example', async () => {
    const { bars, placeOf } = await parseFixture(ALPACA_MULTI);
    // bars.AAPL[0].c 166.975 and bars.TSLA[0].c 991.1412, both at 2022-04-11T04:00:00Z.
    expect(bars.map((b) => [b.symbol, b.tsMs, b.close, b.volume])).toEqual([
      ['AAPL', Date.UTC(2022, 3, 11, 4), 166.975, 40_180_280],
      ['TSLA', Date.UTC(2022, 3, 11, 4), 991.1412, 13_754_547],
    ]);
    expect(placeOf(1)).toBe(`${ALPACA_MULTI} bars.TSLA[0]`);
  });

  it('names the JSON path and value of a bad timestamp', async () => {
    const text = (await fixture(ALPACA_BARS)).replace('2022-04-11T08:00:00Z', '2022-04-11 08:00');
    expect(vendorError(text).message).toBe(
      'x.json: bars[0].t "2022-04-11 08:00": expected ISO-8601 with a zone (2020-08-31T13:30:00Z) or a date (2020-08-31)',
    );
  });

  it('rejects a symbol key that is no symbol', () => {
    const err = vendorError(JSON.stringify({ bars: { 'NOT A SYMBOL': [] }, next_page_token: null }));
    expect(err.message).toMatch(/^x\.json: bars\["NOT A SYMBOL"\]: symbol "NOT A SYMBOL": expected symbols like AAPL/);
  });
});

describe('parseVendorJson: binance klines', () => {
  it('reads the three recorded candles under the one crypto symbol given', async () => {
    const { bars } = await parseFixture(BINANCE_KLINES, { symbolHint: ['AAPL', 'btc/usdt'] });
    // Open times 1706630400000/1706634000000/1706637600000 (2024-01-30 16:00..18:00Z);
    // closes "43488.71000000", "43374.80000000", "43361.11000000"; volumes "20.55495000", "21.80865000", "23.66547000".
    expect(bars.map((b) => [b.symbol, b.tsMs, b.close, b.volume])).toEqual([
      ['BTC/USDT', 1_706_630_400_000, 43_488.71, 20.55495],
      ['BTC/USDT', 1_706_634_000_000, 43_374.8, 21.80865],
      ['BTC/USDT', 1_706_637_600_000, 43_361.11, 23.66547],
    ]);
    expect(bars[0]).toMatchObject({ open: 43_519.34, high: 43_936, low: 43_171 });
  });

  it('asks for exactly one crypto symbol when none or several are given', async () => {
    const text = await fixture(BINANCE_KLINES);
    const expected = 'x.json: binance klines carry no symbol: pass exactly one crypto symbol with --symbols (e.g. BTC/USDT)';
    expect(vendorError(text).message).toBe(expected);
    expect(vendorError(text, { symbolHint: ['AAPL'] }).message).toBe(expected);
    expect(vendorError(text, { symbolHint: ['BTC/USDT', 'ETH/USDT'] }).message).toBe(expected);
    expect(vendorError(text).code).toBe(ErrorCode.replayFormat);
  });

  it('names the JSON path and value of a bad price string', () => {
    const err = vendorError('[[1706630400000, "1", "2", "0.5", "x1", "3", 1706633999999]]', { symbolHint: ['BTC/USDT'] });
    expect(err.message).toBe('x.json: [0][4] "x1": expected a decimal number');
  });
});

describe('parseVendorJson: other input', () => {
  it('lists the accepted formats for an unrecognised shape', () => {
    const err = vendorError('{"quoteResponse": {"result": []}}');
    expect(err.code).toBe(ErrorCode.replayFormat);
    expect(err.message).toMatch(/^x\.json: unrecognised JSON: expected one of yahoo chart .*polygon aggregates .*alpaca bars .*binance klines/);
  });

  it('rejects text that is not JSON', () => {
    expect(vendorError('{"chart": ').message).toMatch(/^x\.json: not valid JSON \(/);
  });

  it('formats paths the way JavaScript reads them', () => {
    expect(formatJsonPath(['results', 3, 'c'])).toBe('results[3].c');
    expect(formatJsonPath(['bars', 'BTC/USD', 0, 't'])).toBe('bars["BTC/USD"][0].t');
    expect(formatJsonPath([])).toBe('(top level)');
  });
});
