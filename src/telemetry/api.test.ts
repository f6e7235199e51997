import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../domain/index.js';
import { initializeMetrics, type MetricsEndpoint } from './api.js';

// Expected lines follow the exposition of metrics.ts: one fetch counts once
// under its status and lands in every fetch bucket from its duration up; a
// trade recorded through the seed API carries reason "api".
const open: MetricsEndpoint[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((e) => e.close()));
});

async function start(): Promise<MetricsEndpoint> {
  const endpoint = await initializeMetrics({ port: 0, host: '127.0.0.1' });
  open.push(endpoint);
  return endpoint;
}

async function get(endpoint: MetricsEndpoint, path: string): Promise<{ status: number; type: string | null; body: string }> {
  const res = await fetch(`http://127.0.0.1:${endpoint.port}${path}`);
  return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
}

describe('initializeMetrics', () => {
  it('serves a recorded fetch and trade on /metrics of the port it bound', async () => {
    const endpoint = await start();
    expect(endpoint.port).toBeGreaterThan(0);
    endpoint.recordDataFetch('yahoo', 'AAPL', 0.12, true);
    endpoint.recordTrade('SELL', 'AAPL', 42);
    const res = await get(endpoint, '/metrics');
    expect(res.status).toBe(200);
    expect(res.type).toBe('text/plain; version=0.0.4; charset=utf-8');
    const lines = res.body.split('\n');
    expect(lines).toContain('market_system_data_fetch_total{source="yahoo",status="ok"} 1');
    expect(lines).toContain('market_system_data_fetch_duration_seconds_bucket{le="0.1",source="yahoo"} 0');
    expect(lines).toContain('market_system_data_fetch_duration_seconds_bucket{le="0.25",source="yahoo"} 1');
    expect(lines).toContain('market_system_data_age_seconds{symbol="AAPL"} 0');
    expect(lines).toContain('market_system_trades_total{side="SELL",reason="api"} 1');
    expect(lines).toContain('market_system_trade_pnl_dollars_sum 42');
    expect(lines).toContain('market_system_trade_pnl_dollars_count 1');
    // The Node process metrics come with it.
    expect(lines).toContain('# TYPE process_cpu_seconds_total counter');
  });

  it('returns the same text from getMetrics as from /metrics, with series only once recorded', async () => {
    const endpoint = await start();
    expect(await endpoint.getMetrics()).not.toContain('market_system_trades_total{');
    endpoint.recordTrade('BUY', 'MSFT', 0);
    const text = await endpoint.getMetrics();
    expect(text).toContain('market_system_trades_total{side="BUY",reason="api"} 1');
    expect((await get(endpoint, '/metrics')).body).toContain('market_system_trades_total{side="BUY",reason="api"} 1');
  });

  it('fails /health while a service is marked down and passes once it is back', async () => {
    const endpoint = await start();
    expect((await get(endpoint, '/health')).status).toBe(200);
    endpoint.setServiceHealth('feed', false);
    const down = await get(endpoint, '/health');
    expect(down.status).toBe(503);
    expect(JSON.parse(down.body)).toMatchObject({ status: 'unhealthy', reasons: ['component "feed" failed'] });
    expect((await get(endpoint, '/metrics')).body).toContain('market_system_service_up{service="feed"} 0');
    endpoint.setServiceHealth('feed', true);
    expect((await get(endpoint, '/health')).status).toBe(200);
    expect((await get(endpoint, '/metrics')).body).toContain('market_system_service_up{service="feed"} 1');
  });

  it('stops serving after close', async () => {
    const endpoint = await start();
    await endpoint.close();
    await expect(fetch(`http://127.0.0.1:${endpoint.port}/metrics`)).rejects.toThrow();
  });

  it('rejects a port outside 0-65535 with a ConfigError naming it', async () => {
    const failed = initializeMetrics({ port: 70000 });
    await expect(failed).rejects.toBeInstanceOf(ConfigError);
    await expect(failed).rejects.toThrow('http server port "70000": expected an integer 0-65535');
  });
});
