/**
 * One writer per store: the tick loop only enqueues (never awaits, never
 * touches the disk); a background loop drains the queue in batches through
 * retries (exponential backoff), a timeout and a circuit breaker. When the
 * queue is full or the store is down, events spill, in order, to an
 * append-only journal (`<spoolDir>/<store>.jsonl`) that is replayed, oldest
 * first, once the store takes writes again, also after a restart. Stores
 * are idempotent by event id, so an event written twice (a batch that
 * failed after the store took it, a replayed journal) is stored once. A
 * batch the store refuses for good (bad data, a non-transient StoreError)
 * is set aside in `<store>.rejected.jsonl` rather than blocking the rest.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  TimeoutStrategy,
  circuitBreaker,
  handleWhen,
  retry,
  timeout,
  wrap,
  type IPolicy,
} from 'cockatiel';
import { StoreError } from './errors.js';
import type { EventSink, StoredEvent } from './ports.js';

/** A failure that may pass: a store error marked transient, or anything unexpected (a dropped socket). */
function mayPass(err: unknown): boolean {
  return !(err instanceof StoreError) || err.transient;
}

/** How a writer behaves; the defaults suit a worker ticking every second or faster. */
export type WriterOptions = {
  readonly sink: EventSink;
  /** Folder of the journals. */
  readonly spoolDir: string;
  /** Events held in memory before new ones spill to the journal. */
  readonly maxBuffer?: number;
  /** Events per write call. */
  readonly batchSize?: number;
  /**
   * Write calls in flight at once (stores are idempotent, so batches may
   * land in any order; a failure spills the failed and later batches).
   */
  readonly concurrency?: number;
  /** How often the background loop drains, ms. */
  readonly flushIntervalMs?: number;
  /** Attempts per batch (1 + retries). */
  readonly attempts?: number;
  /** Consecutive failed batches that open the breaker. */
  readonly breakerThreshold?: number;
  /** How long the breaker stays open before a trial write, ms. */
  readonly halfOpenAfterMs?: number;
  /** Per write call, ms. */
  readonly timeoutMs?: number;
  /** Told about each failure the writer absorbed (for logs and error counts). */
  readonly onError?: (err: unknown) => void;
};

/** What a writer has done and holds, for metrics and /status. */
export type WriterStats = {
  readonly store: string;
  /** Events not yet in the store: queued in memory plus in the journal. */
  readonly backlog: number;
  readonly queued: number;
  readonly spooled: number;
  readonly written: number;
  readonly failedBatches: number;
  /** Events the store refused for good (bad data), set aside in `<store>.rejected.jsonl`. */
  readonly rejected: number;
  /** Duration of the last successful write call, ms. */
  readonly lastWriteMs: number;
  readonly breaker: 'closed' | 'open' | 'half_open';
};

export class StoreWriter {
  private queue: StoredEvent[] = [];
  private spooled = 0;
  private written = 0;
  private failedBatches = 0;
  private rejected = 0;
  private lastWriteMs = 0;
  private timer: NodeJS.Timeout | undefined;
  private draining: Promise<void> | undefined;
  private closed = false;
  private readonly policy: IPolicy;
  private readonly breaker;
  private readonly journal: string;
  private readonly maxBuffer: number;
  private readonly batchSize: number;

  constructor(private readonly options: WriterOptions) {
    this.maxBuffer = options.maxBuffer ?? 10_000;
    this.batchSize = options.batchSize ?? 500;
    mkdirSync(options.spoolDir, { recursive: true });
    this.journal = join(options.spoolDir, `${options.sink.name}.jsonl`);
    this.spooled = existsSync(this.journal) ? countLines(this.journal) : 0;
    this.breaker = circuitBreaker(handleWhen(mayPass), {
      halfOpenAfter: options.halfOpenAfterMs ?? 5_000,
      breaker: new ConsecutiveBreaker(options.breakerThreshold ?? 3),
    });
    const retries = retry(handleWhen(mayPass), {
      maxAttempts: Math.max(0, (options.attempts ?? 3) - 1),
      backoff: new ExponentialBackoff({ initialDelay: 50, maxDelay: 1_000 }),
    });
    this.policy = wrap(retries, this.breaker, timeout(options.timeoutMs ?? 5_000, TimeoutStrategy.Aggressive));
  }

  get store(): string {
    return this.options.sink.name;
  }

  /** Starts the background drain (the journal of an earlier run goes first). */
  start(): void {
    const every = this.options.flushIntervalMs ?? 200;
    const loop = (): void => {
      void this.drain().finally(() => {
        if (!this.closed) this.timer = setTimeout(loop, every).unref();
      });
    };
    this.timer = setTimeout(loop, 0).unref();
  }

  /** Queues an event; synchronous, never throws, never waits for the store. */
  enqueue(event: StoredEvent): void {
    this.queue.push(event);
  }

