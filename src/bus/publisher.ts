import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { Publisher, type Context } from 'zeromq';
import { ErrorCode, PermanentError } from '../domain/index.js';
import { BoundedQueue } from './bounded-queue.js';
import { encode } from './codec.js';
import { BusErrorCode } from './error-codes.js';
import { IsoTimeFormatter } from './iso-time.js';
import type { MessagePublisher } from './port.js';
import { SCHEMA_VERSION, type MessageType, type PayloadOf } from './topics.js';

/** The logging the publisher needs; a pino logger fits. */
export type BusLogger = { warn(fields: object, msg: string): void };

/** Options of {@link ZmqPublisher}. */
export type ZmqPublisherOptions = {
  /** Where to bind, e.g. `inproc://market-intel` and `tcp://*:5555`. */
  readonly endpoints: readonly string[];
  /** Messages libzmq queues per subscriber before it drops for that subscriber; default 100000. */
  readonly sendHighWaterMark?: number;
  /** Messages waiting in the publisher's own queue before publish() drops; default 100000. */
  readonly queueLimit?: number;
  /** How long close() waits for the queue to drain, in ms; default 2000. */
  readonly closeDeadlineMs?: number;
  /** How long libzmq keeps trying to deliver queued messages after close, in ms; default 500. */
  readonly lingerMs?: number;
  /** The ZeroMQ context; in-process (`inproc://`) subscribers must share it. Default: the global one. */
  readonly context?: Context;
  readonly logger?: BusLogger;
};

/** Counters of a publisher since it was built. published = sent + dropped + still queued. */
export type PublisherStats = {
  /** publish() calls. */
  readonly published: number;
  /** Messages handed to the socket. */
  readonly sent: number;
  /** Messages the publisher itself dropped: queue full, bus closed or send failed. */
  readonly dropped: number;
  /** publish() calls per topic (the last `seq` of each topic). */
  readonly publishedByTopic: Readonly<Record<string, number>>;
};

/**
 * A queued message: the topic frame as a Buffer shared by every message of
 * that topic (zeromq.js sends a Buffer frame faster than it converts a
 * string: +20-30% msg/s, BENCHMARKS.md), and the JSON body.
 */
type Outgoing = [topic: Buffer, body: string];

/** Per-topic state: the last `seq` and the topic's frame. */
type TopicState = { seq: number; readonly frame: Buffer };

/** Sends per drain pass before the drain lets timers and I/O run. */
const YIELD_EVERY = 1024;

const NO_LOGGER: BusLogger = { warn: () => undefined };

/**
 * The bus publisher: a ZeroMQ PUB socket behind a bounded in-memory queue.
 *
 * publish() is synchronous and never waits for the network: it stamps the
 * envelope, encodes and queues; a drain loop sends one message at a time
 * (zeromq.js allows one send in flight). A full queue drops and counts.
 *
 * Standard PUB semantics (noDrop off): libzmq drops per subscriber once that
 * subscriber's high-water mark is reached, so one slow subscriber never stalls
 * the others or the tick loop. Subscribers see their own losses as gaps in the
 * per-topic `seq`; the publisher counts only what it drops itself.
 *
 * The socket's send timeout is 0: a PUB socket never blocks, and with 0
 * zeromq.js takes its synchronous path on every send instead of deferring
 * every 513th send to a later loop turn.
 */
export class ZmqPublisher implements MessagePublisher {
  readonly endpoints: readonly string[];
  private readonly socket: Publisher;
  private readonly queue: BoundedQueue<Outgoing>;
  private readonly log: BusLogger;
  private readonly closeDeadlineMs: number;
  private readonly topicStates = new Map<string, TopicState>();
  private readonly idleWaiters = new Set<() => void>();
  private published = 0;
  private sent = 0;
  private dropped = 0;
  private started = false;
  private draining = false;
  private overflowing = false;
  private sendFailing = false;
  private closing: Promise<void> | undefined;
  private readonly isoTime = new IsoTimeFormatter();

  constructor(options: ZmqPublisherOptions) {
    this.endpoints = [...options.endpoints];
    this.queue = new BoundedQueue(options.queueLimit ?? 100_000);
    this.log = options.logger ?? NO_LOGGER;
    this.closeDeadlineMs = options.closeDeadlineMs ?? 2_000;
    this.socket = new Publisher({
      ...(options.context === undefined ? {} : { context: options.context }),
      sendHighWaterMark: options.sendHighWaterMark ?? 100_000,
      sendTimeout: 0,
      linger: options.lingerMs ?? 500,
    });
  }

  /**
   * Binds every endpoint, in order. On failure the socket is closed and the
   * publisher cannot be started again.
   *
   * @throws PermanentError (`MI_BUS_BIND`) naming the endpoint, and the port when it is in use.
   * @throws PermanentError (`MI_BUS_CLOSED`) after close().
   */
  async start(): Promise<void> {
    if (this.closing !== undefined || this.socket.closed) {
      throw new PermanentError('bus publisher is closed: build a new one to start again', { code: ErrorCode.busClosed });
    }
    if (this.started) return;
    for (const endpoint of this.endpoints) {
      try {
        await this.socket.bind(endpoint);
      } catch (err) {
        this.socket.close();
        throw bindError(endpoint, err);
      }
    }
    this.started = true;
    this.scheduleDrain();
  }

