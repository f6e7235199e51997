import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, InputError } from '../../../domain/index.js';
import { CSV_HEADER } from './csv.js';
import { loadReplay } from './load.js';
import type { ReplayOptions } from './types.js';

const FIXTURES = fileURLToPath(new URL('../../../../tests/fixtures/', import.meta.url));
const MSFT_CSV = join(FIXTURES, 'data/msft-daily-2000-2001.csv');
const ALPACA_DIR = join(FIXTURES, 'vendors/alpaca');
const POLYGON_AGGS = join(FIXTURES, 'vendors/polygon/aggs-AAPL-1day-2005-04-01_2005-04-04.json');
const BINANCE_KLINES = join(FIXTURES, 'vendors/ccxt/binance-klines-BTCUSDT-1h-2024-01-30.json');
const AAPL_CHART = join(FIXTURES, 'vendors/yahoo/chart-AAPL-1d-2020-08-31_2020-11-07.json');

let dir = '';

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'replay-load-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

async function loadError(path: string, options: ReplayOptions = {}): Promise<InputError> {
  const err: unknown = await loadReplay(path, options).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (err instanceof InputError) return err;
  throw new Error(`expected an InputError, got ${String(err)}`);
}

describe('loadReplay from a file', () => {
  it('loads a replay CSV, one tick per bar', async () => {
    const data = await loadReplay(MSFT_CSV, {});
    // tests/fixtures/data/PROVENANCE.md: 249 daily MSFT bars; the first closes at 60.625 on 2000-09-27 (21:00Z).
    expect(data.symbols).toEqual(['MSFT']);
    expect(data.files).toEqual([MSFT_CSV]);
    expect(data.ticks).toHaveLength(249);
    expect(data.ticks[0]).toEqual({
      tsMs: Date.UTC(2000, 8, 27, 21),
      quotes: [{ symbol: 'MSFT', price: 60.625, volume: 53_077_800, tsMs: Date.UTC(2000, 8, 27, 21), source: 'replay' }],
    });
    expect(data.ticks.at(-1)?.quotes[0]?.price).toBe(49.96);
  });

  it('loads a recorded Yahoo chart', async () => {
    const data = await loadReplay(AAPL_CHART, {});
    // 49 daily bars; first close 129.0399932861328 (chart.result[0].indicators.quote[0].close[0]).
    expect(data.ticks).toHaveLength(49);
    expect(data.ticks[0]?.quotes[0]).toMatchObject({ symbol: 'AAPL', price: 129.0399932861328, tsMs: 1_598_880_600_000 });
  });

  it('loads recorded Binance klines under the symbol given', async () => {
    const data = await loadReplay(BINANCE_KLINES, { symbolHint: ['BTC/USDT'] });
    // Closes of the three recorded candles: "43488.71000000", "43374.80000000", "43361.11000000".
    expect(data.symbols).toEqual(['BTC/USDT']);
    expect(data.ticks.map((t) => t.quotes[0]?.price)).toEqual([43_488.71, 43_374.8, 43_361.11]);
  });
});

describe('loadReplay from a directory', () => {
  it('merges every file of the recorded Alpaca bar examples by timestamp', async () => {
    for (const file of ['bars-AAPL-doc-example.json', 'multi-bars-AAPL-TSLA-doc-example.json']) {
      await copyFile(join(ALPACA_DIR, file), join(dir, file));
    }
    const data = await loadReplay(dir, {});
    expect(data.files).toEqual([join(dir, 'bars-AAPL-doc-example.json'), join(dir, 'multi-bars-AAPL-TSLA-doc-example.json')]);
    expect(data.symbols).toEqual(['AAPL', 'TSLA']);
    // multi-bars: AAPL c 166.975 and TSLA c 991.1412 at 04:00Z; bars: AAPL c 169 at 08:00Z, all on 2022-04-11.
    expect(data.ticks.map((t) => [t.tsMs, t.quotes.map((q) => [q.symbol, q.price])])).toEqual([
      [Date.UTC(2022, 3, 11, 4), [['AAPL', 166.975], ['TSLA', 991.1412]]],
      [Date.UTC(2022, 3, 11, 8), [['AAPL', 169]]],
    ]);
  });

  it('reads only *.csv and *.json files, sorted by name', async () => {
    await copyFile(POLYGON_AGGS, join(dir, 'b-aggs.json'));
    await write('a.csv', `${CSV_HEADER}\n2005-04-01T05:00:00Z,MSFT,25,25.5,24.5,24.9,100\n2005-04-02T05:00:00Z,MSFT,25,25.5,24.5,25.1,100\n`);
    await write('notes.txt', 'not data');
    await mkdir(join(dir, 'sub.csv'));
    const data = await loadReplay(dir, {});
    expect(data.files).toEqual([join(dir, 'a.csv'), join(dir, 'b-aggs.json')]);
    // Polygon results[0] is AAPL at 1112331600000 (2005-04-01T05:00Z) closing 1.4604, the same instant as the first MSFT row.
    expect(data.ticks.map((t) => [t.tsMs, t.quotes.map((q) => `${q.symbol}=${q.price}`)])).toEqual([
      [1_112_331_600_000, ['AAPL=1.4604', 'MSFT=24.9']],
      [Date.UTC(2005, 3, 2, 5), ['MSFT=25.1']],
      [1_112_587_200_000, ['AAPL=1.4675']],
    ]);
  });
});

