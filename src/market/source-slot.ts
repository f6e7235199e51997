import Bottleneck from 'bottleneck';
import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  TaskCancelledError,
  TimeoutStrategy,
  circuitBreaker,
  handleWhen,
  retry,
  timeout,
  wrap,
  type CircuitBreakerPolicy,
  type IPolicy,
} from 'cockatiel';
import { ErrorCode, PermanentError, TransientError, type Quote } from '../domain/index.js';
import type { MarketDataSource } from './port.js';

/** A request budget: at most `requests` per `perMs`. */
export type RateBudget = { readonly requests: number; readonly perMs: number };

/** How a source is protected; defaults in DEFAULT_RESILIENCE. */
export type Resilience = {
  /** Consecutive failed calls that open the breaker. */
  readonly breakerThreshold: number;
  /** How long an open breaker waits before letting one trial call through, ms. */
  readonly halfOpenAfterMs: number;
  /** Per-request timeout, ms. */
  readonly timeoutMs: number;
  /** Retries after the first attempt, on transient HTTP errors and timeouts only. */
  readonly retries: number;
  readonly retryInitialDelayMs: number;
  readonly retryMaxDelayMs: number;
};

export const DEFAULT_RESILIENCE: Resilience = {
  breakerThreshold: 5,
  halfOpenAfterMs: 60_000,
  timeoutMs: 3_000,
  retries: 1,
  retryInitialDelayMs: 100,
  retryMaxDelayMs: 1_000,
};

/** Breaker states as the observability issue numbers them: 0 closed, 1 half-open, 2 open. */
export const BreakerState = { closed: 'closed', halfOpen: 'half_open', open: 'open' } as const;
export type BreakerState = (typeof BreakerState)[keyof typeof BreakerState];

/** Why a call to a source produced no quotes; a stable label for logs and metrics. */
export const CallFailure = {
  breakerOpen: 'breaker_open',
  rateLimited: 'rate_limited',
  timeout: 'timeout',
  http: 'http_error',
  badData: 'bad_data',
  permanent: 'permanent_error',
  disabled: 'source_disabled',
} as const;
export type CallFailure = (typeof CallFailure)[keyof typeof CallFailure];

/** A call that failed, with the reason label and the error behind it. */
export class SourceCallError extends Error {
  constructor(
    readonly reason: CallFailure,
    options: { readonly cause?: unknown } = {},
  ) {
    super(`source call failed: ${reason}`, options);
  }
}

function isRetryable(err: Error): boolean {
  if (err instanceof TaskCancelledError) return true;
  return err instanceof TransientError && (err.code === ErrorCode.providerHttp || err.code === ErrorCode.providerTimeout);
}

function breakerState(state: CircuitState): BreakerState {
  if (state === CircuitState.Open || state === CircuitState.Isolated) return BreakerState.open;
  return state === CircuitState.HalfOpen ? BreakerState.halfOpen : BreakerState.closed;
}

function failureOf(err: unknown): CallFailure {
  if (err instanceof BrokenCircuitError) return CallFailure.breakerOpen;
  if (err instanceof TaskCancelledError) return CallFailure.timeout;
  if (err instanceof PermanentError) return CallFailure.permanent;
  if (err instanceof TransientError) {
    if (err.code === ErrorCode.providerTimeout) return CallFailure.timeout;
    return err.code === ErrorCode.providerData ? CallFailure.badData : CallFailure.http;
  }
  return CallFailure.badData;
}

/**
 * One provider behind its protections: a rate budget (bottleneck), retry
 * with jittered exponential backoff on transient errors, a circuit breaker
 * and a per-request timeout (cockatiel). A PermanentError disables the
 * source for the rest of the run.
 */
export class SourceSlot {
  readonly breaker: CircuitBreakerPolicy;
  private readonly policy: IPolicy;
  private readonly limiter: Bottleneck | undefined;
  private disabledBy: unknown;

  constructor(
    readonly source: MarketDataSource,
    resilience: Resilience,
    budget: RateBudget | undefined,
    onBreaker: (from: BreakerState, to: BreakerState) => void,
  ) {
    this.breaker = circuitBreaker(handleWhen((e) => e instanceof TransientError || e instanceof TaskCancelledError), {
      halfOpenAfter: resilience.halfOpenAfterMs,
      breaker: new ConsecutiveBreaker(resilience.breakerThreshold),
    });
    let last: BreakerState = BreakerState.closed;
    this.breaker.onStateChange((state) => {
      const next = breakerState(state);
      if (next !== last) onBreaker(last, next);
      last = next;
    });
    const backoff = new ExponentialBackoff({ initialDelay: resilience.retryInitialDelayMs, maxDelay: resilience.retryMaxDelayMs });
    const retries = retry(handleWhen(isRetryable), { maxAttempts: resilience.retries, backoff });
    this.policy = wrap(retries, this.breaker, timeout(resilience.timeoutMs, TimeoutStrategy.Aggressive));
    this.limiter = budget
      ? new Bottleneck({ reservoir: budget.requests, reservoirRefreshAmount: budget.requests, reservoirRefreshInterval: budget.perMs })
      : undefined;
  }

  /** The breaker's state now. */
  get state(): BreakerState {
    return breakerState(this.breaker.state);
  }

  /** Why this source was disabled, if it was (a PermanentError). */
  get disabledReason(): unknown {
    return this.disabledBy;
  }

  /** Asks the source for `symbols`; throws SourceCallError with the reason on failure. */
  async call(symbols: readonly string[], signal?: AbortSignal): Promise<readonly Quote[]> {
    if (this.disabledBy !== undefined) throw new SourceCallError(CallFailure.disabled, { cause: this.disabledBy });
    if (this.limiter && !(await this.limiter.check())) throw new SourceCallError(CallFailure.rateLimited);
    const run = (): Promise<readonly Quote[]> =>
      this.policy.execute(({ signal: attempt }) => this.source.fetchQuotes(symbols, attempt), signal);
    try {
      return await (this.limiter ? this.limiter.schedule(run) : run());
    } catch (err) {
      if (err instanceof PermanentError) this.disabledBy = err;
      throw new SourceCallError(failureOf(err), { cause: err });
    }
  }

  async close(): Promise<void> {
    await this.limiter?.stop({ dropWaitingJobs: true });
    await this.source.close();
  }
}
