import { once } from 'node:events';
import { Agent, get } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, ErrorCode, PermanentError } from '../domain/index.js';
import type { HealthProbe } from './probe.js';
import { HttpErrorCode, HttpServer } from './server.js';

// Start, close and restart of the HTTP server (issue 8 item 3): the start-up
// line, a taken port, and keep-alive connections ended at close.

const probe: HealthProbe = {
  components: () => [{ name: 'bus', state: 'ready' }],
  lastTickMs: () => Date.now(),
  expectedTickMs: () => 1_000,
  status: () => ({ version: '0.1.0' }),
};

type Fixture = {
  server: HttpServer;
  metrics: { render(): Promise<string>; contentType: string };
  url(path: string): string;
};

const open: HttpServer[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function serve(): Promise<Fixture> {
  const metrics = { render: async () => 'up 1\n', contentType: 'text/plain; version=0.0.4; charset=utf-8' };
  const server = new HttpServer({ port: 0, host: '127.0.0.1', probe, metrics });
  open.push(server);
  await server.start();
  return { server, metrics, url: (path) => `http://127.0.0.1:${server.port}${path}` };
}

describe('HttpServer lifecycle', () => {
  it('describes where it listens', async () => {
    const f = await serve();
    expect(f.server.port).toBeGreaterThan(0);
    expect(await f.server.close()).toBeUndefined();
    const server = new HttpServer({ port: 0, probe, metrics: f.metrics });
    open.push(server);
    expect(await server.start()).toBe(`http://0.0.0.0:${server.port} (/metrics /health /ready /live /status)`);
    expect((await fetch(`http://127.0.0.1:${server.port}/live`)).status).toBe(200);
  });

  it('rejects a port already in use with an error naming it', async () => {
    const f = await serve();
    const port = f.server.port;
    const second = new HttpServer({ port, host: '127.0.0.1', probe, metrics: f.metrics });
    open.push(second);
    const err = await second.start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect(err).toMatchObject({
      code: HttpErrorCode.listen,
      message: `http server port ${port} on 127.0.0.1: already in use (EADDRINUSE); expected a free port`,
    });
    expect((await fetch(f.url('/live'))).status).toBe(200);
  });

  it('rejects a port outside 0-65535 at construction', async () => {
    const f = await serve();
    const build = () => new HttpServer({ port: 70_000, probe, metrics: f.metrics });
    expect(build).toThrow(ConfigError);
    expect(build).toThrow('http server port "70000": expected an integer 0-65535');
    expect(() => new HttpServer({ port: Number.NaN, probe, metrics: f.metrics })).toThrow(
      expect.objectContaining({ code: ErrorCode.config }),
    );
  });

  it('ends an idle keep-alive connection at close, and a request afterwards fails', async () => {
    const f = await serve();
    const agent = new Agent({ keepAlive: true });
    const socket = await new Promise<Socket>((resolve, reject) => {
      const req = get(f.url('/live'), { agent }, (res) => {
        res.resume();
        res.on('end', () => (req.socket ? resolve(req.socket) : reject(new Error('no socket'))));
      });
      req.on('error', reject);
    });
    expect(socket.destroyed).toBe(false);
    const socketClosed = once(socket, 'close');
    const startedMs = performance.now();
    await f.server.close();
    // Well under both Node's 5 s keep-alive timeout and the 1 s grace for in-flight responses.
    expect(performance.now() - startedMs).toBeLessThan(500);
    await socketClosed;
    await expect(fetch(f.url('/live'))).rejects.toThrow();
    agent.destroy();
  });

  it('lets an in-flight response finish at close and closes its connection', async () => {
    const f = await serve();
    let release: (text: string) => void = () => undefined;
    const rendering = new Promise<void>((started) => {
      f.metrics.render = () =>
        new Promise<string>((resolve) => {
          release = resolve;
          started();
        });
    });
    const pending = fetch(f.url('/metrics'));
    await rendering;
    const closed = f.server.close();
    release('late 1\n');
    const res = await pending;
    expect(res.status).toBe(200);
    expect(res.headers.get('connection')).toBe('close');
    expect(await res.text()).toBe('late 1\n');
    await closed;
  });

  it('closes idempotently, also before start, and can start again', async () => {
    const f = await serve();
    const idle = new HttpServer({ port: 0, probe, metrics: f.metrics });
    await expect(idle.close()).resolves.toBeUndefined();
    await Promise.all([f.server.close(), f.server.close()]);
    await f.server.close();
    await f.server.start();
    expect((await fetch(f.url('/live'))).status).toBe(200);
  });
});
