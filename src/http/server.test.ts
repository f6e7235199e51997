import { afterEach, describe, expect, it } from 'vitest';
import type { ComponentHealth, HealthProbe } from './probe.js';
import { HttpServer, type HttpServerOptions } from './server.js';

// Expected values below follow the brief of issue 8 item 3: the endpoints,
// their status codes and bodies, and the tick allowance max(3 × interval, 10 s).
const NOW_MS = Date.parse('2026-11-23T10:00:00.000Z');
const PROM_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
const METRICS_TEXT = '# TYPE market_system_service_up gauge\nmarket_system_service_up{service="bus"} 1\n';

/** A worker stand-in whose answers each test changes between requests. */
class TestProbe implements HealthProbe {
  list: ComponentHealth[] = [
    { name: 'bus', state: 'ready' },
    { name: 'market', state: 'ready' },
  ];
  lastTick: number | undefined = NOW_MS - 2_000;
  intervalMs = 1_000;
  body: Record<string, unknown> = { version: '0.1.0', uptimeS: 12 };
  failure: Error | undefined;

  components(): readonly ComponentHealth[] {
    if (this.failure) throw this.failure;
    return this.list;
  }
  lastTickMs(): number | undefined {
    return this.lastTick;
  }
  expectedTickMs(): number {
    return this.intervalMs;
  }
  status(): Record<string, unknown> {
    return this.body;
  }
}

type Fixture = {
  server: HttpServer;
  probe: TestProbe;
  metrics: { render(): Promise<string>; contentType: string };
  url(path: string): string;
};

const open: HttpServer[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function serve(options: Partial<HttpServerOptions> = {}): Promise<Fixture> {
  const probe = new TestProbe();
  const metrics = { render: async () => METRICS_TEXT, contentType: PROM_TYPE };
  const server = new HttpServer({ port: 0, host: '127.0.0.1', probe, metrics, clock: { nowMs: () => NOW_MS }, ...options });
  open.push(server);
  await server.start();
  return { server, probe, metrics, url: (path) => `http://127.0.0.1:${server.port}${path}` };
}

async function getJson(url: string, method = 'GET'): Promise<{ status: number; type: string | null; body: unknown }> {
  const res = await fetch(url, { method });
  return { status: res.status, type: res.headers.get('content-type'), body: JSON.parse(await res.text()) };
}

describe('HttpServer probes', () => {
  it('answers /live with 200 alive whatever the probe says', async () => {
    const f = await serve();
    f.probe.failure = new Error('worker wedged');
    expect(await getJson(f.url('/live'))).toEqual({ status: 200, type: 'application/json', body: { status: 'alive' } });
  });

  it('answers /ready 200 once every component is ready or degraded and a tick completed', async () => {
    const f = await serve();
    f.probe.list = [
      { name: 'bus', state: 'ready' },
      { name: 'sentiment', state: 'degraded', detail: 'cnn breaker open' },
    ];
    expect(await getJson(f.url('/ready'))).toEqual({
      status: 200,
      type: 'application/json',
      body: { status: 'ready', components: f.probe.list },
    });
  });

  it('answers /ready 503 naming a starting component, a failed one and the missing first tick', async () => {
    const f = await serve();
    f.probe.list = [
      { name: 'bus', state: 'starting' },
      { name: 'store', state: 'failed', detail: 'disk full' },
    ];
    f.probe.lastTick = undefined;
    expect(await getJson(f.url('/ready'))).toEqual({
      status: 503,
      type: 'application/json',
      body: {
        status: 'not_ready',
        reasons: ['component "bus" is starting', 'component "store" failed: disk full', 'no tick completed yet'],
        components: f.probe.list,
      },
    });
  });

  it('turns /ready from 503 to 200 when the last component finishes starting', async () => {
    const f = await serve();
    f.probe.list = [{ name: 'market', state: 'starting' }];
    expect((await fetch(f.url('/ready'))).status).toBe(503);
    f.probe.list = [{ name: 'market', state: 'ready' }];
    expect((await fetch(f.url('/ready'))).status).toBe(200);
  });

  it('answers /health 200 ok and lists a degraded component', async () => {
    const f = await serve();
    f.probe.list = [
      { name: 'bus', state: 'ready' },
      { name: 'market', state: 'degraded', detail: 'yahoo down, on polygon' },
    ];
    expect(await getJson(f.url('/health'))).toEqual({
      status: 200,
      type: 'application/json',
      body: { status: 'ok', components: f.probe.list },
    });
  });

  it('answers /health 503 naming a failed component, and 200 again once it recovers', async () => {
    const f = await serve();
    f.probe.list = [
      { name: 'bus', state: 'ready' },
      { name: 'market', state: 'failed', detail: 'every provider failed' },
    ];
    expect(await getJson(f.url('/health'))).toEqual({
      status: 503,
      type: 'application/json',
      body: { status: 'unhealthy', reasons: ['component "market" failed: every provider failed'], components: f.probe.list },
    });
    f.probe.list = [{ name: 'market', state: 'ready' }];
    expect((await fetch(f.url('/health'))).status).toBe(200);
  });

  it('answers /health 503 "no tick for 11 s" when a 1 s loop last ticked 11 s ago (floor is 10 s)', async () => {
    const f = await serve();
    f.probe.lastTick = NOW_MS - 10_000;
    expect((await fetch(f.url('/health'))).status).toBe(200);
    f.probe.lastTick = NOW_MS - 11_000;
    const res = await getJson(f.url('/health'));
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ status: 'unhealthy', reasons: ['no tick for 11 s'] });
  });

  it('allows three intervals when they exceed 10 s', async () => {
    const f = await serve();
    f.probe.intervalMs = 5_000;
    f.probe.lastTick = NOW_MS - 14_000;
    expect((await fetch(f.url('/health'))).status).toBe(200);
    f.probe.lastTick = NOW_MS - 16_000;
    expect((await getJson(f.url('/health'))).body).toMatchObject({ reasons: ['no tick for 16 s'] });
  });

  it('answers /health 503 before the first tick', async () => {
    const f = await serve();
    f.probe.lastTick = undefined;
    const res = await getJson(f.url('/health'));
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ status: 'unhealthy', reasons: ['no tick completed yet'] });
  });
});

