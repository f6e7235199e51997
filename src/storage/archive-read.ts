/*
 * The reading half of the SQL archives' row codec (see archive-rows.ts):
 * rows back into events and runs, refusing what the writer cannot have
 * stored, and the plan of an archive query.
 */
import { StoreError } from './errors.js';
import type { ArchiveQuery, EventKind, PortfolioEvent, StoredEvent } from './ports.js';
import {
  ACTIONS,
  ARCHIVE_TABLES,
  DECIMAL_TEXT,
  MARKETS,
  MAX_TS_MS,
  MIN_TS_MS,
  RowWriter,
  SIDES,
  sqlInstant,
  type ArchivedRun,
  type ArchiveTable,
} from './archive-rows.js';

/** What a store's driver gives for a DATETIME/instant column, as epoch ms (undefined when it is not one). */
export type InstantReader = (value: unknown) => number | undefined;

/** Reads one stored row back, refusing (as a data error naming table, row and column) anything the writer cannot have stored. */
class RowReader {
  constructor(
    private readonly store: string,
    private readonly where: string,
    private readonly row: unknown,
  ) {}

  private get(column: string): unknown {
    return typeof this.row === 'object' && this.row !== null ? Reflect.get(this.row, column) : undefined;
  }

  broken(column: string, expected: string): never {
    const value = this.get(column);
    throw new StoreError(this.store, 'query', `${this.where}: column ${column} is ${typeof value} ${String(value).slice(0, 80)}, expected ${expected}`, {
      transient: false,
    });
  }

  has(column: string): boolean {
    const value = this.get(column);
    return value !== null && value !== undefined;
  }

  text(column: string): string {
    const value = this.get(column);
    return typeof value === 'string' ? value : this.broken(column, 'text');
  }

  member<T extends string>(column: string, allowed: readonly T[]): T {
    const value = this.get(column);
    return allowed.find((a) => a === value) ?? this.broken(column, allowed.join(' | '));
  }

  decimal(column: string): number {
    const value = this.get(column);
    return typeof value === 'string' && DECIMAL_TEXT.test(value) ? Number(value) : this.broken(column, 'a decimal as text');
  }

  number(column: string): number {
    const value = this.get(column);
    // BIGINT arrives as text past 2^53 (mysql2 supportBigNumbers); the archive never gets that far.
    const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
    return typeof n === 'number' && Number.isFinite(n) ? n : this.broken(column, 'a number');
  }

  instant(column: string, read: InstantReader): number {
    return read(this.get(column)) ?? this.broken(column, 'an instant');
  }

  json(column: string): unknown {
    const value = this.get(column);
    try {
      return typeof value === 'string' ? JSON.parse(value) : this.broken(column, 'JSON text');
    } catch (err) {
      if (err instanceof StoreError) throw err;
      return this.broken(column, 'JSON text');
    }
  }
}

/** A stored event with what orders it among events at the same instant. */
export type ArchivedEvent = { readonly event: StoredEvent; readonly rank: number; readonly rowId: number };

/** The event stored in `row` of `table`; `read` turns the driver's ts value into epoch ms. */
export function archiveEvent(store: string, table: ArchiveTable, row: unknown, read: InstantReader): ArchivedEvent {
  const r = new RowReader(store, `${table.table} row`, row);
  const envelope = { id: r.text('event_id'), runId: r.text('run_id'), tsMs: r.instant('ts', read) };
  return { event: eventBody(table.kind, r, envelope), rank: table.rank, rowId: r.number('id') };
}

type Envelope = { readonly id: string; readonly runId: string; readonly tsMs: number };

function eventBody(kind: EventKind, r: RowReader, envelope: Envelope): StoredEvent {
  switch (kind) {
    case 'quote':
      return { kind, ...envelope, symbol: r.text('symbol'), price: r.decimal('price'), ...(r.has('bid') ? { bid: r.decimal('bid') } : {}),
        ...(r.has('ask') ? { ask: r.decimal('ask') } : {}), ...(r.has('volume') ? { volume: r.decimal('volume') } : {}), source: r.text('source') };
    case 'sentiment':
      return { kind, ...envelope, market: r.member('market', MARKETS), value: r.decimal('value'), label: r.text('label'), source: r.text('source') };
    case 'sim_state':
      return { kind, ...envelope, step: r.number('step'), globalState: r.number('global_state'), z3: r.number('z3'), backend: r.text('backend') };
    case 'signal':
      return { kind, ...envelope, symbol: r.text('symbol'), action: r.member('action', ACTIONS), confidence: r.decimal('confidence'), source: r.text('source') };
    case 'trade':
      return { kind, ...envelope, tradeId: r.text('trade_id'), symbol: r.text('symbol'), side: r.member('side', SIDES), qty: r.decimal('qty'),
        price: r.decimal('price'), fee: r.decimal('fee_usd'), ...(r.has('pnl_usd') ? { pnl: r.decimal('pnl_usd') } : {}), reason: r.text('reason') };
    case 'portfolio':
      return { kind, ...envelope, equity: r.decimal('equity_usd'), cash: r.decimal('cash_usd'), exposure: r.decimal('exposure'),
        realizedPnl: r.decimal('realized_pnl_usd'), unrealizedPnl: r.decimal('unrealized_pnl_usd'), totalPnl: r.decimal('total_pnl_usd'),
        positions: positionsOf(r) };
  }
}

