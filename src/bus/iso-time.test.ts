import { describe, expect, it } from 'vitest';
import { InvariantError } from '../domain/index.js';
import { IsoTimeFormatter } from './iso-time.js';

describe('IsoTimeFormatter', () => {
  it('formats exactly as Date#toISOString across seconds, fractions and odd years', () => {
    const iso = new IsoTimeFormatter();
    const samples = [0, 1, 9, 10, 99, 100, 999, 1000, 1_795_428_000_000, 1_795_428_000_007, 1_795_428_059_999, 1_795_428_060_000];
    samples.push(-1, -1000, 1.5, 253_402_300_799_999, 253_402_300_800_000, 8.64e15, -8.64e15);
    for (let ms = 1_795_428_000_000; ms < 1_795_428_005_000; ms += 37) samples.push(ms);
    for (const ms of samples) expect(iso.format(ms)).toBe(new Date(ms).toISOString());
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, 8.64e15 + 1])('treats %s as a bug', (ms) => {
    expect(() => new IsoTimeFormatter().format(ms)).toThrow(InvariantError);
  });
});
