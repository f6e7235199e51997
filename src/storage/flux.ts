/**
 * Reads back what InfluxTimeSeries wrote, in Flux over the InfluxDB 2.x
 * query API (`POST /api/v2/query`, annotated CSV answer). Only InfluxDB
 * speaks Flux: VictoriaMetrics answers this API with 400.
 * @see https://docs.influxdata.com/influxdb/v2/api/#operation/PostQuery
 * @see https://docs.influxdata.com/influxdb/v2/reference/syntax/annotated-csv/
 * @see https://docs.influxdata.com/flux/v0/spec/lexical-elements/#string-literals
 */
import { InfluxDB, flux, fluxExpression, type QueryApi } from '@influxdata/influxdb-client';
import { z } from 'zod';
import { StoreError } from './errors.js';
import { influxFailure } from './influx-timeseries.js';

/** How to reach an InfluxDB 2.x server for queries. */
export type FluxConnection = {
  /** Base URL, e.g. `http://127.0.0.1:8086`. */
  readonly url: string;
  /** API token, sent as `Authorization: Token …`; never appears in errors. */
  readonly token?: string;
  readonly org: string;
  /** Socket timeout, ms. Default 10000 (the client's). */
  readonly timeoutMs?: number;
};

/** The part of the client's QueryApi used here (an org is bound to it). */
export type FluxQuerier = Pick<QueryApi, 'collectRows'>;

/** One stored price: when (epoch ms UTC) and how much (quote currency). */
export type PricePoint = {
  readonly tsMs: number;
  readonly price: number;
};

const DEFAULT_TIMEOUT_MS = 10_000;
/** A Flux duration literal of one unit: `90s`, `15m`, `1h`, `7d`. */
const WINDOW = /^[1-9][0-9]{0,8}(ms|s|m|h|d|w|mo|y)$/;
const WINDOW_RULE = 'expected a positive whole number and one unit of ms, s, m, h, d, w, mo or y, like 1h';

/** A row as the client types it from the `#datatype` annotations (double → number, dateTime:RFC3339 → string). */
const priceRow = z.object({ _time: z.string(), _value: z.number() });

/**
 * The `price` points of `symbol` in the last `window` (a Flux duration such
 * as `1h`), from every source, oldest first. Bucket and symbol go into the
 * query as escaped Flux string literals, so a quote or backslash in them
 * cannot change the query. Throws a StoreError: rejected for a bad window
 * or an unreadable answer, and as the server's failure otherwise
 * (transient when there was no answer or a 5xx).
 */
export async function queryRecentPrices(
  source: FluxQuerier | FluxConnection,
  bucket: string,
  symbol: string,
  window: string,
): Promise<readonly PricePoint[]> {
  if (!WINDOW.test(window)) throw new StoreError('influx', 'query', `window "${window}": ${WINDOW_RULE}`, { transient: false });
  const querier = 'collectRows' in source ? source : connect(source);
  const token = 'collectRows' in source ? undefined : source.token;
  // The window matched WINDOW, so it is a bare duration literal: safe to splice in.
  const query = flux`from(bucket: ${bucket})
  |> range(start: ${fluxExpression(`-${window}`)})
  |> filter(fn: (r) => r._measurement == "market_data" and r.symbol == ${symbol} and r._field == "price")`;
  let rows: unknown[];
  try {
    rows = await querier.collectRows(query, (values, meta) => meta.toObject(values));
  } catch (err) {
    throw influxFailure(err, 'query', token);
  }
  return rows.map(toPricePoint).sort((a, b) => a.tsMs - b.tsMs);
}

function connect(connection: FluxConnection): FluxQuerier {
  // An undefined timeout would replace the client's default with none at all.
  const timeout = connection.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new InfluxDB({ url: connection.url, token: connection.token, timeout }).getQueryApi(connection.org);
}

function toPricePoint(row: unknown): PricePoint {
  const parsed = priceRow.safeParse(row);
  const tsMs = parsed.success ? Date.parse(parsed.data._time) : Number.NaN;
  if (!parsed.success || !Number.isFinite(tsMs)) {
    throw new StoreError('influx', 'query', 'unexpected answer: expected rows with an RFC3339 _time and a finite double _value', {
      transient: false,
      cause: parsed.success ? undefined : parsed.error,
    });
  }
  return { tsMs, price: parsed.data._value };
}
