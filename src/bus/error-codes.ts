/**
 * Error codes of the bus, beside the shared ones in `domain/errors.ts`
 * (the bus also uses `ErrorCode.busClosed` from there).
 */
export const BusErrorCode = {
  /** An endpoint could not be bound (port in use, bad address). */
  bind: 'MI_BUS_BIND',
  /** A received message is not a valid bus message. */
  message: 'MI_BUS_MESSAGE',
} as const;
