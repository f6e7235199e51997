/**
 * Builds each store's adapter from the config: the configured server, or
 * the embedded default. A server adapter connects on its first write (and
 * again after a failure), so a store that is down at start is handled like
 * one that goes down later: its writer retries and spools.
 */
import { join } from 'node:path';
import { DEFAULTS, type Config } from '../config/index.js';
import { StoreError } from '../storage/errors.js';
import { InfluxTimeSeries } from '../storage/influx-timeseries.js';
import { MemoryEpisodicMemory } from '../storage/memory-episodic.js';
import { MysqlArchive } from '../storage/mysql-archive.js';
import type { Archive, ArchiveQuery, EpisodicMemory, EventKind, EventSink, RunRecord, StoredEvent } from '../storage/ports.js';
import { RedisEpisodicMemory } from '../storage/redis-episodic.js';
import { SqliteArchive } from '../storage/sqlite-archive.js';

/** A sink that connects on first use and reconnects after a failed write. */
class Reconnecting<S extends EventSink> {
  private sink: S | undefined;
  private connecting: Promise<S> | undefined;

  constructor(private readonly connect: () => Promise<S>) {}

  async get(): Promise<S> {
    if (this.sink) return this.sink;
    this.connecting ??= this.connect().finally(() => (this.connecting = undefined));
    this.sink = await this.connecting;
    return this.sink;
  }

  /** After a failure: close and forget the connection, so the next use makes a new one. */
  async reset(): Promise<void> {
    const sink = this.sink;
    this.sink = undefined;
    await sink?.close().catch(() => undefined);
  }

  async use<T>(work: (sink: S) => Promise<T>): Promise<T> {
    const sink = await this.get();
    try {
      return await work(sink);
    } catch (err) {
      // A connection problem: reconnect next time. A refused write (bad data) keeps the connection.
      if (!(err instanceof StoreError) || err.transient) await this.reset();
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.reset();
  }
}

class LazyEpisodic implements EpisodicMemory {
  readonly name = 'redis';
  private readonly conn: Reconnecting<RedisEpisodicMemory>;

  constructor(connect: () => Promise<RedisEpisodicMemory>) {
    this.conn = new Reconnecting(connect);
  }

  write(events: readonly StoredEvent[]): Promise<void> {
    return this.conn.use((s) => s.write(events));
  }

  latest(kind: EventKind, symbol?: string): Promise<StoredEvent | undefined> {
    return this.conn.use((s) => s.latest(kind, symbol));
  }

  recent(count: number): Promise<readonly StoredEvent[]> {
    return this.conn.use((s) => s.recent(count));
  }

  close(): Promise<void> {
    return this.conn.close();
  }
}

class LazyArchive implements Archive {
  readonly name = 'mysql';
  private readonly conn: Reconnecting<MysqlArchive>;

  constructor(connect: () => Promise<MysqlArchive>) {
    this.conn = new Reconnecting(connect);
  }

  write(events: readonly StoredEvent[]): Promise<void> {
    return this.conn.use((s) => s.write(events));
  }

  startRun(run: RunRecord): Promise<void> {
    return this.conn.use((s) => s.startRun(run));
  }

  endRun(runId: string, endedMs: number, reason: string): Promise<void> {
    return this.conn.use((s) => s.endRun(runId, endedMs, reason));
  }

  query(query: ArchiveQuery): Promise<readonly StoredEvent[]> {
    return this.conn.use((s) => s.query(query));
  }

  close(): Promise<void> {
    return this.conn.close();
  }
}

/** Redis when configured, else the embedded TTL store. */
export function buildEpisodic(config: Config): EpisodicMemory {
  const ttlS = config.episodicTtlS;
  const redis = config.redis;
  if (redis === undefined) return new MemoryEpisodicMemory({ ttlS });
  return new LazyEpisodic(() => RedisEpisodicMemory.connect({ ...redis, ttlS }));
}

/** MySQL when configured, else the SQLite file under the data folder. */
export function buildArchive(config: Config): Archive {
  const mysql = config.mysql;
  if (mysql === undefined) return SqliteArchive.open(join(config.dataDir, DEFAULTS.archiveFile));
  return new LazyArchive(() => MysqlArchive.connect(mysql));
}

/** InfluxDB v2 when configured, else none. */
export function buildTimeSeries(config: Config): EventSink | undefined {
  const influx = config.influx;
  if (influx === undefined) return undefined;
  return new InfluxTimeSeries({ url: influx.url, token: influx.token, org: influx.org ?? 'market-intel', bucket: influx.bucket ?? 'market_data' });
}