  stats(): WriterStats {
    const state = this.breaker.state;
    return {
      store: this.store,
      backlog: this.queue.length + this.spooled,
      queued: this.queue.length,
      spooled: this.spooled,
      written: this.written,
      failedBatches: this.failedBatches,
      rejected: this.rejected,
      lastWriteMs: this.lastWriteMs,
      breaker: state === CircuitState.Open || state === CircuitState.Isolated ? 'open' : state === CircuitState.HalfOpen ? 'half_open' : 'closed',
    };
  }

  /** Drains now: the journal, then the queue. Resolves when done or when the store refused (rest spilled). */
  async drain(): Promise<void> {
    if (this.draining) return this.draining;
    this.draining = this.drainOnce().finally(() => {
      this.draining = undefined;
    });
    return this.draining;
  }

  private async drainOnce(): Promise<void> {
    if (this.queue.length > this.maxBuffer) this.spill();
    if (this.spooled > 0 && !(await this.replayJournal())) return this.spill();
    const lanes = this.options.concurrency ?? 1;
    const queue = this.queue;
    // A window of `lanes` writes: the next batch starts as soon as one ends, so
    // neither the store nor the encoding waits for the slowest batch of a round.
    // The queue drops a batch once it and every batch before it are stored.
    const batches: WindowBatch[] = [];
    const writing = new Set<Promise<void>>();
    let taken = 0;
    let failed = false;
    const settle = (): void => {
      let done = 0;
      while (batches[0]?.stored === true) done += batches.shift()?.size ?? 0;
      // close() may have spilled the queue meanwhile (these batches with it: written twice, stored once).
      if (this.queue !== queue) return;
      queue.splice(0, done);
      taken -= done;
    };
    for (;;) {
      while (!failed && writing.size < lanes && this.queue === queue && taken < queue.length) {
        const events = queue.slice(taken, taken + this.batchSize);
        taken += events.length;
        const batch: WindowBatch = { size: events.length };
        batches.push(batch);
        const write: Promise<void> = this.tryWrite(events).then((stored) => {
          batch.stored = stored;
          failed ||= !stored;
          writing.delete(write);
          settle();
        });
        writing.add(write);
      }
      if (writing.size === 0) break;
      await Promise.race(writing);
    }
    // The failed batch and everything after it, written or not, go to the journal in order.
    if (failed) this.spill();
  }

  /** Writes one batch through the policy; false when the store refused it (or the breaker is open). */
  private async tryWrite(batch: readonly StoredEvent[]): Promise<boolean> {
    const started = performance.now();
    try {
      await this.policy.execute(() => this.options.sink.write(batch));
      this.lastWriteMs = performance.now() - started;
      this.written += batch.length;
      return true;
    } catch (err) {
      this.failedBatches += 1;
      if (!(err instanceof BrokenCircuitError)) this.options.onError?.(err);
      if (mayPass(err)) return false;
      // Refused for good (bad data): retrying cannot help and would block every later event.
      // Set the batch aside, readable, and go on.
      appendFileSync(this.rejectedPath, batch.map((e) => `${JSON.stringify(e)}\n`).join(''));
      this.rejected += batch.length;
      return true;
    }
  }

  private get rejectedPath(): string {
    return join(this.options.spoolDir, `${this.store}.rejected.jsonl`);
  }

  /** Moves the whole queue, in order, to the end of the journal (one append). */
  private spill(): void {
    if (this.queue.length === 0) return;
    appendFileSync(this.journal, this.queue.map((e) => `${JSON.stringify(e)}\n`).join(''));
    this.spooled += this.queue.length;
    this.queue = [];
  }

  /** Writes the journal, oldest first; keeps what was not written. True when it is empty now. */
  private async replayJournal(): Promise<boolean> {
    const lines = readFileSync(this.journal, 'utf8').split('\n').filter((l) => l !== '');
    const events = lines.map((l) => JSON.parse(l) as StoredEvent);
    let done = 0;
    while (done < events.length) {
      const batch = events.slice(done, done + this.batchSize);
      if (!(await this.tryWrite(batch))) break;
      done += batch.length;
    }
    if (done === events.length) {
      rmSync(this.journal, { force: true });
      this.spooled = 0;
      return true;
    }
    if (done > 0) {
      // Keep the rest, atomically: a crash here leaves either the old or the new journal.
      const tmp = `${this.journal}.tmp`;
      writeFileSync(tmp, lines.slice(done).map((l) => `${l}\n`).join(''));
      renameSync(tmp, this.journal);
    }
    this.spooled = events.length - done;
    return false;
  }

  /**
   * Stops the loop, gives the store `graceMs` to take what is queued, and
   * spills the rest to the journal for the next run.
   */
  async close(graceMs = 1_500): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([this.drain(), grace]);
    clearTimeout(timer);
    this.spill();
    await this.options.sink.close().catch((err: unknown) => this.options.onError?.(err));
  }
}

/** A batch of the drain's window: its event count, and whether the store took it once its write ended. */
type WindowBatch = { readonly size: number; stored?: boolean };

function countLines(path: string): number {
  return readFileSync(path, 'utf8').split('\n').filter((l) => l !== '').length;
}
