import { StoreError } from './errors.js';
import type { EventKind, RunRecord, StoredEvent } from './ports.js';

/*
 * The row codec of the SQL archives, shared by SqliteArchive and
 * MysqlArchive (a module of its own, so a SQLite-only worker never loads mysql2).
 * Both stores hold the same values: a DECIMAL(p, s) column's number as the
 * text `value.toFixed(s)`, an instant as UTC `YYYY-MM-DD HH:MM:SS.mmm`.
 * `Number(text)` gives back exactly the number written whenever its shortest
 * decimal form has at most s decimals (cents for USD, 10 decimals for
 * prices); other numbers are stored rounded to s decimals.
 */

/** A value bound into an archive statement. */
export type SqlValue = string | number | null;

/** A run as the archive holds it: its start record, and its end once recorded. */
export type ArchivedRun = RunRecord & {
  /** When the run ended, epoch ms UTC; absent while it runs (or when it died without endRun). */
  readonly endedMs?: number;
  readonly stopReason?: string;
};

/** One event kind's table; `columns` follow (event_id, run_id, ts), in insert order. */
export type ArchiveTable = {
  readonly kind: EventKind;
  readonly table: string;
  readonly columns: readonly string[];
  /** Whether the kind has a symbol, so a symbol filter can match it. */
  readonly hasSymbol: boolean;
  /** Order among events at the same instant: the tick's order (quote, sentiment, step, signal, trade, snapshot). */
  readonly rank: number;
};

/** Every event kind's table. */
export const ARCHIVE_TABLES: Readonly<Record<EventKind, ArchiveTable>> = {
  quote: { kind: 'quote', table: 'quotes', columns: ['symbol', 'price', 'bid', 'ask', 'volume', 'source'], hasSymbol: true, rank: 0 },
  sentiment: { kind: 'sentiment', table: 'sentiment', columns: ['market', 'value', 'label', 'source'], hasSymbol: false, rank: 1 },
  sim_state: { kind: 'sim_state', table: 'sim_states', columns: ['step', 'global_state', 'z3', 'backend'], hasSymbol: false, rank: 2 },
  signal: { kind: 'signal', table: 'signals', columns: ['symbol', 'action', 'confidence', 'source'], hasSymbol: true, rank: 3 },
  trade: {
    kind: 'trade',
    table: 'trades',
    columns: ['trade_id', 'symbol', 'side', 'qty', 'price', 'fee_usd', 'pnl_usd', 'reason'],
    hasSymbol: true,
    rank: 4,
  },
  portfolio: {
    kind: 'portfolio',
    table: 'portfolio_snapshots',
    columns: ['equity_usd', 'cash_usd', 'exposure', 'realized_pnl_usd', 'unrealized_pnl_usd', 'total_pnl_usd', 'positions'],
    hasSymbol: false,
    rank: 5,
  },
};

/** A DECIMAL(p, s) column of init-db.sql: s decimals and p − s integer digits. */
type Decimal = { readonly scale: number; readonly digits: number };
const PRICE: Decimal = { scale: 10, digits: 14 }; // DECIMAL(24,10)
const AMOUNT: Decimal = { scale: 10, digits: 20 }; // DECIMAL(30,10): quantities and volumes
const USD: Decimal = { scale: 2, digits: 18 }; // DECIMAL(20,2)
const INDEX: Decimal = { scale: 2, digits: 4 }; // DECIMAL(6,2): a 0-100 sentiment index
const CONFIDENCE: Decimal = { scale: 6, digits: 1 }; // DECIMAL(7,6)
const EXPOSURE: Decimal = { scale: 6, digits: 3 }; // DECIMAL(9,6)

export const MARKETS = ['equity', 'crypto'] as const;
export const ACTIONS = ['BUY', 'SELL', 'HOLD'] as const;
export const SIDES = ['BUY', 'SELL'] as const;

