/**
 * Every test runs offline: any TCP connection to a host other than this
 * machine fails the test that made it. Hooking the socket catches every
 * client (fetch/undici, axios, ccxt's own undici, ioredis, mysql2), whatever
 * its HTTP stack; the connection itself is refused at once.
 */
import net from 'node:net';
import { afterEach, expect } from 'vitest';

const LOCAL = /^(127\.\d+\.\d+\.\d+|::1|localhost|::ffff:127\.\d+\.\d+\.\d+)$/;
const escaped: string[] = [];
const connect = net.Socket.prototype.connect;

function hostOf(raw: unknown[]): string | undefined {
  // net.connect() hands the socket its normalized arguments as one array.
  const args: unknown[] = Array.isArray(raw[0]) ? raw[0] : raw;
  const [first, second] = args;
  if (typeof first === 'object' && first !== null && !Array.isArray(first)) {
    if ('path' in first && first.path !== undefined) return undefined; // unix socket
    return 'host' in first && typeof first.host === 'string' ? first.host : 'localhost';
  }
  if (typeof first === 'number' || typeof first === 'string') return typeof second === 'string' ? second : 'localhost';
  return undefined;
}

net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
  const host = hostOf(args);
  if (host !== undefined && !LOCAL.test(host)) {
    escaped.push(host);
    process.nextTick(() => this.destroy(new Error(`test tried to reach ${host}: tests run offline`)));
    return this;
  }
  return Reflect.apply(connect, this, args);
} as typeof net.Socket.prototype.connect;

/** Hands over (and forgets) the hosts tried so far: for the guard's own test. */
export function drainEscaped(): string[] {
  return escaped.splice(0);
}

afterEach(() => {
  const hosts = escaped.splice(0);
  expect(hosts, 'connections to hosts other than 127.0.0.1').toEqual([]);
});
