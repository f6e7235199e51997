/**
 * RedisEpisodicMemory against the real Redis on 127.0.0.1:6379. Each test
 * writes under its own key prefix and deletes its keys afterwards, so
 * shuffled and parallel runs share nothing.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { inspect } from 'node:util';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { episodicContract } from '../../tests/contracts/episodic-contract.js';
import { freePort } from '../../tests/helpers/net.js';
import { StoreError, StoreErrorCode } from './errors.js';
import type { StoredEvent } from './ports.js';
import { RedisEpisodicMemory, type RedisEpisodicOptions } from './redis-episodic.js';

const REDIS_URL = 'redis://127.0.0.1:6379';
const PASSWORD = 'pw-S3cr3t!#';
/** Port 1 (tcpmux) is closed here: connecting is refused at once. */
const CLOSED_URL = `redis://default:${encodeURIComponent(PASSWORD)}@127.0.0.1:1`;

/** A connection of the test's own, to look at and clean up the keys under one prefix. */
type Inspector = { readonly prefix: string; keys(): Promise<string[]>; cleanup(): Promise<void>; readonly admin: Redis };

async function inspector(): Promise<Inspector> {
  const prefix = `mi-test-${randomUUID()}:`;
  const admin = new Redis(REDIS_URL, { lazyConnect: true });
  await admin.connect();
  const keys = async (): Promise<string[]> => {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      found.push(...batch);
      cursor = next;
    } while (cursor !== '0');
    return [...new Set(found)].sort();
  };
  return {
    prefix,
    admin,
    keys,
    cleanup: async () => {
      const left = await keys();
      if (left.length > 0) await admin.del(...left);
      await admin.quit();
    },
  };
}

function quote(seq: number, symbol = 'AAPL'): StoredEvent {
  return { kind: 'quote', symbol, price: 180 + seq, source: 'yahoo', id: `run1:quote:${seq}`, runId: 'run1', tsMs: 1_767_364_200_000 + seq };
}

/** Resolves with what `promise` rejected with (fails the test if it resolved). */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.unreachable('expected a rejection'),
    (err: unknown) => err,
  );
}

/** The contract's fixture: a store on `url` under the inspector's prefix; `cleanup` runs after the keys are deleted. */
function redisFixture(keys: Inspector, memory: RedisEpisodicMemory, ttlS: number, cleanup: () => Promise<void> = async () => undefined) {
  return {
    memory,
    // Redis expires a key once its TTL has passed; EXISTS reads expire lazily, so poll it.
    expireAll: async () => {
      const written = await keys.keys();
      await expect.poll(() => (written.length === 0 ? 0 : keys.admin.exists(...written)), { timeout: ttlS * 1_000 + 2_000, interval: 50 }).toBe(0);
    },
    keyTtlsS: async () => {
      const written = await keys.keys();
      return new Map(await Promise.all(written.map(async (key) => [key, await keys.admin.ttl(key)] as const)));
    },
    cleanup: async () => {
      await memory.close();
      await cleanup();
      await keys.cleanup();
    },
  };
}

episodicContract('RedisEpisodicMemory (127.0.0.1:6379)', async ({ ttlS }) => {
  const keys = await inspector();
  return redisFixture(keys, await RedisEpisodicMemory.connect({ url: REDIS_URL, keyPrefix: keys.prefix, ttlS }), ttlS);
}, { serverKeys: true });

/**
 * The same contract as a user whose ACL refuses scripts (`-@scripting`): every
 * write must then go as a pipeline, the fallback of the one-script batch.
 */