  /**
   * Stamps, encodes and queues a message; synchronous, it never waits for
   * the network. The message takes its topic's next `seq` even when dropped,
   * so subscribers see the drop as a gap.
   *
   * @param tsMs when the event happened, epoch ms UTC (an integer for the fast path).
   * @returns false when dropped: the queue is full or the publisher is closing.
   * @throws InvariantError when `tsMs` is not a finite epoch time (a caller bug).
   */
  publish<T extends MessageType>(topic: string, type: T, payload: PayloadOf[T], tsMs: number): boolean {
    const ts = this.isoTime.format(tsMs);
    const state = this.topicState(topic);
    const seq = (state.seq += 1);
    this.published += 1;
    if (this.closing !== undefined || this.queue.full) return this.drop(topic);
    // Object.assign, not a spread with the envelope after it: that form is ~10x slower in V8.
    const [, body] = encode(topic, Object.assign({}, payload, { v: SCHEMA_VERSION, type, ts, seq }));
    this.queue.push([state.frame, body]);
    this.scheduleDrain();
    return true;
  }

  /** Counters since construction; a fresh object each call. */
  stats(): PublisherStats {
    const { published, sent, dropped } = this;
    const publishedByTopic = Object.fromEntries([...this.topicStates].map(([topic, state]) => [topic, state.seq]));
    return { published, sent, dropped, publishedByTopic };
  }

  private topicState(topic: string): TopicState {
    let state = this.topicStates.get(topic);
    if (state === undefined) {
      state = { seq: 0, frame: Buffer.from(topic) };
      this.topicStates.set(topic, state);
    }
    return state;
  }

  /** Resolves true once the queue is empty and nothing is being sent, false after `timeoutMs`. */
  flush(timeoutMs: number): Promise<boolean> {
    if (this.idle()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.idleWaiters.delete(done);
        resolve(false);
      }, timeoutMs);
      this.idleWaiters.add(done);
    });
  }

  /**
   * Stops accepting messages, drains the queue for up to the close deadline,
   * counts what is left as dropped and closes the socket (libzmq then
   * lingers briefly to deliver what it holds). Safe to call twice.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    if (this.started && !this.socket.closed) await this.flush(this.closeDeadlineMs);
    let left = 0;
    while (this.queue.shift() !== undefined) left += 1;
    if (left > 0) {
      this.dropped += left;
      this.log.warn({ dropped: left, deadlineMs: this.closeDeadlineMs }, 'bus closed before its queue drained');
    }
    this.socket.close();
  }

  private idle(): boolean {
    return this.queue.length === 0 && !this.draining;
  }

  private drop(topic: string): false {
    this.dropped += 1;
    if (!this.overflowing && this.closing === undefined) {
      this.overflowing = true;
      this.log.warn({ topic, queueLimit: this.queue.capacity }, 'bus queue full, dropping messages');
    }
    return false;
  }

  private scheduleDrain(): void {
    if (this.draining || !this.started || this.queue.length === 0) return;
    this.draining = true;
    queueMicrotask(() => void this.drain());
  }

  /**
   * Sends queued messages one at a time until the queue is empty. With a
   * send timeout of 0 each send completes synchronously; awaiting it costs
   * one microtask and catches a failure without a handler per message.
   */
  private async drain(): Promise<void> {
    let sinceYield = 0;
    for (let frames = this.queue.shift(); frames !== undefined; frames = this.queue.shift()) {
      try {
        await this.socket.send(frames);
        this.sent += 1;
      } catch (err) {
        this.sendFailed(frames[0].toString(), err);
      }
      if (++sinceYield === YIELD_EVERY) {
        sinceYield = 0;
        await yieldToLoop();
      }
    }
    this.draining = false;
    this.overflowing = false;
    this.sendFailing = false;
    for (const done of this.idleWaiters) done();
    this.idleWaiters.clear();
  }

  private sendFailed(topic: string, err: unknown): void {
    this.dropped += 1;
    if (!this.sendFailing && !this.socket.closed) this.log.warn({ err, topic }, 'bus send failed, dropping messages');
    this.sendFailing = true;
  }
}

/** Turns a bind failure into an error that names the endpoint, and the port when it is taken. */
function bindError(endpoint: string, err: unknown): PermanentError {
  const code = err instanceof Error && 'code' in err ? String(err.code) : undefined;
  const port = /^tcp:\/\/.*:(\d+)$/.exec(endpoint)?.[1];
  const message =
    code === 'EADDRINUSE' && port !== undefined
      ? `bus endpoint "${endpoint}": port ${port} is already in use; expected a free port`
      : `bus endpoint "${endpoint}": bind failed (${code ?? String(err)}); expected tcp://<host>:<port>, ipc://<path> or inproc://<name> not bound yet`;
  return new PermanentError(message, { code: BusErrorCode.bind, cause: err });
}
