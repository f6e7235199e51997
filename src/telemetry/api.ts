/**
 * The seed's library entry point for metrics (issue 8): one call that builds
 * a registry and serves it over HTTP, for code that embeds market-intel's
 * metrics without running the worker.
 */
import { HttpServer, type ComponentHealth, type HealthProbe } from '../http/index.js';
import { Metrics, createMetricsApi, type MetricsApi } from './metrics.js';
import { packageVersion } from './version.js';

/** Options of {@link initializeMetrics}. */
export type InitializeMetricsOptions = {
  /** TCP port, 0-65535; 0 picks a free one (read it back from `port`). */
  readonly port: number;
  /** Interface to listen on; default `0.0.0.0` (all IPv4), as the worker's server. */
  readonly host?: string;
};

/** A running metrics endpoint: the seed API over its registry, plus the port it serves on. */
export type MetricsEndpoint = MetricsApi & {
  /** The bound port: the one picked by the system when 0 was asked for. */
  readonly port: number;
  /** Stops serving and stops the event loop monitor. Safe to call twice. */
  readonly close: () => Promise<void>;
};

/**
 * Answers `/health`, `/ready` and `/status` for an embedded metrics server.
 * There is no tick loop here, so each probe counts as a tick: the verdict
 * then rests on the services alone, and a service marked down fails it.
 */
class ServiceProbe implements HealthProbe {
  private readonly services = new Map<string, ComponentHealth>();
  private readonly startedAtMs = Date.now();
  private readonly version = packageVersion();

  set(service: string, up: boolean): void {
    this.services.set(service, { name: service, state: up ? 'ready' : 'failed' });
  }

  components(): readonly ComponentHealth[] {
    return [{ name: 'metrics', state: 'ready' }, ...this.services.values()];
  }

  lastTickMs(): number {
    return Date.now();
  }

  expectedTickMs(): number {
    return 0;
  }

  status(): Record<string, unknown> {
    return { version: this.version, uptimeS: Math.round((Date.now() - this.startedAtMs) / 1000) };
  }
}

/**
 * Creates a metrics registry (with the Node process metrics and the event
 * loop monitor) and serves it on `/metrics`, beside `/health`, `/ready`,
 * `/live` and `/status`. Rejects with the server's error when the port is
 * invalid (`ConfigError`) or taken (`PermanentError`, `MI_HTTP_LISTEN`).
 */
export async function initializeMetrics(options: InitializeMetricsOptions): Promise<MetricsEndpoint> {
  const metrics = new Metrics();
  const probe = new ServiceProbe();
  const server = new HttpServer({ port: options.port, host: options.host, probe, metrics });
  await server.start();
  metrics.startEventLoopMonitor();
  const api = createMetricsApi(metrics);
  return {
    ...api,
    setServiceHealth: (service, up) => {
      api.setServiceHealth(service, up);
      probe.set(service, up);
    },
    port: server.port,
    close: async () => {
      metrics.stop();
      await server.close();
    },
  };
}
