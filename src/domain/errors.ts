/**
 * The error types of market-intel, grouped by what the caller does with them.
 * Each has a stable `code` to branch on (never branch on message text) and
 * wraps the underlying error as `cause`. Messages name what failed, the
 * quoted value and what is allowed, and never contain a secret.
 */

/** Options shared by every market-intel error. */
export type MarketIntelErrorOptions = {
  readonly code: string;
  readonly cause?: unknown;
};

/** Base of every market-intel error: a stable `code` plus the message. */
export class MarketIntelError extends Error {
  readonly code: string;

  constructor(message: string, options: MarketIntelErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code;
    this.name = new.target.name;
  }
}

/** Bad configuration (flags, env, .env): print one line, exit 2 before anything starts. */
export class ConfigError extends MarketIntelError {}

/** Bad input data (a malformed replay row, a bad argument): one line, exit non-zero. */
export class InputError extends MarketIntelError {}

/** A failure that may pass: retry, or fall back to the next provider. */
export class TransientError extends MarketIntelError {}

/** A failure that will not pass by retrying: drop that source. */
export class PermanentError extends MarketIntelError {}

/** A broken internal invariant, i.e. a bug: log at fatal and crash. */
export class InvariantError extends MarketIntelError {}

/** Stable codes used across the code base. */
export const ErrorCode = {
  config: 'MI_CONFIG',
  replayFile: 'MI_REPLAY_FILE',
  replayRow: 'MI_REPLAY_ROW',
  replayFormat: 'MI_REPLAY_FORMAT',
  sourceUnavailable: 'MI_SOURCE_UNAVAILABLE',
  providerTimeout: 'MI_PROVIDER_TIMEOUT',
  providerHttp: 'MI_PROVIDER_HTTP',
  providerData: 'MI_PROVIDER_DATA',
  busClosed: 'MI_BUS_CLOSED',
  invariant: 'MI_INVARIANT',
} as const;
