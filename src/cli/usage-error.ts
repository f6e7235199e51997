import { MarketIntelError } from '../domain/index.js';

/** Bad input on the command line or in the environment: one line on stderr, exit 2. */
export class UsageError extends MarketIntelError {
  constructor(message: string, options: { readonly cause?: unknown } = {}) {
    super(message, { code: 'MI_USAGE', cause: options.cause });
  }
}