function positionsOf(r: RowReader): PortfolioEvent['positions'] {
  const parsed = r.json('positions');
  const expected = 'a JSON array of {symbol, qty, …}';
  if (!Array.isArray(parsed)) return r.broken('positions', expected);
  return parsed.map((p: unknown) => {
    if (typeof p !== 'object' || p === null) return r.broken('positions', expected);
    const symbol: unknown = Reflect.get(p, 'symbol');
    const qty: unknown = Reflect.get(p, 'qty');
    return typeof symbol === 'string' && typeof qty === 'number' ? { ...p, symbol, qty } : r.broken('positions', expected);
  });
}

/** The runs row as an {@link ArchivedRun}. */
export function archivedRun(store: string, row: unknown, read: InstantReader): ArchivedRun {
  const r = new RowReader(store, 'runs row', row);
  const symbols = r.json('symbols');
  const run = {
    runId: r.text('run_id'),
    startedMs: r.instant('started_at', read),
    source: r.text('source'),
    symbols: Array.isArray(symbols) && symbols.every((s) => typeof s === 'string') ? symbols : r.broken('symbols', 'a JSON array of text'),
    capitalUsd: r.decimal('capital_usd'),
  };
  return {
    ...run,
    ...(r.has('ended_at') ? { endedMs: r.instant('ended_at', read) } : {}),
    ...(r.has('stop_reason') ? { stopReason: r.text('stop_reason') } : {}),
  };
}

/** What to read for a query: the tables that can match, from which instant, how many at most. */
export type QueryPlan = {
  readonly tables: readonly ArchiveTable[];
  /** The inclusive lower bound as archive text. */
  readonly since: string;
  /** Only for tables with a symbol (the others are left out of `tables`). */
  readonly symbol?: string;
  readonly limit?: number;
};

/**
 * The plan for `query`: kinds without a symbol cannot match a symbol filter;
 * a bound past 9999 or a limit of 0 matches nothing.
 * @throws StoreError `MI_STORE_REJECTED` for a NaN bound, a limit that is not an integer >= 0 or an unknown kind.
 */
export function planQuery(store: string, query: ArchiveQuery): QueryPlan {
  const w = new RowWriter(store, 'query', () => 'query');
  if (typeof query.sinceMs !== 'number' || Number.isNaN(query.sinceMs)) w.reject('sinceMs', query.sinceMs, 'epoch ms');
  const limit = query.limit;
  if (limit !== undefined && !(Number.isSafeInteger(limit) && limit >= 0)) w.reject('limit', limit, 'an integer >= 0');
  const kinds = new Set(query.kinds ?? Object.values(ARCHIVE_TABLES).map((t) => t.kind));
  const tables = [...kinds].map((kind) => Object.values(ARCHIVE_TABLES).find((t) => t.kind === kind) ?? w.reject('kind', kind, 'an event kind'));
  const since = Math.max(MIN_TS_MS, Math.ceil(query.sinceMs));
  const none = since > MAX_TS_MS || limit === 0;
  const matching = tables.filter((t) => !none && (query.symbol === undefined || t.hasSymbol));
  const plan = { tables: matching, since: sqlInstant(Math.min(since, MAX_TS_MS)), limit };
  return query.symbol === undefined ? plan : { ...plan, symbol: query.symbol };
}

/** Each table's events (each oldest first) as one list: by instant, then tick order, then write order; at most `limit`. */
export function oldestFirst(found: readonly (readonly ArchivedEvent[])[], limit: number | undefined): StoredEvent[] {
  const all = found.flat().sort((a, b) => a.event.tsMs - b.event.tsMs || a.rank - b.rank || a.rowId - b.rowId);
  return (limit === undefined ? all : all.slice(0, limit)).map((a) => a.event);
}