describe('loadReplay errors', () => {
  it('names a file that does not exist', async () => {
    const path = join(dir, 'missing.csv');
    const err = await loadError(path);
    expect(err.code).toBe(ErrorCode.replayFile);
    expect(err.message).toBe(`replay file ${JSON.stringify(path)}: cannot read (not found): expected a .csv or .json file, or a directory of them`);
  });

  it('rejects a directory without replay files', async () => {
    await write('notes.txt', 'x');
    const err = await loadError(dir);
    expect(err.code).toBe(ErrorCode.replayFile);
    expect(err.message).toBe(`replay directory ${JSON.stringify(dir)}: no *.csv or *.json file in it`);
  });

  it('rejects a file of another type', async () => {
    const err = await loadError(await write('bars.txt', CSV_HEADER));
    expect(err.code).toBe(ErrorCode.replayFormat);
    expect(err.message).toContain('bars.txt');
  });

  it('names file, line, field and value of a malformed row', async () => {
    const rows = [CSV_HEADER, '2020-08-31T13:30:00Z,AAPL,1,2,0.5,1.5,10', '', '2020-09-01T13:30:00Z,AAPL,1,2,0.5,abc,10'];
    const path = await write('x.csv', rows.join('\r\n'));
    const err = await loadError(path);
    expect(err.code).toBe(ErrorCode.replayRow);
    expect(err.message).toBe(`${path}:4: close "abc": expected a number > 0`);
  });

  it('names the file and the expected header', async () => {
    const path = await write('x.csv', 'ts,sym,o,h,l,c,v\n');
    const err = await loadError(path);
    expect(err.message).toBe(`${path}: header "ts,sym,o,h,l,c,v": expected the first line to be "${CSV_HEADER}"`);
  });

  it('names file, JSON path and value of a bad vendor value', async () => {
    const path = await write('aggs.json', JSON.stringify({ ticker: 'AAPL', results: [{ t: 1, o: 1, h: 1, l: 1, c: 1, v: 1 }, { t: 2, o: 1, h: 1, l: 1, c: -3, v: 1 }] }));
    const err = await loadError(path);
    expect(err.code).toBe(ErrorCode.replayRow);
    expect(err.message).toBe(`${path}: results[1].c -3: expected a number > 0`);
  });

  it('lists the accepted formats for unrecognised JSON', async () => {
    const path = await write('other.json', '{"data": []}');
    const err = await loadError(path);
    expect(err.code).toBe(ErrorCode.replayFormat);
    expect(err.message).toMatch(/unrecognised JSON: expected one of yahoo chart .*, polygon aggregates .*, alpaca bars .*, binance klines/);
    expect(err.message.startsWith(`${path}: `)).toBe(true);
  });

  it('rejects text that is not JSON', async () => {
    const path = await write('broken.json', '{"ticker": "AAPL", ');
    expect((await loadError(path)).message.startsWith(`${path}: not valid JSON (`)).toBe(true);
  });

  it('asks for the symbol of Binance klines', async () => {
    const err = await loadError(BINANCE_KLINES, { symbolHint: ['AAPL'] });
    expect(err.message).toBe(`${BINANCE_KLINES}: binance klines carry no symbol: pass exactly one crypto symbol with --symbols (e.g. BTC/USDT)`);
  });

  it('names both places of a bar given twice across files', async () => {
    await write('a.csv', `${CSV_HEADER}\n2005-04-01T05:00:00Z,AAPL,1.5,1.6,1.4,1.46,1\n`);
    await copyFile(POLYGON_AGGS, join(dir, 'b.json'));
    const err = await loadError(dir);
    expect(err.code).toBe(ErrorCode.replayRow);
    expect(err.message).toBe(
      `duplicate bar for AAPL at 2005-04-01T05:00:00Z: ${join(dir, 'a.csv')}:2 and ${join(dir, 'b.json')} results[0] (expected one bar per symbol and timestamp)`,
    );
  });

  it('rejects a data set without bars', async () => {
    const path = await write('empty.csv', `${CSV_HEADER}\n\n`);
    const err = await loadError(path);
    expect(err.code).toBe(ErrorCode.replayFormat);
    expect(err.message).toBe(`replay ${JSON.stringify(path)}: no bars in ${path}: expected at least one`);
  });
});
