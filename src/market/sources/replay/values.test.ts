import { describe, expect, it } from 'vitest';
import { isoFromMs, parseDecimal, parseIsoTimestamp, parseTimestamp, showJsonValue } from './values.js';

describe('parseIsoTimestamp', () => {
  it('reads UTC date-times with Z or +00:00 as the same instant', () => {
    // 2020-08-31T13:30:00Z is the first bar of the recorded Yahoo AAPL chart (timestamp 1598880600 s).
    expect(parseIsoTimestamp('2020-08-31T13:30:00Z')).toBe(1_598_880_600_000);
    expect(parseIsoTimestamp('2020-08-31T13:30:00+00:00')).toBe(1_598_880_600_000);
  });

  it('applies a zone offset', () => {
    expect(parseIsoTimestamp('2020-08-31T09:30:00-04:00')).toBe(1_598_880_600_000);
    expect(parseIsoTimestamp('2020-08-31T15:00+01:30')).toBe(1_598_880_600_000);
  });

  it('reads a bare date as midnight UTC', () => {
    expect(parseIsoTimestamp('2020-08-31')).toBe(Date.UTC(2020, 7, 31));
  });

  it('keeps milliseconds and truncates finer fractions', () => {
    expect(parseIsoTimestamp('2021-02-22T19:15:00.123456789Z')).toBe(Date.UTC(2021, 1, 22, 19, 15, 0, 123));
    expect(parseIsoTimestamp('2021-02-22T19:15:00.5Z')).toBe(Date.UTC(2021, 1, 22, 19, 15, 0, 500));
  });

  it('rejects date-times without a zone, impossible dates and other text', () => {
    for (const raw of ['2020-08-31T13:30:00', '2020-02-30', '2021-02-29', '2020-13-01', '2020-08-31T24:00:00Z', '31/08/2020', '', '2020-08-31T13:30:00+25:00']) {
      expect(parseIsoTimestamp(raw), raw).toBeUndefined();
    }
    expect(parseIsoTimestamp('2020-02-29')).toBe(Date.UTC(2020, 1, 29));
  });
});

describe('parseTimestamp', () => {
  it('reads digits as epoch milliseconds', () => {
    // 1706630400000 is the open time of the first recorded Binance kline (2024-01-30T16:00Z).
    expect(parseTimestamp('1706630400000')).toBe(1_706_630_400_000);
  });

  it('rejects negative, fractional and oversized epochs', () => {
    expect(parseTimestamp('-1')).toBeUndefined();
    expect(parseTimestamp('1706630400000.5')).toBeUndefined();
    expect(parseTimestamp('99999999999999999')).toBeUndefined();
  });
});

describe('parseDecimal', () => {
  it('reads plain decimals and exponents', () => {
    expect(parseDecimal('43488.71000000')).toBe(43_488.71);
    expect(parseDecimal('1e3')).toBe(1000);
    expect(parseDecimal('-5')).toBe(-5);
  });

  it('rejects blanks, hex, NaN and infinities', () => {
    for (const raw of ['', ' ', '0x10', 'NaN', 'Infinity', '1e400', '1,5', 'abc']) {
      expect(parseDecimal(raw), raw).toBeUndefined();
    }
  });
});

describe('message helpers', () => {
  it('drops a zero millisecond part from ISO output', () => {
    expect(isoFromMs(1_598_880_600_000)).toBe('2020-08-31T13:30:00Z');
    expect(isoFromMs(1_598_880_600_001)).toBe('2020-08-31T13:30:00.001Z');
  });

  it('shows JSON values as they appear in the file', () => {
    expect(showJsonValue('abc')).toBe('"abc"');
    expect(showJsonValue(-5)).toBe('-5');
    expect(showJsonValue(null)).toBe('null');
    expect(showJsonValue(undefined)).toBe('missing');
  });
});
