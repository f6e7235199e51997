/**
 * Episodic memory in Redis: the latest event per slot as plain keys
 * (`<prefix>latest:<slot>`) and a capped stream of recent events
 * (`<prefix>events`), every key expiring `ttlS` after the last write to it.
 * The client fails fast when Redis is down (no offline queue, one retry,
 * short timeouts) so the writer can buffer and spill instead of stalling.
 * Errors are StoreErrors whose text and cause never carry the URL or password.
 */
import { once } from 'node:events';
import { Redis, type RedisOptions } from 'ioredis';
import type { EpisodicMemory, EventKind, StoredEvent } from './ports.js';
import { StoreError } from './errors.js';
import { EPISODIC_MAX_STREAM, EPISODIC_TTL_S, latestSlot } from './memory-episodic.js';
import { SCRIPTS_REFUSED, storedEventSchema, streamFields, WRITE_SCRIPT, writeBatch, type WriteBatch } from './redis-wire.js';

/** Options of {@link RedisEpisodicMemory}. Fields the URL carries win over host, port and password. */
export type RedisEpisodicOptions = {
  /** `redis[s]://[user:password@]host:port[/db]`. */
  readonly url?: string;
  readonly host?: string;
  readonly port?: number;
  readonly password?: string;
  /** Prefix of every key (default `mi:`); tests isolate themselves with their own. */
  readonly keyPrefix?: string;
  /** Lifetime of every key, whole seconds (rounded up, at least 1). Default {@link EPISODIC_TTL_S}. */
  readonly ttlS?: number;
  /** Approximate cap of the recent-events stream (`MAXLEN ~`). Default {@link EPISODIC_MAX_STREAM}. */
  readonly maxStream?: number;
  /** Time `start()` may take, TCP connect to PONG, ms. Default 1000. */
  readonly connectTimeoutMs?: number;
  /** Time a command may take before it fails, ms. Default 2000. */
  readonly commandTimeoutMs?: number;
};

/** Server replies that can pass by themselves (loading, busy script, failover, memory freed by expiry). */
const TRANSIENT_REPLY = /^(LOADING|BUSY|TRYAGAIN|CLUSTERDOWN|MASTERDOWN|READONLY|OOM)\b/;

/** {@link EpisodicMemory} on Redis through ioredis. Call `start()` (or use `connect`) before use. */
export class RedisEpisodicMemory implements EpisodicMemory {
  readonly name = 'redis';
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly ttlS: number;
  private readonly maxStream: number;
  private readonly connectTimeoutMs: number;
  private readonly scrub: (text: string) => string;
  /** The last connection error ioredis emitted: connect() itself only says "Connection is closed". */
  private lastError: unknown;
  private closed = false;
  /** False once the server refused a script: writes go as pipelines from then on. */
  private scripted = true;

  constructor(options: RedisEpisodicOptions = {}) {
    this.prefix = options.keyPrefix ?? 'mi:';
    this.ttlS = Math.max(1, Math.ceil(options.ttlS ?? EPISODIC_TTL_S));
    this.maxStream = options.maxStream ?? EPISODIC_MAX_STREAM;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 1000;
    this.scrub = secretScrubber(options);
    const clientOptions: RedisOptions = {
      ...(options.host === undefined ? {} : { host: options.host }),
      ...(options.port === undefined ? {} : { port: options.port }),
      ...(options.password === undefined ? {} : { password: options.password }),
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: this.connectTimeoutMs,
      commandTimeout: options.commandTimeoutMs ?? 2000,
    };
    // @see https://redis.github.io/ioredis/classes/Redis.html#constructor
    this.redis = options.url === undefined ? new Redis(clientOptions) : new Redis(options.url, clientOptions);
    // Without a listener ioredis prints every reconnect failure to the console.
    this.redis.on('error', (err: unknown) => {
      this.lastError = err;
    });
  }