episodicContract('RedisEpisodicMemory as a user without scripts (pipelined writes)', async ({ ttlS }) => {
  const keys = await inspector();
  const user = `mi-noscript-${randomUUID()}`;
  await keys.admin.call('ACL', 'SETUSER', user, 'on', `>${PASSWORD}`, '~*', '&*', '+@all', '-@scripting');
  const url = `redis://${user}:${encodeURIComponent(PASSWORD)}@127.0.0.1:6379`;
  const probe = new Redis(url, { lazyConnect: true });
  await probe.connect();
  await expect(probe.eval('return 1', 0)).rejects.toThrow(/NOPERM/);
  await probe.quit();
  const memory = await RedisEpisodicMemory.connect({ url, keyPrefix: keys.prefix, ttlS });
  return redisFixture(keys, memory, ttlS, async () => {
    await keys.admin.call('ACL', 'DELUSER', user);
  });
}, { serverKeys: true });

describe('RedisEpisodicMemory', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
  });
  async function open(options: Omit<RedisEpisodicOptions, 'keyPrefix'> = {}): Promise<{ memory: RedisEpisodicMemory; keys: Inspector }> {
    const keys = await inspector();
    const memory = await RedisEpisodicMemory.connect({ url: REDIS_URL, ...options, keyPrefix: keys.prefix });
    cleanups.push(async () => {
      await memory.close();
      await keys.cleanup();
    });
    return { memory, keys };
  }

  it.each([
    ['a URL with a password', { url: CLOSED_URL }],
    ['host, port and password', { host: '127.0.0.1', port: 1, password: PASSWORD }],
  ])('fails to connect to a closed port within 2 s, given %s, without leaking the password', async (_title, options) => {
    const startedMs = Date.now();
    const error = await rejection(RedisEpisodicMemory.connect(options));
    expect(Date.now() - startedMs).toBeLessThan(2_000);
    expect(error).toBeInstanceOf(StoreError);
    expect(error).toMatchObject({ code: StoreErrorCode.unavailable, store: 'redis', operation: 'connect', transient: true });
    const message = error instanceof Error ? error.message : '';
    // Node's refusal names the errno and the address, not the credentials.
    expect(message).toBe('redis connect failed: connect ECONNREFUSED 127.0.0.1:1');
    const cause = error instanceof Error ? error.cause : undefined;
    for (const text of [message, cause instanceof Error ? cause.message : String(cause), JSON.stringify(error)]) {
      for (const secret of [PASSWORD, encodeURIComponent(PASSWORD), CLOSED_URL]) expect(text).not.toContain(secret);
    }
  });

  it('rejects a write made before start() as transient, and works once start() resolves', async () => {
    const keys = await inspector();
    cleanups.push(keys.cleanup);
    const memory = new RedisEpisodicMemory({ url: REDIS_URL, keyPrefix: keys.prefix });
    cleanups.push(() => memory.close());
    // No offline queue: the command fails at once (and sets off the connection start() then awaits).
    await expect(memory.write([quote(1)])).rejects.toMatchObject({ code: StoreErrorCode.unavailable, operation: 'write', transient: true });
    await memory.start();
    await memory.start();
    await memory.write([quote(2)]);
    expect(await memory.recent(10)).toStrictEqual([quote(2)]);
  });

  it('fails to connect within the timeout when the server accepts but never answers', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanups.push(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    });
    const address = silent.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const startedMs = Date.now();
    const error = await rejection(RedisEpisodicMemory.connect({ host: '127.0.0.1', port, password: PASSWORD, connectTimeoutMs: 300 }));
    expect(Date.now() - startedMs).toBeLessThan(1_000);
    expect(error).toMatchObject({ code: StoreErrorCode.unavailable, operation: 'connect', message: 'redis connect failed: no reply within 300 ms' });
  });

  it('fails fast with a transient StoreError while Redis is away, and writes again once it is back', async () => {
    const proxy = await proxyToRedis();
    cleanups.push(proxy.cut);
    const keys = await inspector();
    cleanups.push(keys.cleanup);
    const memory = await RedisEpisodicMemory.connect({ host: '127.0.0.1', port: proxy.port, keyPrefix: keys.prefix });
    cleanups.push(() => memory.close());
    await memory.write([quote(1)]);
    expect(await memory.latest('quote', 'AAPL')).toStrictEqual(quote(1));
    await proxy.cut();
    const startedMs = Date.now();
    const error = await rejection(memory.write([quote(2)]));
    expect(Date.now() - startedMs).toBeLessThan(1_000);
    expect(error).toMatchObject({ code: StoreErrorCode.unavailable, store: 'redis', operation: 'write', transient: true });
    await expect(memory.latest('quote', 'AAPL')).rejects.toMatchObject({ code: StoreErrorCode.unavailable, operation: 'latest' });
    await proxy.restore();
    // ioredis reconnects on its own (backoff of 50 ms per attempt, at most 2 s).
    await expect.poll(() => memory.write([quote(3)]).then(() => 'written', () => 'failed'), { timeout: 10_000, interval: 100 }).toBe('written');
    expect(await memory.recent(10)).toStrictEqual([quote(1), quote(3)]);
  });

  it('fails to connect with a wrong password without the password in the error, its cause or its inspection', async () => {
    const server = await passwordRedis('the-right-one');
    cleanups.push(server.stop);
    const error = await rejection(RedisEpisodicMemory.connect({ url: `redis://:${encodeURIComponent(PASSWORD)}@127.0.0.1:${server.port}` }));
    expect(error).toMatchObject({ code: StoreErrorCode.unavailable, store: 'redis', operation: 'connect' });
    // Redis 7's reply to AUTH with a wrong password (ioredis keeps the AUTH arguments on the reply error).
    expect(error instanceof Error ? error.message : '').toBe('redis connect failed: WRONGPASS invalid username-password pair or user is disabled.');
    const inspected = inspect(error, { depth: 10, showHidden: true });
    expect(inspected).toContain('WRONGPASS');
    for (const secret of [PASSWORD, encodeURIComponent(PASSWORD)]) expect(inspected).not.toContain(secret);
  });

  it('writes one latest key per slot and one stream, named under the prefix, each with a TTL', async () => {
    const { memory, keys } = await open({ ttlS: 120 });
    const sentiment: StoredEvent = { kind: 'sentiment', market: 'crypto', value: 0.3, label: 'Fear', source: 'alternative.me', id: 'run1:sentiment:1', runId: 'run1', tsMs: 1 };
    const portfolio: StoredEvent = { kind: 'portfolio', equity: 1, cash: 1, exposure: 0, realizedPnl: 0, unrealizedPnl: 0, totalPnl: 0, positions: [], id: 'run1:portfolio:1', runId: 'run1', tsMs: 2 };
    const simState: StoredEvent = { kind: 'sim_state', step: 1, globalState: 0, z3: 0, backend: 'cpu', id: 'run1:sim_state:1', runId: 'run1', tsMs: 3 };
    const trade: StoredEvent = { kind: 'trade', tradeId: '1', symbol: 'AAPL', side: 'BUY', qty: 1, price: 181, fee: 0, reason: 'r', id: 'run1:trade:1', runId: 'run1', tsMs: 4 };
    const signal: StoredEvent = { kind: 'signal', symbol: 'BTC/USD', action: 'HOLD', confidence: 0.5, source: 'sim', id: 'run1:signal:1', runId: 'run1', tsMs: 5 };
    await memory.write([quote(1), quote(2, 'MSFT'), sentiment, portfolio, simState, trade, signal]);
    const p = keys.prefix;
    expect(await keys.keys()).toStrictEqual(
      [`${p}events`, `${p}latest:portfolio`, `${p}latest:quote:AAPL`, `${p}latest:quote:MSFT`, `${p}latest:sentiment:crypto`, `${p}latest:signal:BTC/USD`, `${p}latest:sim_state`].sort(),
    );
    for (const key of await keys.keys()) {
      const ttlS = await keys.admin.ttl(key);
      expect({ key, live: ttlS > 0 && ttlS <= 120 }).toStrictEqual({ key, live: true });
    }
    expect(JSON.parse((await keys.admin.get(`${p}latest:quote:AAPL`)) ?? 'null')).toStrictEqual(quote(1));
    const entries = await keys.admin.xrange(`${p}events`, '-', '+');
    expect(entries.map(([, fields]) => fields.slice(0, 3))).toStrictEqual(
      ['run1:quote:1', 'run1:quote:2', 'run1:sentiment:1', 'run1:portfolio:1', 'run1:sim_state:1', 'run1:trade:1', 'run1:signal:1'].map((id) => ['id', id, 'e']),
    );
  });

  it('trims the stream near maxStream (MAXLEN ~ drops whole 100-entry nodes) and still reads the newest', async () => {
    const { memory, keys } = await open({ maxStream: 10 });
    const events = Array.from({ length: 300 }, (_, i) => quote(i + 1));
    for (let i = 0; i < events.length; i += 50) await memory.write(events.slice(i, i + 50));
    // stream-node-max-entries defaults to 100: trimming keeps at least 10 and
    // less than a node beyond that (https://redis.io/docs/latest/commands/xadd/#capped-streams).
    const length = await keys.admin.xlen(`${keys.prefix}events`);
    expect(length).toBeGreaterThanOrEqual(10);
    expect(length).toBeLessThan(110);
    expect(await memory.recent(10)).toStrictEqual(events.slice(-10));
  });

  it('reports a write Redis rejects as a non-transient StoreError naming the reply', async () => {
    const { memory, keys } = await open();
    await keys.admin.set(`${keys.prefix}events`, 'not a stream');
    const error = await rejection(memory.write([quote(1)]));
    expect(error).toBeInstanceOf(StoreError);
    expect(error).toMatchObject({ code: StoreErrorCode.rejected, operation: 'write', transient: false });
    expect(error instanceof Error ? error.message : '').toBe(
      'redis write failed: WRONGTYPE Operation against a key holding the wrong kind of value',
    );
  });

  it.each([
    ['not JSON', '{"kind":"quote",', 'a stored value is not JSON'],
    ['JSON of no event', '{"kind":"quote","symbol":"AAPL"}', 'a stored value is not a valid event'],
  ])('rejects a latest value that is %s with a non-transient StoreError', async (_title, stored, reason) => {
    const { memory, keys } = await open();
    await keys.admin.set(`${keys.prefix}latest:quote:AAPL`, stored, 'EX', 60);
    const error = await rejection(memory.latest('quote', 'AAPL'));
    expect(error).toMatchObject({ code: StoreErrorCode.rejected, operation: 'latest', message: `redis latest failed: ${reason}` });
  });
});

