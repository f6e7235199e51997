/** The states a component reports on `/health`, `/ready` and `/status`. */
export const componentStates = ['starting', 'ready', 'degraded', 'failed'] as const;

/**
 * Where a component is in its life: `starting` until its start() resolves,
 * `ready` when serving normally, `degraded` when it serves through a fallback
 * or an open breaker, `failed` when it no longer serves at all.
 */
export type ComponentState = (typeof componentStates)[number];

/** One component's state, as the worker reports it. */
export type ComponentHealth = {
  /** Stable component name, e.g. `bus` or `market`. */
  readonly name: string;
  readonly state: ComponentState;
  /** A short human reason, e.g. the failing source; never a secret. */
  readonly detail?: string;
};

/**
 * What the HTTP server asks the worker when a probe endpoint is hit. Every
 * call is synchronous and cheap: it reads state the worker already keeps.
 */
export interface HealthProbe {
  /** Every enabled component with its current state. */
  components(): readonly ComponentHealth[];
  /** Wall-clock epoch ms (UTC) at which the last tick completed; undefined before the first. */
  lastTickMs(): number | undefined;
  /** The configured tick interval in ms; 0 means ticks run back to back. */
  expectedTickMs(): number;
  /**
   * The JSON body of `/status` (version, uptime, redacted config, breakers,
   * data ages, backlogs, portfolio). The worker redacts secrets before
   * returning it; the server scrubs configured secrets again.
   */
  status(): Record<string, unknown>;
}