  /** A started store; rejects with a transient StoreError (`connect`) when Redis cannot be reached. */
  static async connect(options: RedisEpisodicOptions): Promise<RedisEpisodicMemory> {
    const store = new RedisEpisodicMemory(options);
    await store.start();
    return store;
  }

  /**
   * Connects and PINGs within the connect timeout (a server that accepts but
   * never answers counts as down). On failure it stops reconnecting and
   * throws a transient StoreError.
   */
  async start(): Promise<void> {
    this.assertOpen('connect');
    if (this.redis.status === 'ready') return;
    this.lastError = undefined;
    const handshake = this.handshake();
    // The loser of the race below must not surface as an unhandled rejection.
    handshake.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no reply within ${this.connectTimeoutMs} ms`)), this.connectTimeoutMs);
    });
    try {
      await Promise.race([handshake, deadline]);
    } catch (err) {
      this.redis.disconnect();
      throw this.failure('connect', this.lastError ?? err, true);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * One script call per batch: XADD each event, SET each slot's latest, refresh
   * the stream's expiry (a pipeline of the same commands costs the client
   * several times more CPU per event than the server spends on it). Where
   * scripts are refused (an ACL without EVAL, a server without Lua) the
   * commands go as one pipeline.
   */
  async write(events: readonly StoredEvent[]): Promise<void> {
    this.assertOpen('write');
    if (events.length === 0) return;
    const batch = writeBatch(events, (suffix) => this.key(suffix));
    if (this.scripted) {
      const keys = [batch.streamKey, ...batch.slots.map((s) => s.key)];
      const args: (string | number)[] = [this.ttlS, this.maxStream, ...batch.slots.map((s) => s.at)];
      for (const entry of batch.entries) args.push(entry.id, entry.json);
      try {
        // @see https://redis.io/docs/latest/commands/eval/
        await this.redis.eval(WRITE_SCRIPT, keys.length, ...keys, ...args);
        return;
      } catch (err) {
        if (!(err instanceof Error && SCRIPTS_REFUSED.test(err.message))) throw this.failure('write', err);
        this.scripted = false;
      }
    }
    await this.pipelined(batch);
  }

  /** The script's commands as one pipeline (no MULTI: every command is idempotent, and MULTI doubles the replies). */
  private async pipelined(batch: WriteBatch): Promise<void> {
    const tx = this.redis.pipeline();
    // @see https://redis.io/docs/latest/commands/xadd/
    for (const { id, json } of batch.entries) tx.xadd(batch.streamKey, 'MAXLEN', '~', this.maxStream, '*', 'id', id, 'e', json);
    // @see https://redis.io/docs/latest/commands/set/
    for (const slot of batch.slots) tx.set(slot.key, slot.json, 'EX', this.ttlS);
    // @see https://redis.io/docs/latest/commands/expire/
    tx.expire(batch.streamKey, this.ttlS);
    let results: [error: Error | null, result: unknown][] | null;
    try {
      // @see https://redis.io/docs/latest/commands/exec/
      results = await tx.exec();
    } catch (err) {
      throw this.failure('write', err);
    }
    if (results === null) throw new StoreError(this.name, 'write', 'the pipeline was aborted', { transient: true });
    const failed = results.find(([error]) => error !== null)?.[0];
    if (failed) throw this.failure('write', failed);
  }

  async latest(kind: EventKind, symbol?: string): Promise<StoredEvent | undefined> {
    this.assertOpen('latest');
    const slot = latestSlot(kind, symbol);
    if (slot === undefined) return undefined;
    let json: string | null;
    try {
      // @see https://redis.io/docs/latest/commands/get/
      json = await this.redis.get(this.key(`latest:${slot}`));
    } catch (err) {
      throw this.failure('latest', err);
    }
    return json === null ? undefined : this.decode('latest', json);
  }

  /**
   * Pages back through the stream until it has `count` distinct event ids
   * (a re-written event counts once, at its newest position) or the stream ends.
   */
  async recent(count: number): Promise<readonly StoredEvent[]> {
    this.assertOpen('recent');
    if (count < 1) return [];
    const want = Math.floor(count);
    const picked = new Map<string, string>();
    let end = '+';
    for (;;) {
      let page: [id: string, fields: string[]][];
      try {
        // @see https://redis.io/docs/latest/commands/xrevrange/
        page = await this.redis.xrevrange(this.key('events'), end, '-', 'COUNT', want);
      } catch (err) {
        throw this.failure('recent', err);
      }
      for (const [, fields] of page) {
        const { id, json } = streamFields(fields);
        if (picked.size < want && !picked.has(id)) picked.set(id, json);
      }
      const last = page.at(-1);
      if (picked.size >= want || page.length < want || last === undefined) break;
      end = `(${last[0]}`;
    }
    return [...picked.values()].reverse().map((json) => this.decode('recent', json));
  }

  /** Quits gracefully (drops the socket when that fails); idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.redis.status !== 'ready') {
      this.redis.disconnect();
      return;
    }
    try {
      // @see https://redis.io/docs/latest/commands/quit/
      await this.redis.quit();
    } catch {
      this.redis.disconnect();
    }
  }

  private async handshake(): Promise<void> {
    const { status } = this.redis;
    // A connection already under way (a call made before start) is awaited, not duplicated.
    if (status === 'connecting' || status === 'connect') await once(this.redis, 'ready');
    else await this.redis.connect();
    // @see https://redis.io/docs/latest/commands/ping/
    await this.redis.ping();
  }

  private key(suffix: string): string {
    return `${this.prefix}${suffix}`;
  }

  private decode(operation: string, json: string): StoredEvent {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch (err) {
      throw new StoreError(this.name, operation, 'a stored value is not JSON', { transient: false, cause: err });
    }
    const result = storedEventSchema.safeParse(parsed);
    if (!result.success) {
      throw new StoreError(this.name, operation, 'a stored value is not a valid event', { transient: false, cause: result.error });
    }
    return result.data;
  }

  /** A StoreError whose reason and cause are scrubbed (ioredis errors can carry AUTH arguments). */
  private failure(operation: string, err: unknown, transient = isTransient(err)): StoreError {
    const name = err instanceof Error ? err.name : 'Error';
    const message = err instanceof Error ? err.message : String(err);
    const code = err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
    const reason = this.scrub(message.split('\n', 1)[0] ?? '') || (code ?? name);
    const cause = new Error(reason);
    cause.name = name;
    return new StoreError(this.name, operation, reason, { transient, cause });
  }

  private assertOpen(operation: string): void {
    if (this.closed) throw new StoreError(this.name, operation, 'the store is closed', { transient: false });
  }
}

/** Connection, timeout and retry failures can pass; a server's error reply mostly cannot. */
function isTransient(err: unknown): boolean {
  if (!(err instanceof Error) || err.name !== 'ReplyError') return true;
  return TRANSIENT_REPLY.test(err.message);
}

/** Masks the URL, the password (raw, URL-encoded and decoded) and any URL carrying credentials. */
function secretScrubber(options: RedisEpisodicOptions): (text: string) => string {
  const secrets: string[] = [];
  if (options.url !== undefined) {
    secrets.push(options.url);
    try {
      const { password } = new URL(options.url);
      secrets.push(password);
      secrets.push(decodeURIComponent(password));
    } catch {
      // An unparsable URL (or password encoding) is still masked whole above.
    }
  }
  if (options.password !== undefined) secrets.push(options.password, encodeURIComponent(options.password));
  const needles = [...new Set(secrets.filter((s) => s.length > 0))].sort((a, b) => b.length - a.length);
  return (text) =>
    needles
      .reduce((masked, needle) => masked.replaceAll(needle, '[redacted]'), text)
      .replace(/[a-z][a-z0-9+.-]*:\/\/[^\s@/]*@\S*/gi, '[redacted]');
}
