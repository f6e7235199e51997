import { ErrorCode, InvariantError } from '../domain/index.js';

/** Epoch ms of 10000-01-01, where ISO strings gain a sign and a sixth year digit. */
const YEAR_10000_MS = 253_402_300_800_000;
const MAX_DATE_MS = 8.64e15;

/**
 * Formats epoch ms as ISO-8601 UTC exactly like `Date#toISOString`, caching
 * the text up to the second: messages of one tick mostly share their second,
 * and toISOString would be a sixth of the publisher's cost per message.
 */
export class IsoTimeFormatter {
  private second = Number.NaN;
  private prefix = '';

  /** @throws InvariantError when `tsMs` is not a representable date. */
  format(tsMs: number): string {
    if (!Number.isInteger(tsMs) || tsMs < 0 || tsMs >= YEAR_10000_MS) return slowFormat(tsMs);
    const second = Math.floor(tsMs / 1000);
    if (second !== this.second) {
      // "2026-11-23T10:00:00." from "2026-11-23T10:00:00.000Z"
      this.prefix = new Date(second * 1000).toISOString().slice(0, 20);
      this.second = second;
    }
    const ms = tsMs - second * 1000;
    return `${this.prefix}${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z`;
  }
}

function slowFormat(tsMs: number): string {
  if (!Number.isFinite(tsMs) || Math.abs(tsMs) > MAX_DATE_MS) {
    throw new InvariantError(`bus message tsMs "${tsMs}": expected a finite epoch time in ms`, { code: ErrorCode.invariant });
  }
  return new Date(tsMs).toISOString();
}
