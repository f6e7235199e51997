import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { Subscriber, type Context } from 'zeromq';
import { InputError } from '../domain/index.js';
import { decode, type DecodedMessage } from './codec.js';

/** Options of {@link subscribe}. */
export type SubscribeOptions = {
  /** The publisher to connect to, e.g. `tcp://127.0.0.1:5555` or `inproc://market-intel`. */
  readonly endpoint: string;
  /** Topic prefixes to receive (`quote.` for every quote); empty for all. */
  readonly topics: readonly string[];
  /** Called with each valid message, in arrival order. A throw ends the subscription. */
  readonly onMessage: (message: DecodedMessage) => void;
  /** Called once the subscription is set up (connecting goes on in the background). */
  readonly onReady?: () => void;
  /** Called with each message that fails to decode; it is skipped and counted. */
  readonly onInvalid?: (error: InputError) => void;
  /** Aborting ends the subscription; the promise then resolves with the counts so far. */
  readonly signal?: AbortSignal;
  /** Stop after this many valid messages; default: until aborted. */
  readonly count?: number | undefined;
  /** Messages libzmq buffers before it drops; default 100000. */
  readonly receiveHighWaterMark?: number;
  /** The ZeroMQ context; an `inproc://` publisher must share it. Default: the global one. */
  readonly context?: Context;
};

/** What a subscription received. */
export type SubscribeResult = {
  /** Valid messages passed to onMessage. */
  readonly received: number;
  /**
   * Messages missed: the sum of the jumps in each topic's `seq`. A first
   * message above seq 1 (a late join) and a seq that goes back (the
   * publisher restarted) count nothing.
   */
  readonly gaps: number;
  /** Messages that failed to decode. */
  readonly invalid: number;
};

/** Messages handled between two turns of the event loop. */
const BATCH = 1024;

/** Counts messages and per-topic sequence gaps. */
class Tally {
  received = 0;
  gaps = 0;
  invalid = 0;
  private readonly lastSeq = new Map<string, number>();

  constructor(private readonly options: SubscribeOptions) {}

  handle(frames: Buffer[]): void {
    let message: DecodedMessage;
    try {
      message = decode(frames);
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      this.invalid += 1;
      this.options.onInvalid?.(err);
      return;
    }
    const { topic, body } = message;
    const last = this.lastSeq.get(topic);
    if (last !== undefined && body.seq > last + 1) this.gaps += body.seq - last - 1;
    this.lastSeq.set(topic, body.seq);
    this.received += 1;
    this.options.onMessage(message);
  }
}

function isErrno(err: unknown, code: string): boolean {
  return err instanceof Error && 'code' in err && err.code === code;
}

/** Waits for the next message; undefined once the socket is closed. */
async function receiveNext(socket: Subscriber): Promise<Buffer[] | undefined> {
  try {
    return await socket.receive();
  } catch (err) {
    if (socket.closed) return undefined;
    throw err;
  }
}

/**
 * Handles the messages already waiting, up to `max`, without polling: a
 * receive timeout of 0 makes zeromq.js read synchronously until it would
 * block (EAGAIN). This is the receive path's fast loop.
 */
async function receiveWaiting(socket: Subscriber, max: number, tally: Tally): Promise<number> {
  let handled = 0;
  socket.receiveTimeout = 0;
  try {
    while (handled < max) {
      tally.handle(await socket.receive());
      handled += 1;
    }
  } catch (err) {
    if (!isErrno(err, 'EAGAIN') && !socket.closed) throw err;
  } finally {
    if (!socket.closed) socket.receiveTimeout = -1;
  }
  return handled;
}

async function receiveLoop(socket: Subscriber, limit: number, tally: Tally): Promise<void> {
  while (tally.received < limit) {
    const frames = await receiveNext(socket);
    if (frames === undefined) return;
    tally.handle(frames);
    const max = Math.min(BATCH, limit - tally.received);
    if ((await receiveWaiting(socket, max, tally)) === BATCH) await yieldToLoop();
    if (socket.closed) return;
  }
}

/**
 * Subscribes to a publisher and hands each message to `onMessage` until
 * `count` messages arrived or `signal` aborts. Standard SUB semantics: what
 * was published before the subscription reached the publisher is missed
 * (the slow joiner), and losses show as `gaps`.
 */
export async function subscribe(options: SubscribeOptions): Promise<SubscribeResult> {
  const tally = new Tally(options);
  const { signal } = options;
  if (signal?.aborted) return { received: 0, gaps: 0, invalid: 0 };
  const socket = new Subscriber({
    ...(options.context === undefined ? {} : { context: options.context }),
    receiveHighWaterMark: options.receiveHighWaterMark ?? 100_000,
    linger: 0,
  });
  const stop = (): void => socket.close();
  signal?.addEventListener('abort', stop, { once: true });
  try {
    socket.connect(options.endpoint);
    socket.subscribe(...options.topics);
    options.onReady?.();
    await receiveLoop(socket, options.count ?? Number.POSITIVE_INFINITY, tally);
  } finally {
    signal?.removeEventListener('abort', stop);
    socket.close();
  }
  const { received, gaps, invalid } = tally;
  return { received, gaps, invalid };
}
