/**
 * zod schemas of the recorded vendor responses a replay may read. Each format
 * has a loose `shape` (the keys that identify it) and a full schema that
 * checks every value. Wire types stay inside the replay module.
 */
import { z } from 'zod';
import { SYMBOL_RULE, parseSymbol } from '../../../domain/index.js';
import { ISO_TIMESTAMP_RULE, PRICE_RULE, VOLUME_RULE, parseDecimal, parseIsoTimestamp } from './values.js';

const EPOCH_RULE = 'expected an integer epoch timestamp >= 0';
const DECIMAL_RULE = 'expected a decimal number';

const price = z.number(PRICE_RULE).positive(PRICE_RULE);
const volume = z.number(VOLUME_RULE).nonnegative(VOLUME_RULE);
const epoch = z.number(EPOCH_RULE).int(EPOCH_RULE).nonnegative(EPOCH_RULE);

const symbol = z.string(SYMBOL_RULE).transform((raw, ctx) => {
  const parsed = parseSymbol(raw);
  if (parsed !== undefined) return parsed.symbol;
  ctx.issues.push({ code: 'custom', message: SYMBOL_RULE, input: raw });
  return z.NEVER;
});

const isoTimestamp = z.string(ISO_TIMESTAMP_RULE).transform((raw, ctx) => {
  const tsMs = parseIsoTimestamp(raw);
  if (tsMs !== undefined) return tsMs;
  ctx.issues.push({ code: 'custom', message: ISO_TIMESTAMP_RULE, input: raw });
  return z.NEVER;
});

/** Binance sends prices as decimal strings; ccxt recordings sometimes as numbers. */
const decimal = z.union([z.number(), z.string()], DECIMAL_RULE).transform((raw, ctx) => {
  const value = typeof raw === 'number' ? raw : parseDecimal(raw);
  if (value !== undefined) return value;
  ctx.issues.push({ code: 'custom', message: DECIMAL_RULE, input: raw });
  return z.NEVER;
});

/**
 * Yahoo chart (`/v8/finance/chart/<symbol>`): parallel arrays, one entry per
 * timestamp (epoch seconds); missing bars are nulls.
 * @see https://github.com/gadicc/node-yahoo-finance2/blob/devel/src/modules/chart.ts
 */
export const yahooChartShape = z.looseObject({ chart: z.looseObject({}) });
const yahooSeries = (value: z.ZodNumber) => z.array(value.nullable()).default([]);
const YahooQuote = z.looseObject({
  open: yahooSeries(price),
  high: yahooSeries(price),
  low: yahooSeries(price),
  close: yahooSeries(price),
  volume: yahooSeries(volume),
});
const YahooResult = z.looseObject({
  meta: z.looseObject({ symbol }),
  timestamp: z.array(epoch).default([]),
  indicators: z.looseObject({ quote: z.array(YahooQuote).min(1) }),
});
/** One symbol's series in a Yahoo chart, validated (nulls mark missing bars). */
export type YahooResult = z.infer<typeof YahooResult>;
export const YahooChart = z.looseObject({
  chart: z.looseObject({ result: z.array(YahooResult).nullable(), error: z.unknown() }),
});

/**
 * Polygon aggregates (`/v2/aggs/ticker/<ticker>/range/...`); `results` is
 * absent when the range holds no bar.
 * @see https://polygon.io/docs/rest/stocks/aggregates/custom-bars
 */
export const polygonAggsShape = z.union([
  z.looseObject({ ticker: z.string(), results: z.array(z.unknown()) }),
  z.looseObject({ ticker: z.string(), resultsCount: z.number() }),
]);
const PolygonAgg = z.looseObject({ t: epoch, o: price, h: price, l: price, c: price, v: volume });
export const PolygonAggs = z.looseObject({ ticker: symbol, results: z.array(PolygonAgg).default([]) });

/**
 * Alpaca bars (`/v2/stocks/<symbol>/bars`, `/v2/stocks/bars?symbols=`).
 * @see https://docs.alpaca.markets/reference/stockbars
 */
const AlpacaBar = z.looseObject({ t: isoTimestamp, o: price, h: price, l: price, c: price, v: volume });
/** One Alpaca bar, validated, `t` as epoch ms. */
export type AlpacaBar = z.infer<typeof AlpacaBar>;
export const alpacaBarsShape = z.looseObject({ bars: z.array(z.unknown()).nullable(), symbol: z.string() });
export const AlpacaBars = z.looseObject({ bars: z.array(AlpacaBar).nullable(), symbol });
export const alpacaMultiBarsShape = z.looseObject({ bars: z.record(z.string(), z.unknown()) });
export const AlpacaMultiBars = z.looseObject({ bars: z.record(z.string(), z.array(AlpacaBar)) });

/**
 * Binance klines (`/api/v3/klines`): `[openTimeMs, open, high, low, close,
 * volume, closeTimeMs, ...]`, prices as strings, no symbol.
 * @see https://developers.binance.com/docs/binance-spot-api-docs/rest-api/market-data-endpoints#klinecandlestick-data
 */
export const binanceKlinesShape = z.array(z.array(z.unknown()));
export const BinanceKlines = z.array(
  z.tuple(
    [epoch, decimal.pipe(price), decimal.pipe(price), decimal.pipe(price), decimal.pipe(price), decimal.pipe(volume)],
    z.unknown(),
  ),
);
