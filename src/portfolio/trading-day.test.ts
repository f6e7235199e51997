import { describe, expect, it } from 'vitest';
import { InvariantError } from '../domain/index.js';
import { TradingCalendar } from './trading-day.js';

describe('TradingCalendar', () => {
  it('changes day at midnight New York: 05:00 UTC in winter (EST), 04:00 UTC in summer (EDT)', () => {
    const ny = new TradingCalendar('America/New_York');
    expect(ny.dayOf(Date.parse('2026-01-15T04:59:59.999Z'))).toBe('2026-01-14');
    expect(ny.dayOf(Date.parse('2026-01-15T05:00:00.000Z'))).toBe('2026-01-15');
    expect(ny.dayOf(Date.parse('2026-07-15T03:59:59.999Z'))).toBe('2026-07-14');
    expect(ny.dayOf(Date.parse('2026-07-15T04:00:00.000Z'))).toBe('2026-07-15');
    // Back to a cached block after another one.
    expect(ny.dayOf(Date.parse('2026-01-15T04:59:00.000Z'))).toBe('2026-01-14');
  });

  it('handles a quarter-hour offset: Kathmandu is UTC+5:45', () => {
    const ktm = new TradingCalendar('Asia/Kathmandu');
    expect(ktm.dayOf(Date.parse('2026-01-14T18:14:59.999Z'))).toBe('2026-01-14');
    expect(ktm.dayOf(Date.parse('2026-01-14T18:15:00.000Z'))).toBe('2026-01-15');
  });

  it('throws InvariantError for a time that is not epoch ms', () => {
    const utc = new TradingCalendar('UTC');
    expect(() => utc.dayOf(Number.NaN)).toThrow(InvariantError);
    expect(() => utc.dayOf(1e16)).toThrow(InvariantError);
  });
});
