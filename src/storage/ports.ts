/**
 * The stores' ports (ARCHITECTURE.md "Storage"): what the worker keeps of
 * every event. Episodic memory holds the last hour for fast reads, the
 * archive holds everything, the time series hold the numbers for Grafana.
 * Each store sits behind one writer (writer.ts) that batches, retries and
 * spills to disk, so adapters only need a batched, idempotent `write`.
 * Event bodies are the bus payloads (bus/topics.ts) with a `kind`; trades
 * and sentiment readings differ in shape, so they are spelled out here.
 */
import type { PortfolioPayload, QuotePayload, SignalPayload, SimStatePayload } from '../bus/index.js';

/** A quote as stored. Prices in the instrument's quote currency. */
export type QuoteEvent = { readonly kind: 'quote' } & QuotePayload;

/** One market's sentiment reading. */
export type SentimentEvent = {
  readonly kind: 'sentiment';
  readonly market: 'equity' | 'crypto';
  readonly value: number;
  readonly label: string;
  readonly source: string;
};

/** A simulation signal. */
export type SignalEvent = { readonly kind: 'signal' } & SignalPayload;

/** The simulation's state after a step. */
export type SimStateEvent = { readonly kind: 'sim_state' } & SimStatePayload;

/** A paper trade (amounts in USD, exact to the cent). */
export type TradeEvent = {
  readonly kind: 'trade';
  /** The ledger seq of the fill: unique within a run. */
  readonly tradeId: string;
  readonly symbol: string;
  readonly side: 'BUY' | 'SELL';
  readonly qty: number;
  readonly price: number;
  readonly fee: number;
  readonly pnl?: number;
  readonly reason: string;
};

/** A snapshot of the paper portfolio (amounts in USD). */
export type PortfolioEvent = { readonly kind: 'portfolio' } & PortfolioPayload;

/** What an event is about, without the envelope. */
export type EventBody = QuoteEvent | SentimentEvent | SignalEvent | SimStateEvent | TradeEvent | PortfolioEvent;

/** The kinds of stored events. */
export type EventKind = EventBody['kind'];

/**
 * One stored event: its body plus the envelope every store needs.
 * `id` is unique and stable (run id, kind, per-kind sequence), so writing
 * the same event twice (a replayed spool) stores it once.
 */
export type StoredEvent = EventBody & {
  /** `${runId}:${kind}:${seq}`: the idempotency key. */
  readonly id: string;
  readonly runId: string;
  /** When it happened (market time for quotes), epoch ms UTC. */
  readonly tsMs: number;
};

/** A store the writer can drain events into. */
export interface EventSink {
  /** Store name for metrics, logs and errors: `redis`, `memory`, `mysql`, `sqlite`, `influx`. */
  readonly name: string;
  /** Stores a batch (idempotent by event id); throws a StoreError when the store cannot take it. */
  write(events: readonly StoredEvent[]): Promise<void>;
  close(): Promise<void>;
}

/** The last hour, for fast reads (Redis; embedded TTL map by default). */
export interface EpisodicMemory extends EventSink {
  /** The latest event of `kind` (for a symbol when given); undefined when none or expired. */
  latest(kind: EventKind, symbol?: string): Promise<StoredEvent | undefined>;
  /** The newest events of the recent-events stream, newest last, at most `count`. */
  recent(count: number): Promise<readonly StoredEvent[]>;
}

/** A query of the archive. */
export type ArchiveQuery = {
  readonly symbol?: string;
  readonly kinds?: readonly EventKind[];
  /** Inclusive lower bound, epoch ms. */
  readonly sinceMs: number;
  readonly limit?: number;
};

/** One run of the worker, as the archive records it. */
export type RunRecord = {
  readonly runId: string;
  readonly startedMs: number;
  readonly source: string;
  readonly symbols: readonly string[];
  readonly capitalUsd: number;
};

/** Everything, forever (MySQL; embedded SQLite by default). */
export interface Archive extends EventSink {
  /** Records a run's start (idempotent by run id). */
  startRun(run: RunRecord): Promise<void>;
  /** Records a run's end. */
  endRun(runId: string, endedMs: number, reason: string): Promise<void>;
  /** Events matching the query, oldest first. */
  query(query: ArchiveQuery): Promise<readonly StoredEvent[]>;
}

/** Numeric series for Grafana (InfluxDB v2 write API); off when not configured. */
export type TimeSeries = EventSink;
