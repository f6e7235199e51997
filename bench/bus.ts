/**
 * Bus benchmark: messages per second through ZmqPublisher.publish() to a
 * subscriber, for quote messages whose JSON body is about 200 bytes
 * (193-201, mean 199.8 over 1e6), all on one topic.
 *
 *   node --import tsx bench/bus.ts [messages]     (default 1000000; or BENCH_BUS_N)
 *
 * Figures, one JSON line each:
 * - bus.publish: the publisher alone, bound on tcp with no subscriber
 *   (libzmq discards at once): publish(), envelope, encode and send.
 * - bus.tcp: the subscriber is another Node process using subscribe()
 *   (decoding and validating every message) over tcp://127.0.0.1.
 *   msgPerSec = received / (first publish → the subscriber has them all).
 *   sendMsgPerSec = publish() until all are handed to the socket, while the
 *   subscriber runs. The high-water marks hold every message, so nothing is lost
 *   to a slow subscriber; `received`, `gaps` (seq gaps the subscriber saw)
 *   and `dropped` (by the publisher) say so.
 * - bus.inproc: the same with the subscriber in this process on the same
 *   ZeroMQ context (one thread does both sides).
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Context } from 'zeromq';
import { z } from 'zod';
import { freePort } from '../tests/helpers/net.js';
import { subscribe, topics, ZmqPublisher, type QuotePayload } from '../src/bus/index.js';

const BODY_BYTES = 200;
const BATCH = 1_000;
const TS_MS = Date.parse('2026-11-23T10:00:00.000Z');
const TOPIC = topics.quote('AAPL');

/**
 * The payload of message i. `source` pads the body to BODY_BYTES at seq
 * 100000; with the digits of seq and price, 1e6 bodies run 193-201 bytes, mean 199.8.
 */
function payload(i: number, pad: string): QuotePayload {
  return { symbol: 'AAPL', price: (18_925 + (i % 100)) / 100, bid: 189.24, ask: 189.26, volume: 1_000_000 + i, source: pad };
}

function padding(): string {
  const body = JSON.stringify({ ...payload(100_000, ''), v: 1, type: 'quote', ts: new Date(TS_MS).toISOString(), seq: 100_000 });
  return 'x'.repeat(BODY_BYTES - body.length);
}

/** Publishes n messages in batches, letting the drain and I/O run between them. */
async function publishAll(bus: ZmqPublisher, n: number): Promise<void> {
  const pad = padding();
  for (let i = 0; i < n; i += BATCH) {
    const end = Math.min(n, i + BATCH);
    for (let j = i; j < end; j += 1) bus.publish(TOPIC, 'quote', payload(j, pad), TS_MS + j);
    await yieldToLoop();
  }
}

/** Child mode: subscribe, say when ready and when a probe arrives, count n quotes, report. */
async function receiver(endpoint: string, n: number): Promise<void> {
  const controller = new AbortController();
  let quotes = 0;
  let probed = false;
  let idle = setTimeout(() => controller.abort(), 60_000);
  const result = await subscribe({
    endpoint,
    topics: ['health', 'quote.'],
    signal: controller.signal,
    onReady: () => process.stdout.write('{"ready":true}\n'),
    onMessage: ({ topic }) => {
      if (topic === 'health') {
        if (!probed) process.stdout.write('{"probe":true}\n');
        probed = true;
        return;
      }
      quotes += 1;
      if (quotes === n) controller.abort();
      else if (quotes % 65_536 === 0) idle = (clearTimeout(idle), setTimeout(() => controller.abort(), 10_000));
    },
  });
  clearTimeout(idle);
  process.stdout.write(`${JSON.stringify({ done: true, received: quotes, gaps: result.gaps })}\n`);
}

const childLine = z.object({ ready: z.literal(true), probe: z.literal(true), done: z.literal(true), received: z.number(), gaps: z.number() }).partial();
type ChildLine = z.infer<typeof childLine>;

