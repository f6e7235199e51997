/**
 * Recorded vendor responses as replay input. The format is recognised by its
 * shape, validated in full with zod, then mapped to bars; bad values are
 * reported by file, JSON path and value.
 */
import type { z } from 'zod';
import type { Bar } from '../../../domain/index.js';
import { ErrorCode, InputError, SYMBOL_RULE, isCrypto, parseSymbol } from '../../../domain/index.js';
import type { ParsedBars, ReplayOptions } from './types.js';
import { PRICE_RULE, VOLUME_RULE, showJsonValue } from './values.js';
import type { AlpacaBar, YahooResult } from './vendor-schemas.js';
import {
  AlpacaBars,
  AlpacaMultiBars,
  BinanceKlines,
  PolygonAggs,
  YahooChart,
  alpacaBarsShape,
  alpacaMultiBarsShape,
  binanceKlinesShape,
  polygonAggsShape,
  yahooChartShape,
} from './vendor-schemas.js';

type JsonPath = readonly PropertyKey[];

/** Bars and the JSON path each came from, before the file name is known to them. */
type Collected = { readonly bars: Bar[]; readonly paths: string[] };

type FileContext = { readonly file: string; readonly root: unknown; readonly options: ReplayOptions };

const ACCEPTED_FORMATS =
  'yahoo chart {chart:{result:[…]}}, polygon aggregates {ticker, results:[…]}, ' +
  'alpaca bars {bars:[…], symbol} or {bars:{SYMBOL:[…]}}, binance klines [[openTimeMs, "open", …], …]';

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** Formats a path the way it reads in JavaScript: `results[3].c`, `bars["BTC/USD"][0].t`. */
export function formatJsonPath(path: JsonPath): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else if (typeof key === 'string' && IDENTIFIER.test(key)) text += text === '' ? key : `.${key}`;
    else text += `[${JSON.stringify(String(key))}]`;
  }
  return text === '' ? '(top level)' : text;
}

function valueAt(root: unknown, path: JsonPath): unknown {
  let node = root;
  for (const key of path) {
    if (typeof node !== 'object' || node === null || typeof key === 'symbol') return undefined;
    node = Object.getOwnPropertyDescriptor(node, key)?.value;
  }
  return node;
}

function valueError(ctx: FileContext, path: JsonPath, rule: string, cause?: unknown): InputError {
  const where = `${ctx.file}: ${formatJsonPath(path)} ${showJsonValue(valueAt(ctx.root, path))}`;
  return new InputError(`${where}: ${rule}`, { code: ErrorCode.replayRow, cause });
}

function validate<T>(ctx: FileContext, schema: z.ZodType<T>): T {
  const result = schema.safeParse(ctx.root);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw valueError(ctx, issue?.path ?? [], issue?.message ?? 'invalid value', result.error);
}

function push(into: Collected, bar: Bar, path: string): void {
  into.bars.push(bar);
  into.paths.push(path);
}

const YAHOO_SERIES = ['open', 'high', 'low', 'close', 'volume'] as const;

function readYahooResult(ctx: FileContext, result: YahooResult, r: number, out: Collected): void {
  const base = ['chart', 'result', r, 'indicators', 'quote', 0];
  const series = result.indicators.quote[0] ?? { open: [], high: [], low: [], close: [], volume: [] };
  const n = result.timestamp.length;
  for (const field of YAHOO_SERIES) {
    const length = series[field].length;
    if (length !== n) throw valueError(ctx, [...base, field], `expected ${n} entries (one per timestamp), got ${length}`);
  }
  const required = (field: (typeof YAHOO_SERIES)[number], i: number): number => {
    const value = series[field][i];
    if (value === null || value === undefined) {
      throw valueError(ctx, [...base, field, i], field === 'volume' ? VOLUME_RULE : PRICE_RULE);
    }
    return value;
  };
  result.timestamp.forEach((tsS, i) => {
    // Yahoo fills a missing bar with nulls; a bar with a close must be complete.
    if (series.close[i] === null) return;
    const bar = {
      symbol: result.meta.symbol,
      tsMs: tsS * 1000,
      open: required('open', i),
      high: required('high', i),
      low: required('low', i),
      close: required('close', i),
      volume: required('volume', i),
    };
    push(out, bar, `chart.result[${r}].timestamp[${i}]`);
  });
}

