import { Context, Publisher } from 'zeromq';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, InvariantError, PermanentError } from '../domain/index.js';
import { freePort, handshake, spawnSubscriber, waitUntil } from '../../tests/helpers/zmq.js';
import type { DecodedMessage } from './codec.js';
import { ZmqPublisher, type ZmqPublisherOptions } from './publisher.js';
import { subscribe } from './subscriber.js';
import { topics, type QuotePayload } from './topics.js';

const TS_MS = Date.parse('2026-11-23T10:00:00.000Z');
const open: ZmqPublisher[] = [];

function publisher(options: ZmqPublisherOptions): ZmqPublisher {
  const p = new ZmqPublisher({ lingerMs: 0, ...options });
  open.push(p);
  return p;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((p) => p.close()));
});

function quote(i: number): QuotePayload {
  return { symbol: 'AAPL', price: 100 + i / 100, bid: 100, ask: 101, volume: i, source: 'test' };
}

describe('ZmqPublisher', () => {
  it('delivers every message in order with its exact body to a subscriber in another process over tcp', async () => {
    const port = await freePort();
    const bus = publisher({ endpoints: [`tcp://127.0.0.1:${port}`] });
    await bus.start();
    const sub = await spawnSubscriber(`tcp://127.0.0.1:${port}`, ['health', 'quote.']);
    await handshake(bus, () => sub.lines.some((l) => l.topic === 'health'));
    const n = 500;
    for (let i = 0; i < n; i += 1) expect(bus.publish(topics.quote('AAPL'), 'quote', quote(i), TS_MS + i)).toBe(true);
    await waitUntil(() => sub.lines.filter((l) => l.topic === 'quote.AAPL').length === n, 15_000, `${n} quotes`);
    expect(await sub.stop()).toBe(0);
    const quotes = sub.lines.filter((l) => l.topic === 'quote.AAPL').map((l) => l.body);
    expect(quotes).toEqual(
      Array.from({ length: n }, (_, i) => ({
        ...quote(i),
        v: 1,
        type: 'quote',
        ts: new Date(TS_MS + i).toISOString(),
        seq: i + 1,
      })),
    );
    expect(sub.lines.at(-1)).toMatchObject({ done: true, gaps: 0 });
    expect(bus.stats()).toMatchObject({ sent: bus.stats().published, dropped: 0 });
  });

  it('delivers to an in-process subscriber over inproc when both share a context', async () => {
    const context = new Context();
    const bus = publisher({ endpoints: ['inproc://publisher-test'], context });
    await bus.start();
    const got: DecodedMessage[] = [];
    const controller = new AbortController();
    const done = subscribe({ endpoint: 'inproc://publisher-test', topics: [], context, signal: controller.signal, onMessage: (m) => got.push(m) });
    await handshake(bus, () => got.length > 0);
    bus.publish(topics.quote('AAPL'), 'quote', quote(1), TS_MS);
    bus.publish(topics.quote('MSFT'), 'quote', { ...quote(2), symbol: 'MSFT' }, TS_MS);
    bus.publish(topics.quote('AAPL'), 'quote', quote(3), TS_MS + 1);
    bus.publish(topics.portfolio(), 'portfolio', { equity: 1, cash: 1, exposure: 0, realizedPnl: 0, unrealizedPnl: 0, totalPnl: 0, positions: [] }, TS_MS);
    await waitUntil(() => got.filter((m) => m.topic !== 'health').length === 4, 5_000, '4 messages');
    controller.abort();
    expect(await done).toMatchObject({ gaps: 0, invalid: 0 });
    // seq counts per topic: AAPL 1, 2; MSFT 1; portfolio 1.
    expect(got.filter((m) => m.topic !== 'health').map((m) => [m.topic, m.body.seq])).toEqual([
      ['quote.AAPL', 1],
      ['quote.MSFT', 1],
      ['quote.AAPL', 2],
      ['portfolio', 1],
    ]);
    expect(bus.stats().publishedByTopic).toMatchObject({ 'quote.AAPL': 2, 'quote.MSFT': 1, portfolio: 1 });
  });

  it('drops and counts exactly what overflows its queue before the drain runs', async () => {
    const bus = publisher({ endpoints: ['inproc://overflow-test'], queueLimit: 10 });
    await bus.start();
    const accepted = Array.from({ length: 25 }, (_, i) => bus.publish(topics.quote('AAPL'), 'quote', quote(i), TS_MS));
    expect(accepted).toEqual([...Array<boolean>(10).fill(true), ...Array<boolean>(15).fill(false)]);
    expect(await bus.flush(5_000)).toBe(true);
    expect(bus.stats()).toEqual({ published: 25, sent: 10, dropped: 15, publishedByTopic: { 'quote.AAPL': 25 } });
  });

  it('sends everything with no subscriber and keeps nothing queued', async () => {
    const bus = publisher({ endpoints: [`tcp://127.0.0.1:${await freePort()}`], queueLimit: 1_000 });
    await bus.start();
    for (let batch = 0; batch < 50; batch += 1) {
      for (let i = 0; i < 1_000; i += 1) expect(bus.publish(topics.quote('AAPL'), 'quote', quote(i), TS_MS)).toBe(true);
      expect(await bus.flush(5_000)).toBe(true);
    }
    expect(bus.stats()).toMatchObject({ published: 50_000, sent: 50_000, dropped: 0 });
  });

  it('names the port when it is already in use', async () => {
    const port = await freePort();
    const holder = new Publisher({ linger: 0 });
    await holder.bind(`tcp://*:${port}`);
    try {
      const bus = publisher({ endpoints: ['inproc://in-use-test', `tcp://*:${port}`] });
      const failure = await bus.start().then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(failure).toBeInstanceOf(PermanentError);
      expect(failure).toMatchObject({
        code: 'MI_BUS_BIND',
        message: `bus endpoint "tcp://*:${port}": port ${port} is already in use; expected a free port`,
      });
    } finally {
      holder.close();
    }
  });

  it('refuses messages after close, counting them, and cannot start again', async () => {
    const bus = publisher({ endpoints: ['inproc://closed-test'] });
    await bus.start();
    await bus.close();
    await bus.close();
    expect(bus.publish(topics.health(), 'health', { service: 'x', up: true }, TS_MS)).toBe(false);
    expect(bus.stats()).toMatchObject({ published: 1, sent: 0, dropped: 1 });
    await expect(bus.start()).rejects.toMatchObject({ code: ErrorCode.busClosed });
  });

  it('treats a non-finite timestamp as a bug', () => {
    const bus = publisher({ endpoints: ['inproc://ts-test'] });
    expect(() => bus.publish(topics.health(), 'health', { service: 'x', up: true }, Number.NaN)).toThrow(InvariantError);
    expect(bus.stats().published).toBe(0);
  });
});
