/**
 * Store-level errors: typed, naming the store and the operation, never a
 * credential (adapters pass a reason they scrubbed, never a URL or a
 * password). `transient` tells the writer whether retrying can help.
 */
import { MarketIntelError } from '../domain/index.js';

export const StoreErrorCode = {
  unavailable: 'MI_STORE_UNAVAILABLE',
  rejected: 'MI_STORE_REJECTED',
} as const;

export class StoreError extends MarketIntelError {
  readonly store: string;
  readonly operation: string;
  readonly transient: boolean;

  constructor(store: string, operation: string, reason: string, options: { readonly transient: boolean; readonly cause?: unknown }) {
    super(`${store} ${operation} failed: ${reason}`, {
      code: options.transient ? StoreErrorCode.unavailable : StoreErrorCode.rejected,
      cause: options.cause,
    });
    this.store = store;
    this.operation = operation;
    this.transient = options.transient;
  }
}
