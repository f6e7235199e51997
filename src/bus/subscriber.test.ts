import { randomUUID } from 'node:crypto';
import { Publisher } from 'zeromq';
import { afterEach, describe, expect, it } from 'vitest';
import type { InputError } from '../domain/index.js';
import { waitUntil } from '../../tests/helpers/zmq.js';
import type { DecodedMessage } from './codec.js';
import { subscribe, type SubscribeOptions } from './subscriber.js';

const sockets: Publisher[] = [];

afterEach(() => {
  sockets.splice(0).forEach((s) => s.close());
});

/** A bare PUB socket, so the test writes exactly the frames it wants. */
async function rawPublisher(): Promise<{ endpoint: string; send: (topic: string, body: object | string) => Promise<void> }> {
  const endpoint = `inproc://subscriber-test-${randomUUID()}`;
  const socket = new Publisher({ linger: 0 });
  sockets.push(socket);
  await socket.bind(endpoint);
  const send = (topic: string, body: object | string): Promise<void> =>
    socket.send([topic, typeof body === 'string' ? body : JSON.stringify(body)]);
  return { endpoint, send };
}

function quote(symbol: string, seq: number): object {
  return { v: 1, type: 'quote', ts: '2026-11-23T10:00:00.000Z', seq, symbol, price: 1, source: 'test' };
}

type Run = { got: DecodedMessage[]; invalid: InputError[]; controller: AbortController; done: ReturnType<typeof subscribe> };

function start(endpoint: string, options: Partial<SubscribeOptions> = {}): Run {
  const got: DecodedMessage[] = [];
  const invalid: InputError[] = [];
  const controller = new AbortController();
  const done = subscribe({
    endpoint,
    topics: ['quote.'],
    signal: controller.signal,
    onMessage: (m) => got.push(m),
    onInvalid: (e) => invalid.push(e),
    ...options,
  });
  return { got, invalid, controller, done };
}

/** Sends probes on quote.PROBE (seq 1, 2, …: never a gap) until one arrives; returns how many arrived. */
async function handshake(send: (topic: string, body: object) => Promise<void>, run: Run): Promise<void> {
  for (let seq = 1; !run.got.some((m) => m.topic === 'quote.PROBE'); seq += 1) {
    if (seq > 500) throw new Error('subscriber never saw a probe');
    await send('quote.PROBE', quote('PROBE', seq));
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const real = (run: Run): DecodedMessage[] => run.got.filter((m) => m.topic !== 'quote.PROBE');

describe('subscribe', () => {
  it('counts missed messages per topic, but not a late join', async () => {
    const { endpoint, send } = await rawPublisher();
    const run = start(endpoint);
    await handshake(send, run);
    // AAPL joins at 5 (late, no gap), then skips 7 and 8; MSFT has no gap.
    for (const [symbol, seq] of [['AAPL', 5], ['AAPL', 6], ['MSFT', 1], ['AAPL', 9], ['MSFT', 2], ['AAPL', 10]] as const) {
      await send(`quote.${symbol}`, quote(symbol, seq));
    }
    await waitUntil(() => real(run).length === 6, 5_000, '6 quotes');
    run.controller.abort();
    expect(await run.done).toEqual({ received: run.got.length, gaps: 2, invalid: 0 });
    expect(real(run).map((m) => `${m.topic}#${m.body.seq}`)).toEqual([
      'quote.AAPL#5', 'quote.AAPL#6', 'quote.MSFT#1', 'quote.AAPL#9', 'quote.MSFT#2', 'quote.AAPL#10',
    ]);
  });

  it('takes a seq that goes back as a publisher restart, not a gap', async () => {
    const { endpoint, send } = await rawPublisher();
    const run = start(endpoint);
    await handshake(send, run);
    for (const seq of [3, 4, 1, 2]) await send('quote.AAPL', quote('AAPL', seq));
    await waitUntil(() => real(run).length === 4, 5_000, '4 quotes');
    run.controller.abort();
    expect(await run.done).toMatchObject({ gaps: 0 });
  });

  it('skips and counts a message that fails to decode', async () => {
    const { endpoint, send } = await rawPublisher();
    const run = start(endpoint);
    await handshake(send, run);
    await send('quote.AAPL', 'not json');
    await send('quote.AAPL', { ...quote('AAPL', 1), v: 9 });
    await send('quote.AAPL', quote('AAPL', 2));
    await waitUntil(() => real(run).length === 1, 5_000, 'the valid quote');
    run.controller.abort();
    expect(await run.done).toMatchObject({ invalid: 2, gaps: 0 });
    expect(run.invalid.map((e) => e.message)).toEqual([
      'bus message on "quote.AAPL": body is not JSON',
      'bus message on "quote.AAPL" is invalid: v: Invalid input: expected 1',
    ]);
  });

  it('stops by itself after count messages', async () => {
    const { endpoint, send } = await rawPublisher();
    const got: DecodedMessage[] = [];
    const done = subscribe({ endpoint, topics: [], count: 3, onMessage: (m) => got.push(m) });
    for (let seq = 1; got.length === 0; seq += 1) {
      await send('quote.PROBE', quote('PROBE', seq));
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    for (let seq = 1; seq <= 5; seq += 1) await send('quote.AAPL', quote('AAPL', seq));
    const result = await done;
    expect(result).toEqual({ received: 3, gaps: 0, invalid: 0 });
    expect(got).toHaveLength(3);
  });

  it('receives only the topic prefixes it asked for', async () => {
    const { endpoint, send } = await rawPublisher();
    const run = start(endpoint);
    await handshake(send, run);
    await send('portfolio', { ...quote('X', 1), type: 'portfolio' });
    await send('quote.AAPL', quote('AAPL', 1));
    await waitUntil(() => real(run).length === 1, 5_000, 'the quote');
    await new Promise((resolve) => setTimeout(resolve, 50));
    run.controller.abort();
    await run.done;
    expect(real(run).map((m) => m.topic)).toEqual(['quote.AAPL']);
  });

  it('calls onReady once subscribed and returns nothing received when aborted before any message', async () => {
    const controller = new AbortController();
    let ready = 0;
    const done = subscribe({
      endpoint: `inproc://nobody-${randomUUID()}`,
      topics: [],
      signal: controller.signal,
      onReady: () => (ready += 1),
      onMessage: () => undefined,
    });
    expect(ready).toBe(1);
    controller.abort();
    expect(await done).toEqual({ received: 0, gaps: 0, invalid: 0 });
  });
});