describe('HttpServer /status and /metrics', () => {
  it('answers /status with the probe body plus components and the last tick as ISO', async () => {
    const f = await serve();
    expect(await getJson(f.url('/status'))).toEqual({
      status: 200,
      type: 'application/json',
      body: { version: '0.1.0', uptimeS: 12, components: f.probe.list, lastTick: '2026-11-23T09:59:58.000Z' },
    });
    f.probe.lastTick = undefined;
    expect((await getJson(f.url('/status'))).body).toMatchObject({ lastTick: null });
  });

  it('serves the rendered metrics with their content type', async () => {
    const f = await serve();
    const res = await fetch(f.url('/metrics'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(PROM_TYPE);
    expect(await res.text()).toBe(METRICS_TEXT);
  });

  it('answers 500 with a one-line JSON error and no stack when rendering fails', async () => {
    const f = await serve();
    f.metrics.render = () => Promise.reject(new Error('collector exploded at /srv/app/metrics.ts:12'));
    const res = await fetch(f.url('/metrics'));
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.text()).toBe('{"error":"metrics render failed"}');
  });

  it('answers 500 {"error":"internal error"} without the message or stack when the probe throws', async () => {
    const f = await serve();
    f.probe.failure = new Error('probe exploded');
    for (const path of ['/health', '/ready', '/status']) {
      const res = await fetch(f.url(path));
      expect(res.status).toBe(500);
      expect(res.headers.get('content-type')).toBe('application/json');
      expect(await res.text()).toBe('{"error":"internal error"}');
    }
  });
});

describe('HttpServer routing', () => {
  it('answers an unknown path 404 in JSON', async () => {
    const f = await serve();
    for (const path of ['/', '/nope', '/health/', '/metricsx']) {
      expect(await getJson(f.url(path))).toEqual({
        status: 404,
        type: 'application/json',
        body: { error: 'not found', endpoints: ['/metrics', '/health', '/ready', '/live', '/status'] },
      });
    }
  });

  it('answers another method on a known path 405 with Allow: GET, HEAD', async () => {
    const f = await serve();
    for (const [method, path] of [
      ['POST', '/health'],
      ['DELETE', '/metrics'],
      ['PUT', '/status'],
      ['OPTIONS', '/live'],
    ] as const) {
      const res = await fetch(f.url(path), { method });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('GET, HEAD');
      expect(res.headers.get('content-type')).toBe('application/json');
      expect(JSON.parse(await res.text())).toEqual({ error: 'method not allowed', allow: ['GET', 'HEAD'] });
    }
  });

  it('ignores the query string', async () => {
    const f = await serve();
    expect((await getJson(f.url('/live?verbose=1&x=%ZZ'))).body).toEqual({ status: 'alive' });
  });

  it('answers HEAD with the status and headers of GET and no body', async () => {
    const f = await serve();
    for (const path of ['/health', '/metrics', '/status', '/live']) {
      const got = await fetch(f.url(path));
      const gotBytes = Buffer.byteLength(await got.text());
      const head = await fetch(f.url(path), { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.headers.get('content-type')).toBe(got.headers.get('content-type'));
      expect(head.headers.get('content-length')).toBe(String(gotBytes));
      expect(await head.text()).toBe('');
    }
    f.probe.lastTick = undefined;
    const head = await fetch(f.url('/ready'), { method: 'HEAD' });
    expect(head.status).toBe(503);
    expect(await head.text()).toBe('');
  });
});

describe('HttpServer secrets', () => {
  it('masks a configured secret in every body, raw or JSON-escaped', async () => {
    const apiKey = 'pk_MARKER_polygon_7f3a';
    const password = 'pw"MARKER\\mysql';
    const f = await serve({ secrets: [apiKey, password] });
    f.probe.body = { config: { polygonApiKey: apiKey, mysql: { password } } };
    f.probe.list = [{ name: 'market', state: 'degraded', detail: `polygon rejected key ${apiKey}` }];
    f.metrics.render = async () => `x{key="${apiKey}",pw="pw\\"MARKER\\\\mysql"} 1\n`;
    const bodies: string[] = [];
    for (const path of ['/metrics', '/health', '/ready', '/live', '/status']) bodies.push(await (await fetch(f.url(path))).text());
    for (const body of bodies) {
      expect(body).not.toContain('MARKER');
    }
    expect(bodies[0]).toBe('x{key="[redacted]",pw="[redacted]"} 1\n');
    expect(JSON.parse(bodies[4] ?? '')).toEqual({
      config: { polygonApiKey: '[redacted]', mysql: { password: '[redacted]' } },
      components: [{ name: 'market', state: 'degraded', detail: 'polygon rejected key [redacted]' }],
      lastTick: '2026-11-23T09:59:58.000Z',
    });
  });
});
