/**
 * Value rules shared by every replay format: timestamps, prices, volumes, and
 * how a rejected value is shown in a one-line error message.
 */

/** What a replay timestamp may look like, for error messages. */
export const TIMESTAMP_RULE =
  'expected ISO-8601 with a zone (2020-08-31T13:30:00Z, 2020-08-31T09:30:00-04:00), ' +
  'a date (2020-08-31, midnight UTC) or epoch milliseconds';

/** What an ISO-8601 timestamp (no epoch form) may look like, for error messages. */
export const ISO_TIMESTAMP_RULE = 'expected ISO-8601 with a zone (2020-08-31T13:30:00Z) or a date (2020-08-31)';

/** Rule for open, high, low and close. */
export const PRICE_RULE = 'expected a number > 0';

/** Rule for traded volume. */
export const VOLUME_RULE = 'expected a number >= 0';

const EPOCH_MS = /^\d{1,16}$/;
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;
const MAX_SHOWN_CHARS = 60;
const [DASH, COLON, DOT, PLUS, T, Z] = ['-', ':', '.', '+', 'T', 'Z'].map((c) => c.charCodeAt(0));

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
}

/** The number written by `count` decimal digits at `at`, or -1 when one is not a digit. */
function digitsAt(text: string, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i += 1) {
    const digit = text.charCodeAt(i) - 48;
    if (!(digit >= 0 && digit <= 9)) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/** Minutes east of UTC of the zone suffix starting at `at` (`Z`, `+02:00`); undefined if malformed. */
function zoneOffsetAt(text: string, at: number): number | undefined {
  const sign = text.charCodeAt(at);
  if (sign === Z) return text.length === at + 1 ? 0 : undefined;
  if ((sign !== PLUS && sign !== DASH) || text.length !== at + 6 || text.charCodeAt(at + 3) !== COLON) return undefined;
  const hours = digitsAt(text, at + 1, 2);
  const minutes = digitsAt(text, at + 4, 2);
  if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59) return undefined;
  return (sign === DASH ? -1 : 1) * (hours * 60 + minutes);
}

/** Milliseconds into the day of `HH:MM[:SS[.fraction]]<zone>` starting at `at`, UTC. */
function timeOfDayMs(text: string, at: number): number | undefined {
  const hour = digitsAt(text, at, 2);
  const minute = digitsAt(text, at + 3, 2);
  if (text.charCodeAt(at + 2) !== COLON || hour < 0 || hour > 23 || minute < 0 || minute > 59) return undefined;
  let pos = at + 5;
  let second = 0;
  let ms = 0;
  if (text.charCodeAt(pos) === COLON) {
    second = digitsAt(text, pos + 1, 2);
    if (second < 0 || second > 59) return undefined;
    pos += 3;
    if (text.charCodeAt(pos) === DOT) {
      let end = pos + 1;
      while (digitsAt(text, end, 1) >= 0) end += 1;
      const digits = end - pos - 1;
      if (digits < 1 || digits > 9) return undefined;
      ms = digitsAt(text, pos + 1, Math.min(3, digits)) * 10 ** Math.max(0, 3 - digits);
      pos = end;
    }
  }
  const offset = zoneOffsetAt(text, pos);
  if (offset === undefined) return undefined;
  return ((hour * 60 + minute - offset) * 60 + second) * 1000 + ms;
}

/**
 * Parses an ISO-8601 date-time with an explicit zone, or a bare date (midnight
 * UTC), to epoch ms. A date-time without a zone is rejected: its instant would
 * depend on the machine's time zone. Calendar-impossible dates are rejected.
 * Hand-written: it runs once per replay row.
 */
export function parseIsoTimestamp(raw: string): number | undefined {
  const year = digitsAt(raw, 0, 4);
  const month = digitsAt(raw, 5, 2);
  const day = digitsAt(raw, 8, 2);
  if (raw.charCodeAt(4) !== DASH || raw.charCodeAt(7) !== DASH || year < 1000) return undefined;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  const dayMs = Date.UTC(year, month - 1, day);
  if (raw.length === 10) return dayMs;
  if (raw.charCodeAt(10) !== T) return undefined;
  const timeMs = timeOfDayMs(raw, 11);
  return timeMs === undefined ? undefined : dayMs + timeMs;
}

/** Parses a replay timestamp: epoch milliseconds (digits only) or ISO-8601 per parseIsoTimestamp. */
export function parseTimestamp(raw: string): number | undefined {
  if (EPOCH_MS.test(raw)) {
    const tsMs = Number(raw);
    return Number.isSafeInteger(tsMs) ? tsMs : undefined;
  }
  return parseIsoTimestamp(raw);
}

/** Parses a plain decimal number (`43488.71`, `1e3`); rejects blanks, hex, NaN and ±Infinity. */
export function parseDecimal(raw: string): number | undefined {
  if (!DECIMAL.test(raw)) return undefined;
  const value = Number(raw);
  return Number.isFinite(value) ? value : undefined;
}

/** Epoch ms as ISO-8601 UTC, without a zero millisecond part (`2020-08-31T13:30:00Z`). */
export function isoFromMs(tsMs: number): string {
  const iso = new Date(tsMs).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}

function shorten(text: string): string {
  return text.length > MAX_SHOWN_CHARS ? `${text.slice(0, MAX_SHOWN_CHARS)}…` : text;
}

/** A raw text value, quoted and escaped so the message stays on one line. */
export function quoteText(raw: string): string {
  return JSON.stringify(shorten(raw));
}

/** A JSON value as it appears in the file (`"abc"`, `-5`, `null`), or `missing`. */
export function showJsonValue(value: unknown): string {
  if (value === undefined) return 'missing';
  if (typeof value === 'string') return quoteText(value);
  return shorten(JSON.stringify(value) ?? String(value));
}
