import { ConfigError, MarketIntelError } from '../domain/index.js';

/** Bad input on the command line or in the environment: one line on stderr, exit 2. */
export class UsageError extends MarketIntelError {
  constructor(message: string, options: { readonly cause?: unknown } = {}) {
    super(message, { code: 'MI_USAGE', cause: options.cause });
  }
}

/** Runs `work`; a ConfigError it throws becomes a UsageError (one line on stderr, exit 2). */
export function orUsage<T>(work: () => T): T {
  try {
    return work();
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message, { cause: err });
    throw err;
  }
}

/** `orUsage` for async work. */
export async function orUsageAsync<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message, { cause: err });
    throw err;
  }
}