/** A TCP proxy to the real Redis that the test can cut (Redis "goes away") and restore on the same port. */
async function proxyToRedis(): Promise<{ readonly port: number; cut(): Promise<void>; restore(): Promise<void> }> {
  const port = await freePort();
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  const restore = async (): Promise<void> => {
    const listening = net.createServer((client) => {
      const upstream = net.connect(6379, '127.0.0.1');
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on('error', () => undefined);
        socket.on('close', () => {
          sockets.delete(socket);
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => listening.listen(port, '127.0.0.1', resolve));
    server = listening;
  };
  const cut = async (): Promise<void> => {
    const listening = server;
    server = undefined;
    for (const socket of sockets) socket.destroy();
    if (listening !== undefined) await new Promise((resolve) => listening.close(resolve));
  };
  await restore();
  return { port, cut, restore };
}

/** A redis-server of the test's own that requires a password, on a free port; `stop` kills it. */
async function passwordRedis(password: string): Promise<{ readonly port: number; stop(): Promise<void> }> {
  const port = await freePort();
  const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--requirepass', password, '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const stop = async (): Promise<void> => {
    if (server.exitCode !== null || server.signalCode !== null) return;
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
  };
  const probe = new Redis({ host: '127.0.0.1', port, password, lazyConnect: true, retryStrategy: () => null });
  probe.on('error', () => undefined);
  try {
    await expect.poll(() => probe.connect().then(() => true, () => false), { timeout: 5_000, interval: 50 }).toBe(true);
  } catch (err) {
    await stop();
    throw err;
  } finally {
    probe.disconnect();
  }
  return { port, stop };
}
