/**
 * The time-series store: every event as numeric points for Grafana, written
 * through the InfluxDB v2 write API (`POST /api/v2/write`, line protocol,
 * millisecond timestamps). Anything that speaks that API takes it: InfluxDB
 * 2.x, or VictoriaMetrics, which stores each field as `<measurement>_<field>`.
 *
 * The writer (writer.ts) owns batching, retries and spilling, so this adapter
 * turns the client's own retry buffer off and sends each `write` at once:
 * it resolves when the server took every point and rejects with a
 * StoreError otherwise. (Left to itself the client retries in the background
 * and only logs a batch it gave up on.)
 *
 * Points are keyed by measurement, tags and timestamp, so writing an event
 * again overwrites its point: `write` is idempotent. Two different events of
 * one series in the same millisecond (two fills of one symbol, side and
 * reason) would keep only the last.
 * @see https://docs.influxdata.com/influxdb/v2/api/#operation/PostWrite
 * @see https://docs.influxdata.com/influxdb/v2/reference/syntax/line-protocol/
 * @see https://influxdata.github.io/influxdb-client-js/influxdb-client.writeoptions.html
 */
import { HttpError, InfluxDB, RequestTimedOutError, escape, type WriteApi } from '@influxdata/influxdb-client';
import { ErrorCode, InvariantError } from '../domain/index.js';
import { StoreError } from './errors.js';
import type { EventSink, StoredEvent } from './ports.js';

/** Where and how to write. */
export type InfluxTimeSeriesOptions = {
  /** Base URL of the server, e.g. `http://127.0.0.1:8086`. */
  readonly url: string;
  /** API token, sent as `Authorization: Token …`; never appears in errors. */
  readonly token?: string;
  readonly org: string;
  readonly bucket: string;
  /** Points per HTTP request; a larger `write` is sent as several requests in turn. Default 5000. */
  readonly batchSize?: number;
  /** Socket timeout per request, ms. Default 10000 (the client's). */
  readonly timeoutMs?: number;
};

const STORE = 'influx';
const DEFAULT_BATCH_SIZE = 5000;
const DEFAULT_TIMEOUT_MS = 10_000;
/** Longest server message kept in an error reason. */
const MAX_DETAIL_CHARS = 200;

/** The InfluxDB v2 adapter of the TimeSeries port. */
export class InfluxTimeSeries implements EventSink {
  readonly name = STORE;
  private readonly openApi: () => WriteApi;
  private readonly batchSize: number;
  private readonly token: string | undefined;
  /** Writes in flight; close() waits for them. */
  private readonly inFlight = new Set<Promise<void>>();
  private closing: Promise<void> | undefined;

  constructor(options: InfluxTimeSeriesOptions) {
    this.batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    if (!Number.isSafeInteger(this.batchSize) || this.batchSize < 1) {
      throw new InvariantError(`influx batchSize "${this.batchSize}": expected a whole number >= 1`, { code: ErrorCode.invariant });
    }
    this.token = options.token;
    const client = new InfluxDB({
      url: options.url,
      token: options.token,
      timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      writeOptions: {
        // One more than we ever buffer, no byte cap, no timer: only our flush() sends,
        // so every request's outcome reaches the write() that made it.
        batchSize: this.batchSize + 1,
        maxBatchBytes: Number.MAX_SAFE_INTEGER,
        flushInterval: 0,
        maxRetries: 0,
        // A rejected promise becomes the flush's result: no retry buffer, no console log.
        writeFailed: (error: Error) => Promise.reject(error),
      },
    });
    // Each write gets its own WriteApi, so several writes can be in flight and
    // each flush sends only its own points.
    this.openApi = () => client.getWriteApi(options.org, options.bucket, 'ms');
  }

  /** Sends the events' points in requests of `batchSize`; rejects with a StoreError on the first failed one. */
  write(events: readonly StoredEvent[]): Promise<void> {
    // Checked now, not when the write's turn comes: a write made before close() still runs.
    if (this.closing !== undefined) return Promise.reject(new StoreError(STORE, 'write', 'the time series is closed', { transient: false }));
    const run = this.send(events);
    const settled = run.catch(() => undefined);
    this.inFlight.add(settled);
    void settled.finally(() => this.inFlight.delete(settled));
    return run;
  }

