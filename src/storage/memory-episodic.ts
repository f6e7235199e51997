/**
 * The embedded episodic memory: the last hour of events in this process,
 * used when no Redis is configured. It keeps the latest event per slot and a
 * recent-events stream capped at `maxStream` entries; every entry expires
 * `ttlS` after it was written. Expired entries vanish on read and a periodic
 * sweep frees them, so memory stays bounded by (slots + maxStream) entries.
 */
import type { EpisodicMemory, EventKind, StoredEvent } from './ports.js';
import { StoreError } from './errors.js';

/** How long episodic entries live, in seconds (the original EPISODIC_TTL: one hour). */
export const EPISODIC_TTL_S = 3600;

/** How many entries the recent-events stream keeps at most. */
export const EPISODIC_MAX_STREAM = 10_000;

/**
 * The slot a `latest` lookup reads: quotes and signals per symbol, sentiment
 * per market (passed as the symbol), portfolio and sim_state once each.
 * Trades have no slot (they live in the stream and the archive), nor does a
 * per-symbol kind asked without a symbol. A symbol given for a kind without
 * one is ignored. Both episodic adapters share this mapping.
 */
export function latestSlot(kind: EventKind, symbol?: string): string | undefined {
  switch (kind) {
    case 'quote':
    case 'signal':
    case 'sentiment':
      return symbol === undefined ? undefined : `${kind}:${symbol}`;
    case 'portfolio':
    case 'sim_state':
      return kind;
    case 'trade':
      return undefined;
  }
}

/** The slot an event is written to, if any (see {@link latestSlot}). */
export function latestSlotOf(event: StoredEvent): string | undefined {
  switch (event.kind) {
    case 'quote':
    case 'signal':
      return latestSlot(event.kind, event.symbol);
    case 'sentiment':
      return latestSlot(event.kind, event.market);
    default:
      return latestSlot(event.kind);
  }
}

/**
 * The newest `count` distinct events of a stream given newest first, returned
 * oldest first. A re-written event counts once, at its newest position.
 */
export function newestDistinct(newestFirst: Iterable<StoredEvent>, count: number): StoredEvent[] {
  const seen = new Set<string>();
  const picked: StoredEvent[] = [];
  for (const event of newestFirst) {
    if (picked.length >= count) break;
    if (seen.has(event.id)) continue;
    seen.add(event.id);
    picked.push(event);
  }
  return picked.reverse();
}

/** Options of {@link MemoryEpisodicMemory}. */
export type MemoryEpisodicOptions = {
  /** Lifetime of every entry, seconds (> 0). Default {@link EPISODIC_TTL_S}. */
  readonly ttlS?: number;
  /** Maximum entries in the recent-events stream (> 0). Default {@link EPISODIC_MAX_STREAM}. */
  readonly maxStream?: number;
  /** Current time, epoch ms; injected by tests. Default `Date.now`. */
  readonly now?: () => number;
  /** Milliseconds between sweeps of expired entries. Default 60 000. */
  readonly sweepIntervalMs?: number;
};

type Entry = { readonly event: StoredEvent; readonly expiresAtMs: number };

/** {@link EpisodicMemory} in this process's heap: nothing survives a restart. */
export class MemoryEpisodicMemory implements EpisodicMemory {
  readonly name = 'memory';
  private readonly ttlMs: number;
  private readonly maxStream: number;
  private readonly now: () => number;
  private readonly latestBySlot = new Map<string, Entry>();
  /** Oldest first; entries are appended in write order, so expired ones form a prefix. */
  private stream: Entry[] = [];
  private readonly sweeper: NodeJS.Timeout;
  private closed = false;

  constructor(options: MemoryEpisodicOptions = {}) {
    this.ttlMs = (options.ttlS ?? EPISODIC_TTL_S) * 1000;
    this.maxStream = options.maxStream ?? EPISODIC_MAX_STREAM;
    this.now = options.now ?? Date.now;
    // Unref'd: a forgotten close() must not keep the process alive.
    this.sweeper = setInterval(() => this.sweep(), options.sweepIntervalMs ?? 60_000).unref();
  }

  async write(events: readonly StoredEvent[]): Promise<void> {
    this.assertOpen('write');
    const expiresAtMs = this.now() + this.ttlMs;
    for (const event of events) {
      const entry = { event, expiresAtMs };
      const slot = latestSlotOf(event);
      if (slot !== undefined) this.latestBySlot.set(slot, entry);
      this.stream.push(entry);
    }
    if (this.stream.length > this.maxStream) this.stream = this.stream.slice(-this.maxStream);
  }

  async latest(kind: EventKind, symbol?: string): Promise<StoredEvent | undefined> {
    this.assertOpen('latest');
    const slot = latestSlot(kind, symbol);
    if (slot === undefined) return undefined;
    const entry = this.latestBySlot.get(slot);
    if (entry === undefined) return undefined;
    if (this.isExpired(entry, this.now())) {
      this.latestBySlot.delete(slot);
      return undefined;
    }
    return entry.event;
  }

  async recent(count: number): Promise<readonly StoredEvent[]> {
    this.assertOpen('recent');
    if (count < 1) return [];
    const nowMs = this.now();
    this.dropExpiredStream(nowMs);
    return newestDistinct(this.liveNewestFirst(nowMs), Math.floor(count));
  }

  /** Frees every expired entry; returns how many it removed. Runs on a timer too. */
  sweep(): number {
    const nowMs = this.now();
    let removed = this.dropExpiredStream(nowMs);
    for (const [slot, entry] of this.latestBySlot) {
      if (!this.isExpired(entry, nowMs)) continue;
      this.latestBySlot.delete(slot);
      removed += 1;
    }
    return removed;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweeper);
    this.latestBySlot.clear();
    this.stream = [];
  }

  /** Filters too: with a clock that steps back, an expired entry can follow a live one. */
  private *liveNewestFirst(nowMs: number): Generator<StoredEvent> {
    for (let i = this.stream.length - 1; i >= 0; i -= 1) {
      const entry = this.stream[i];
      if (entry !== undefined && !this.isExpired(entry, nowMs)) yield entry.event;
    }
  }

  /** Like a Redis key, an entry lives through its expiry instant and is gone one ms later. */
  private isExpired(entry: Entry, nowMs: number): boolean {
    return nowMs > entry.expiresAtMs;
  }

  private dropExpiredStream(nowMs: number): number {
    const firstLive = this.stream.findIndex((entry) => !this.isExpired(entry, nowMs));
    const expired = firstLive === -1 ? this.stream.length : firstLive;
    if (expired > 0) this.stream = this.stream.slice(expired);
    return expired;
  }

  private assertOpen(operation: string): void {
    if (this.closed) throw new StoreError(this.name, operation, 'the store is closed', { transient: false });
  }
}