/** Spawns this script in receiver mode; `line(pred)` resolves with the first line matching it. */
function spawnReceiver(endpoint: string, n: number): (pred: (l: ChildLine) => boolean) => Promise<ChildLine> {
  const script = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, ['--import', 'tsx', script, '--receiver', endpoint, String(n)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: ChildLine[] = [];
  const waiters = new Set<() => void>();
  let partial = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    parts.forEach((p) => lines.push(childLine.parse(JSON.parse(p))));
    waiters.forEach((w) => w());
  });
  return (pred) =>
    new Promise((resolve) => {
      const check = (): void => {
        const hit = lines.find(pred);
        if (hit === undefined) return;
        waiters.delete(check);
        resolve(hit);
      };
      waiters.add(check);
      check();
    });
}


/** Publishes health probes until `seen` resolves: the subscription has reached the publisher. */
async function handshake(bus: ZmqPublisher, seen: Promise<unknown>): Promise<void> {
  let done = false;
  void seen.then(() => (done = true));
  while (!done) {
    bus.publish(topics.health(), 'health', { service: 'bench', up: true }, TS_MS);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function benchPublishOnly(n: number): Promise<void> {
  const bus = new ZmqPublisher({ endpoints: [`tcp://127.0.0.1:${await freePort()}`], queueLimit: BATCH * 4 });
  await bus.start();
  const t0 = performance.now();
  await publishAll(bus, n);
  await bus.flush(60_000);
  const ms = performance.now() - t0;
  const { sent, dropped } = bus.stats();
  await bus.close();
  report('bus.publish', n, sent, ms, ms, dropped, 0);
}

async function benchTcp(n: number): Promise<void> {
  const endpoint = `tcp://127.0.0.1:${await freePort()}`;
  const bus = new ZmqPublisher({ endpoints: [endpoint], sendHighWaterMark: n + BATCH, queueLimit: BATCH * 4 });
  await bus.start();
  const line = spawnReceiver(endpoint, n);
  await line((l) => l.ready === true);
  await handshake(bus, line((l) => l.probe === true));
  const before = bus.stats();
  const t0 = performance.now();
  await publishAll(bus, n);
  await bus.flush(60_000);
  const sentMs = performance.now() - t0;
  const done = await line((l) => l.done === true);
  const ms = performance.now() - t0;
  const received = done.received ?? 0;
  const dropped = bus.stats().dropped - before.dropped;
  await bus.close();
  report('bus.tcp', n, received, ms, sentMs, dropped, done.gaps ?? 0);
}

async function benchInproc(n: number): Promise<void> {
  const context = new Context();
  const endpoint = 'inproc://bench-bus';
  const bus = new ZmqPublisher({ endpoints: [endpoint], context, sendHighWaterMark: n + BATCH, queueLimit: BATCH * 4 });
  await bus.start();
  const controller = new AbortController();
  let received = 0;
  let probed = (): void => undefined;
  const probe = new Promise<void>((resolve) => (probed = resolve));
  let finished = (): void => undefined;
  const all = new Promise<void>((resolve) => (finished = resolve));
  const sub = subscribe({
    endpoint, topics: ['health', 'quote.'], context, signal: controller.signal, receiveHighWaterMark: n + BATCH,
    onMessage: ({ topic }) => (topic === 'health' ? probed() : ++received === n && finished()),
  });
  await handshake(bus, probe);
  const t0 = performance.now();
  await publishAll(bus, n);
  await bus.flush(60_000);
  const sentMs = performance.now() - t0;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([all, new Promise((resolve) => (timer = setTimeout(resolve, 30_000)))]);
  clearTimeout(timer);
  const ms = performance.now() - t0;
  controller.abort();
  const { gaps } = await sub;
  await bus.close();
  report('bus.inproc', n, received, ms, sentMs, bus.stats().dropped, gaps);
}

function report(bench: string, messages: number, received: number, ms: number, sentMs: number, dropped: number, gaps: number): void {
  const msgPerSec = Math.round((received / ms) * 1000);
  const sendMsgPerSec = Math.round((messages / sentMs) * 1000);
  console.log(JSON.stringify({ bench, messages, bodyBytes: BODY_BYTES, received, msgPerSec, sendMsgPerSec, dropped, gaps, ms: Math.round(ms) }));
}

const args = process.argv.slice(2);
if (args[0] === '--receiver') {
  await receiver(args[1] ?? '', Number(args[2]));
} else {
  const n = Number(args[0] ?? process.env['BENCH_BUS_N'] ?? 1_000_000);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`messages "${args[0]}": expected an integer >= 1`);
  await benchPublishOnly(n);
  await benchTcp(n);
  await benchInproc(n);
}
