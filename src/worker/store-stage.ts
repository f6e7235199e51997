import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Config } from '../config/index.js';
import type { MessagePublisher, MessageType, PayloadOf } from '../bus/index.js';
import { EventRecorder } from '../storage/events.js';
import type { Archive, EpisodicMemory, EventKind, EventSink, StoredEvent } from '../storage/ports.js';
import { StoreWriter, type WriterStats } from '../storage/writer.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import type { Component } from './component.js';
import { buildArchive, buildEpisodic, buildTimeSeries } from './stores.js';

/** Batch sizes and write calls in flight per store (bench/storage.ts measured them). */
const WRITER_TUNING: Readonly<Record<string, { readonly batchSize: number; readonly concurrency: number }>> = {
  mysql: { batchSize: 2_000, concurrency: 4 },
  sqlite: { batchSize: 2_000, concurrency: 1 },
  redis: { batchSize: 1_000, concurrency: 4 },
  memory: { batchSize: 1_000, concurrency: 1 },
  influx: { batchSize: 5_000, concurrency: 4 },
};

/**
 * The stores of a run: episodic memory (Redis, or the embedded TTL map),
 * the archive (MySQL, or the embedded SQLite file) and, when configured,
 * the time series (InfluxDB v2 API). Every message the worker publishes is
 * turned into a stored event and queued on each store's writer; the tick
 * never waits for a store. A store that is down at start is retried by its
 * writer like one that goes down later.
 */
export class StoreStage implements Component {
  readonly name = 'stores';
  readonly runId = randomUUID();
  private readonly recorder = new EventRecorder(this.runId);
  private writers: StoreWriter[] = [];
  private archive: Archive | undefined;
  private episodic: EpisodicMemory | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: Config,
    private readonly metrics: Metrics,
    private readonly log: Logger,
  ) {}

  async start(): Promise<string> {
    const onError = (store: string) => (err: unknown) => {
      this.metrics.error(`store_${store}`);
      this.log.warn({ store, err: err instanceof Error ? err.message : String(err) }, 'store write failed; events wait in the writer');
    };
    const episodic = buildEpisodic(this.config);
    this.episodic = episodic;
    const sinks: EventSink[] = [episodic];
    const archive = buildArchive(this.config);
    this.archive = archive;
    sinks.push(archive);
    const series = buildTimeSeries(this.config);
    if (series) sinks.push(series);
    const spoolDir = join(this.config.dataDir, 'spool');
    this.writers = sinks.map((sink) => new StoreWriter({ sink, spoolDir, onError: onError(sink.name), ...WRITER_TUNING[sink.name] }));
    for (const writer of this.writers) writer.start();
    await archive
      .startRun({
        runId: this.runId,
        startedMs: Date.now(),
        source: this.config.source.kind === 'replay' ? this.config.source.path : this.config.source.kind,
        symbols: this.config.symbols.map((s) => s.symbol),
        capitalUsd: this.config.capitalUsd,
      })
      .catch(onError(archive.name));
    this.timer = setInterval(() => this.report(), 1_000).unref();
    const warmed = await this.warm(archive, this.writers[0]);
    return `${sinks.map((s) => s.name).join(', ')}${warmed > 0 ? `; episodic memory warmed with ${warmed} events of the last ${this.config.episodicTtlS} s` : ''}`;
  }

  /**
   * Warms episodic memory (an embedded one starts empty) with what the
   * archive holds from the last EPISODIC_TTL seconds; best effort.
   */
  private async warm(archive: Archive, episodic: StoreWriter | undefined): Promise<number> {
    if (episodic === undefined) return 0;
    try {
      const events = await archive.query({ sinceMs: Date.now() - this.config.episodicTtlS * 1000, limit: 10_000 });
      for (const event of events) episodic.enqueue(event);
      return events.length;
    } catch (err) {
      this.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'could not read the archive to warm episodic memory');
      return 0;
    }
  }

  /** Queues the stored events of one published message on every store. */
  record<K extends MessageType>(type: K, payload: PayloadOf[K], tsMs: number): void {
    const events: StoredEvent[] = this.recorder.toEvents(type, payload, tsMs);
    for (const event of events) for (const writer of this.writers) writer.enqueue(event);
  }

  /** The latest event of a kind (per symbol) in episodic memory, once its writer delivered it. */
  async latest(kind: EventKind, symbol?: string): Promise<StoredEvent | undefined> {
    return this.episodic?.latest(kind, symbol);
  }

  /** Each writer's backlog and state, for /status and the metrics. */
  stats(): readonly WriterStats[] {
    return this.writers.map((w) => w.stats());
  }

  private report(): void {
    for (const s of this.stats()) this.metrics.storeBacklog(s.store, s.backlog);
  }

  /** Waits until every writer drained what it holds (tests, the end of a replay). */
  async drain(): Promise<void> {
    await Promise.all(this.writers.map((w) => w.drain()));
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.archive?.endRun(this.runId, Date.now(), 'closed').catch(() => undefined);
    await Promise.all(this.writers.map((w) => w.close()));
    this.report();
    const left = this.stats().filter((s) => s.backlog > 0);
    if (left.length > 0) this.log.warn({ spooled: Object.fromEntries(left.map((s) => [s.store, s.backlog])) }, 'events kept in the spool for the next run');
  }
}

/** The bus as the stages see it, also feeding the stores. */
export class StoringPublisher implements MessagePublisher {
  constructor(
    private readonly inner: MessagePublisher,
    private readonly stores: StoreStage,
  ) {}

  publish<T extends MessageType>(topic: string, type: T, payload: PayloadOf[T], tsMs: number): boolean {
    const queued = this.inner.publish(topic, type, payload, tsMs);
    this.stores.record(type, payload, tsMs);
    return queued;
  }
}
