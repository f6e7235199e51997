/**
 * The trading day of an instant: its calendar date in the portfolio's time
 * zone, e.g. 2026-01-15T04:59:59Z is 2026-01-14 in New York (EST, UTC−5)
 * and 05:00:00Z is 2026-01-15.
 */
import { ErrorCode, InvariantError } from '../domain/index.js';

/**
 * Every UTC offset in use is a multiple of 15 minutes, so a local date
 * cannot change inside a 15-minute block aligned on UTC: one formatting per
 * block is enough.
 */
const BLOCK_MS = 15 * 60 * 1000;

/** Largest |epoch ms| a Date can hold. */
const MAX_DATE_MS = 8_640_000_000_000_000;

/** Trading days (YYYY-MM-DD) in one time zone, with the last block cached. */
export class TradingCalendar {
  private readonly format: Intl.DateTimeFormat;
  private block = Number.NaN;
  private day = '';

  /** Throws RangeError when `timeZone` is not an IANA zone. */
  constructor(timeZone: string) {
    this.format = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  }

  /** The trading day of `tsMs` (epoch ms) as YYYY-MM-DD, which sorts by date. */
  dayOf(tsMs: number): string {
    const block = Math.floor(tsMs / BLOCK_MS);
    if (block === this.block) return this.day;
    if (!Number.isFinite(tsMs) || Math.abs(tsMs) > MAX_DATE_MS) {
      throw new InvariantError(`ts "${tsMs}": expected epoch milliseconds within the Date range`, {
        code: ErrorCode.invariant,
      });
    }
    let year = '';
    let month = '';
    let day = '';
    for (const part of this.format.formatToParts(tsMs)) {
      if (part.type === 'year') year = part.value.padStart(4, '0');
      else if (part.type === 'month') month = part.value;
      else if (part.type === 'day') day = part.value;
    }
    this.block = block;
    this.day = `${year}-${month}-${day}`;
    return this.day;
  }
}