/** The range of MySQL's DATETIME: 1000-01-01 to 9999-12-31, both stores accept exactly this. */
export const MIN_TS_MS = Date.UTC(1000, 0, 1);
export const MAX_TS_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
/** With the `u` flag this matches only unpaired surrogates, which UTF-8 stores as U+FFFD. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
export const DECIMAL_TEXT = /^-?\d+(\.\d+)?$/;

/** The archive text of an instant (validated by the caller: years 1000 to 9999). */
export function sqlInstant(tsMs: number): string {
  // The UTC fields, not toISOString(): half the cost, and every archived row has one.
  const d = new Date(tsMs);
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(
    d.getUTCSeconds(),
  )}.${String(d.getUTCMilliseconds()).padStart(3, '0')}`;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Checks one event or run's values on their way in; every failure is a data error naming the field. */
export class RowWriter {
  /** `subject` names the event, run or query in an error; it runs only when a value is refused. */
  constructor(
    private readonly store: string,
    private readonly operation: string,
    private readonly subject: () => string,
  ) {}

  reject(field: string, value: unknown, expected: string): never {
    const shown = typeof value === 'string' ? JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value) : String(value);
    throw new StoreError(this.store, this.operation, `${this.subject()}: ${field} ${shown}: expected ${expected}`, { transient: false });
  }

  /** Text of at most `width` characters (the VARCHAR's), without unpaired surrogates. */
  text(field: string, value: unknown, width: number): string {
    // Code points never outnumber UTF-16 units: only a long text needs counting.
    if (typeof value !== 'string' || LONE_SURROGATE.test(value) || (value.length > width && [...value].length > width)) {
      this.reject(field, value, `text of at most ${width} characters, without unpaired UTF-16 surrogates`);
    }
    return value;
  }

  member(field: string, value: unknown, allowed: readonly string[]): string {
    return typeof value === 'string' && allowed.includes(value) ? value : this.reject(field, value, allowed.join(' | '));
  }

  instant(field: string, value: unknown): string {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < MIN_TS_MS || value > MAX_TS_MS) {
      this.reject(field, value, `epoch ms, an integer from ${MIN_TS_MS} (1000-01-01) to ${MAX_TS_MS} (9999-12-31)`);
    }
    return sqlInstant(value);
  }

  /** The column's text for `value`, rounded to its scale, refusing what it cannot hold. */
  decimal(field: string, value: unknown, column: Decimal): string {
    const text = typeof value === 'number' && Number.isFinite(value) && Math.abs(value) < 1e21 ? value.toFixed(column.scale) : '';
    const negative = text.startsWith('-');
    const integerDigits = text.indexOf('.') - (negative ? 1 : 0);
    if (integerDigits < 1 || integerDigits > column.digits) {
      this.reject(field, value, `a finite number below 1e${column.digits} in magnitude`);
    }
    // -0.001 is "-0.00": store zero, as MySQL would.
    return negative && /^-0\.0+$/.test(text) ? text.slice(1) : text;
  }

  optionalDecimal(field: string, value: unknown, column: Decimal): string | null {
    return value === undefined || value === null ? null : this.decimal(field, value, column);
  }

  double(field: string, value: unknown): number {
    return typeof value === 'number' && Number.isFinite(value) ? value : this.reject(field, value, 'a finite number');
  }

  step(field: string, value: unknown): number {
    return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : this.reject(field, value, 'an integer >= 0');
  }

  /** Positions as JSON text: each needs a symbol and a finite qty; their other fields are kept as they are. */
  positions(value: unknown): string {
    const isPosition = (p: unknown): boolean =>
      typeof p === 'object' && p !== null && typeof Reflect.get(p, 'symbol') === 'string' && Number.isFinite(Reflect.get(p, 'qty'));
    return Array.isArray(value) && value.every(isPosition) ? JSON.stringify(value) : this.reject('positions', JSON.stringify(value), 'an array of {symbol, qty, …}');
  }
}

/** The row of `event` for its table: event_id, run_id, ts, then the table's columns. */
function eventRow(store: string, event: StoredEvent): SqlValue[] {
  const w = new RowWriter(store, 'write', () => `event ${JSON.stringify(event.id)}`);
  const head = [w.text('id', event.id, 128), w.text('runId', event.runId, 36), w.instant('tsMs', event.tsMs)];
  switch (event.kind) {
    case 'quote':
      return [...head, w.text('symbol', event.symbol, 32), w.decimal('price', event.price, PRICE), w.optionalDecimal('bid', event.bid, PRICE),
        w.optionalDecimal('ask', event.ask, PRICE), w.optionalDecimal('volume', event.volume, AMOUNT), w.text('source', event.source, 32)];
    case 'sentiment':
      return [...head, w.member('market', event.market, MARKETS), w.decimal('value', event.value, INDEX), w.text('label', event.label, 32),
        w.text('source', event.source, 32)];
    case 'sim_state':
      return [...head, w.step('step', event.step), w.double('globalState', event.globalState), w.double('z3', event.z3),
        w.text('backend', event.backend, 16)];
    case 'signal':
      return [...head, w.text('symbol', event.symbol, 32), w.member('action', event.action, ACTIONS),
        w.decimal('confidence', event.confidence, CONFIDENCE), w.text('source', event.source, 32)];
    case 'trade':
      return [...head, w.text('tradeId', event.tradeId, 64), w.text('symbol', event.symbol, 32), w.member('side', event.side, SIDES),
        w.decimal('qty', event.qty, AMOUNT), w.decimal('price', event.price, PRICE), w.decimal('fee', event.fee, USD),
        w.optionalDecimal('pnl', event.pnl, USD), w.text('reason', event.reason, 16)];
    case 'portfolio':
      return [...head, w.decimal('equity', event.equity, USD), w.decimal('cash', event.cash, USD), w.decimal('exposure', event.exposure, EXPOSURE),
        w.decimal('realizedPnl', event.realizedPnl, USD), w.decimal('unrealizedPnl', event.unrealizedPnl, USD),
        w.decimal('totalPnl', event.totalPnl, USD), w.positions(event.positions)];
    default:
      // Events can come back from the writer's JSON journal, so the kind is checked at run time too.
      return w.reject('kind', Reflect.get(event, 'kind'), Object.keys(ARCHIVE_TABLES).join(' | '));
  }
}

/**
 * `events` as rows grouped by table, in order, all checked before any is
 * written.
 * @throws StoreError `MI_STORE_REJECTED` naming the first event and field that a column cannot hold.
 */
export function archiveBatches(store: string, events: readonly StoredEvent[]): Map<ArchiveTable, SqlValue[][]> {
  const batches = new Map<ArchiveTable, SqlValue[][]>();
  for (const event of events) {
    const row = eventRow(store, event);
    const table = ARCHIVE_TABLES[event.kind];
    const rows = batches.get(table);
    if (rows === undefined) batches.set(table, [row]);
    else rows.push(row);
  }
  return batches;
}

/** The runs row of `run`: run_id, started_at, source, symbols (a JSON array), capital_usd. */
export function runRow(store: string, run: RunRecord): SqlValue[] {
  const w = new RowWriter(store, 'startRun', () => `run ${JSON.stringify(run.runId)}`);
  const symbols = Array.isArray(run.symbols) && run.symbols.every((s) => typeof s === 'string') ? run.symbols : w.reject('symbols', run.symbols, 'text[]');
  return [w.text('runId', run.runId, 36), w.instant('startedMs', run.startedMs), w.text('source', run.source, 512), JSON.stringify(symbols),
    w.decimal('capitalUsd', run.capitalUsd, USD)];
}

/** The values of `UPDATE runs SET ended_at = ?, stop_reason = ? WHERE run_id = ?`. */
export function endRow(store: string, runId: string, endedMs: number, stopReason: string): SqlValue[] {
  const w = new RowWriter(store, 'endRun', () => `run ${JSON.stringify(runId)}`);
  return [w.instant('endedMs', endedMs), w.text('reason', stopReason, 32), w.text('runId', runId, 36)];
}

/** The error for an endRun of a run id the archive never saw start. */
export function unknownRun(store: string, runId: string): StoreError {
  return new StoreError(store, 'endRun', `run ${JSON.stringify(runId)} has no start record; expected startRun first`, { transient: false });
}