  /** Waits for writes in flight, then closes the client's write API. Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= Promise.all(this.inFlight).then(() => undefined);
    return this.closing;
  }

  private async send(events: readonly StoredEvent[]): Promise<void> {
    const lines = events.map(lineOf);
    const api = this.openApi();
    try {
      for (let start = 0; start < lines.length; start += this.batchSize) {
        api.writeRecords(lines.slice(start, start + this.batchSize));
        try {
          await api.flush();
        } catch (err) {
          throw influxFailure(err, 'write', this.token);
        }
      }
    } finally {
      await api.close().catch(() => undefined);
    }
  }
}

/**
 * An event as one line of line protocol at its `tsMs`: built as text, not
 * through the client's Point, whose per-field objects and sorting cost as
 * much CPU as the rest of the write. Tags and fields are listed in name
 * order, as Point writes them, so the lines are the same.
 */
function lineOf(event: StoredEvent): string {
  switch (event.kind) {
    case 'quote':
      return line(event, `market_data${tag('source', event.source)}${tag('symbol', event.symbol)}`, [
        ['ask', event.ask], ['bid', event.bid], ['price', event.price], ['volume', event.volume],
      ]);
    case 'portfolio':
      return line(event, 'portfolio', [
        ['cash', event.cash], ['equity', event.equity], ['exposure', event.exposure], ['realized_pnl', event.realizedPnl],
        ['total_pnl', event.totalPnl], ['unrealized_pnl', event.unrealizedPnl],
      ]);
    case 'sentiment':
      return line(event, `sentiment${tag('market', event.market)}${tag('source', event.source)}`, [['value', event.value]]);
    case 'sim_state':
      return line(event, `simulation${tag('backend', event.backend)}`, [['global_state', event.globalState], ['z3', event.z3]]);
    case 'signal':
      return line(event, `signal${tag('action', event.action)}${tag('symbol', event.symbol)}`, [['confidence', event.confidence]]);
    case 'trade':
      return line(event, `trade${tag('reason', event.reason)}${tag('side', event.side)}${tag('symbol', event.symbol)}`, [
        ['fee', event.fee], ['pnl', event.pnl], ['price', event.price], ['qty', event.qty],
      ]);
  }
}

/** `,key=value`, escaped; nothing for an empty value (line protocol has no empty tags). */
function tag(key: string, value: string): string {
  return value === '' ? '' : `,${key}=${escape.tag(value)}`;
}

/**
 * The line of `series` (measurement and tags) with the defined values as
 * float fields (always float: InfluxDB rejects a field whose type changes
 * between writes). A non-finite value cannot be written, so the batch is
 * rejected, naming the event.
 */
function line(event: StoredEvent, series: string, values: readonly (readonly [name: string, value: number | undefined])[]): string {
  let fields = '';
  for (const [name, value] of values) {
    if (value === undefined) continue;
    if (!Number.isFinite(value)) {
      throw new StoreError(STORE, 'write', `event "${event.id}" field ${name} is ${value}: expected a finite number`, { transient: false });
    }
    fields += `${fields === '' ? '' : ','}${name}=${value}`;
  }
  return `${series} ${fields} ${Math.floor(event.tsMs)}`;
}

/**
 * Maps a client failure to a StoreError. Transient: no answer (refused,
 * reset, timed out), 408, 429 and 5xx. Rejected: other HTTP statuses (bad
 * line protocol, bad token, unknown bucket). The reason holds the status
 * and the server's message with the token cut out; the original error is
 * kept as `cause` only when it does not contain the token.
 */
export function influxFailure(err: unknown, operation: string, token: string | undefined): StoreError {
  const scrub = (text: string): string => (token === undefined || token === '' ? text : text.split(token).join('[redacted]'));
  const { reason, transient } = describe(err);
  const leaks = token !== undefined && token !== '' && errorText(err).includes(token);
  return new StoreError(STORE, operation, scrub(reason), { transient, cause: leaks ? undefined : err });
}

function describe(err: unknown): { reason: string; transient: boolean } {
  if (err instanceof HttpError) {
    const status = err.statusCode;
    const detail = serverMessage(err).slice(0, MAX_DETAIL_CHARS);
    return {
      reason: `HTTP ${status}${detail === '' ? '' : `: ${detail}`}`,
      transient: status === 408 || status === 429 || status >= 500,
    };
  }
  if (err instanceof RequestTimedOutError) return { reason: 'request timed out', transient: true };
  const code = err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
  return { reason: code === undefined ? 'no answer from the server' : `no answer from the server (${code})`, transient: true };
}

/** The message InfluxDB puts in its JSON error body (`{"code","message"}`), else the raw body. */
function serverMessage(err: HttpError): string {
  const json: unknown = err.json;
  if (typeof json === 'object' && json !== null && 'message' in json && typeof json.message === 'string') return json.message.trim();
  return (err.body ?? err.statusMessage ?? '').trim();
}

function errorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const body = err instanceof HttpError ? (err.body ?? '') : '';
  return `${err.message} ${body}`;
}
