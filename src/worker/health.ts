import type { Config } from '../config/index.js';
import { redactConfig } from '../config/index.js';
import type { ComponentHealth, ComponentState, HealthProbe } from '../http/index.js';

/** Live figures the status page shows, read when asked. */
export type StatusSources = {
  readonly version: string;
  readonly breakers: () => Readonly<Record<string, string>>;
  readonly dataAgeS: () => Readonly<Record<string, number>>;
  readonly bus: () => Readonly<Record<string, unknown>>;
  readonly counts: () => Readonly<Record<string, unknown>>;
  /** The paper portfolio's summary; undefined with --no-portfolio. */
  readonly portfolio: () => unknown;
  /** Each store's writer: backlog, spooled, written, breaker. */
  readonly stores: () => unknown;
};

/**
 * What the worker tells /health, /ready and /status: each component's
 * state, when the last tick completed (wall clock, also during replays), and
 * the status page. Secrets never reach it: the config is redacted here, and
 * the HTTP server masks configured secrets again on the way out.
 */
export class WorkerHealth implements HealthProbe {
  private readonly states = new Map<string, ComponentHealth>();
  private lastTick: number | undefined;
  private readonly startedAtMs = Date.now();

  constructor(
    private readonly config: Config,
    private readonly sources: StatusSources,
  ) {}

  set(name: string, state: ComponentState, detail?: string): void {
    this.states.set(name, detail === undefined ? { name, state } : { name, state, detail });
  }

  /** A tick completed now. */
  ticked(): void {
    this.lastTick = Date.now();
  }

  components(): readonly ComponentHealth[] {
    return [...this.states.values()];
  }

  lastTickMs(): number | undefined {
    return this.lastTick;
  }

  expectedTickMs(): number {
    return this.config.intervalS * 1000;
  }

  status(): Record<string, unknown> {
    return {
      version: this.sources.version,
      uptimeS: Math.round((Date.now() - this.startedAtMs) / 1000),
      config: redactConfig(this.config),
      breakers: this.sources.breakers(),
      dataAgeS: this.sources.dataAgeS(),
      bus: this.sources.bus(),
      counts: this.sources.counts(),
      portfolio: this.sources.portfolio(),
      stores: this.sources.stores(),
    };
  }
}