function readYahoo(ctx: FileContext): Collected {
  const chart = validate(ctx, YahooChart).chart;
  if (chart.result === null) {
    throw new InputError(`${ctx.file}: yahoo chart without result (error ${showJsonValue(chart.error)})`, {
      code: ErrorCode.replayFormat,
    });
  }
  const out: Collected = { bars: [], paths: [] };
  chart.result.forEach((result, r) => readYahooResult(ctx, result, r, out));
  return out;
}

function readPolygon(ctx: FileContext): Collected {
  const aggs = validate(ctx, PolygonAggs);
  const out: Collected = { bars: [], paths: [] };
  aggs.results.forEach((a, i) => {
    push(out, { symbol: aggs.ticker, tsMs: a.t, open: a.o, high: a.h, low: a.l, close: a.c, volume: a.v }, `results[${i}]`);
  });
  return out;
}

function pushAlpaca(out: Collected, symbol: string, bars: readonly AlpacaBar[], path: string): void {
  bars.forEach((a, i) => {
    push(out, { symbol, tsMs: a.t, open: a.o, high: a.h, low: a.l, close: a.c, volume: a.v }, `${path}[${i}]`);
  });
}

function readAlpaca(ctx: FileContext): Collected {
  const response = validate(ctx, AlpacaBars);
  const out: Collected = { bars: [], paths: [] };
  pushAlpaca(out, response.symbol, response.bars ?? [], 'bars');
  return out;
}

function readAlpacaMulti(ctx: FileContext): Collected {
  const response = validate(ctx, AlpacaMultiBars);
  const out: Collected = { bars: [], paths: [] };
  for (const [key, bars] of Object.entries(response.bars)) {
    const symbol = parseSymbol(key)?.symbol;
    const path = formatJsonPath(['bars', key]);
    if (symbol === undefined) {
      throw new InputError(`${ctx.file}: ${path}: symbol ${showJsonValue(key)}: ${SYMBOL_RULE}`, {
        code: ErrorCode.replayRow,
      });
    }
    pushAlpaca(out, symbol, bars, path);
  }
  return out;
}

/** Klines carry no symbol: the user names the pair, and it must be the only crypto pair named. */
function binanceSymbol(ctx: FileContext): string {
  const pairs = (ctx.options.symbolHint ?? [])
    .map((raw) => parseSymbol(raw)?.symbol)
    .filter((s): s is string => s !== undefined && isCrypto(s));
  const unique = [...new Set(pairs)];
  if (unique.length === 1 && unique[0] !== undefined) return unique[0];
  throw new InputError(
    `${ctx.file}: binance klines carry no symbol: pass exactly one crypto symbol with --symbols (e.g. BTC/USDT)`,
    { code: ErrorCode.replayFormat },
  );
}

function readBinance(ctx: FileContext): Collected {
  const klines = validate(ctx, BinanceKlines);
  const symbol = binanceSymbol(ctx);
  const out: Collected = { bars: [], paths: [] };
  klines.forEach(([tsMs, open, high, low, close, volume], i) => {
    push(out, { symbol, tsMs, open, high, low, close, volume }, `[${i}]`);
  });
  return out;
}

/** Identifying shape and reader of each format, most specific first. */
const FORMATS: readonly { readonly shape: z.ZodType; readonly read: (ctx: FileContext) => Collected }[] = [
  { shape: yahooChartShape, read: readYahoo },
  { shape: polygonAggsShape, read: readPolygon },
  { shape: alpacaBarsShape, read: readAlpaca },
  { shape: alpacaMultiBarsShape, read: readAlpacaMulti },
  { shape: binanceKlinesShape, read: readBinance },
];

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new InputError(`${file}: not valid JSON (${reason})`, { code: ErrorCode.replayFormat, cause: err });
  }
}

/**
 * Reads a recorded vendor response (Yahoo chart, Polygon aggregates, Alpaca
 * bars single or multi-symbol, Binance klines) as bars. Throws InputError:
 * `replayFormat` for an unrecognised shape, `replayRow` for a bad value.
 */
export function parseVendorJson(text: string, file: string, options: ReplayOptions): ParsedBars {
  const root = parseJson(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, file);
  const format = FORMATS.find((f) => f.shape.safeParse(root).success);
  if (format === undefined) {
    throw new InputError(`${file}: unrecognised JSON: expected one of ${ACCEPTED_FORMATS}`, {
      code: ErrorCode.replayFormat,
    });
  }
  const { bars, paths } = format.read({ file, root, options });
  return { bars, placeOf: (index) => `${file} ${paths[index] ?? '?'}` };
}
