import { describe, expect, it } from 'vitest';
import { ConfigError, ErrorCode } from '../domain/index.js';
import { PortfolioManager } from './manager.js';
import { PortfolioOptionError, resolvePortfolioOptions, type PortfolioOptions } from './options.js';

describe('portfolio options', () => {
  it('defaults to the issue values, in cents and parts per million', () => {
    expect(resolvePortfolioOptions({})).toEqual({
      initialCapitalCents: 10_000_000,
      positionPpm: 100_000,
      exposurePpm: 800_000,
      stopLossPpm: 50_000,
      takeProfitPpm: 150_000,
      dailyLossPpm: 30_000,
      feePpm: 0,
      slippagePpm: 0,
      tradingDayTimeZone: 'America/New_York',
    });
    // 7.5 bp = 750 ppm; 2.25 bp = 225 ppm; 1234.56 dollars = 123456 cents.
    expect(resolvePortfolioOptions({ feeBps: 7.5, slippageBps: 2.25, initialCapital: 1234.56 })).toMatchObject({
      feePpm: 750,
      slippagePpm: 225,
      initialCapitalCents: 123_456,
    });
  });

  const bad: readonly [keyof PortfolioOptions, PortfolioOptions][] = [
    ['initialCapital', { initialCapital: 0 }],
    ['initialCapital', { initialCapital: -5 }],
    ['initialCapital', { initialCapital: 100.001 }],
    ['initialCapital', { initialCapital: Number.POSITIVE_INFINITY }],
    ['maxPositionSize', { maxPositionSize: -0.1 }],
    ['maxPositionSize', { maxPositionSize: 0 }],
    ['maxPositionSize', { maxPositionSize: 1.5 }],
    ['maxPositionSize', { maxPositionSize: 1e-9 }],
    ['maxTotalExposure', { maxTotalExposure: 1.01 }],
    ['maxTotalExposure', { maxTotalExposure: Number.NaN }],
    ['stopLossPct', { stopLossPct: 1 }],
    ['stopLossPct', { stopLossPct: 0 }],
    ['stopLossPct', { stopLossPct: 0.9999999 }],
    ['takeProfitPct', { takeProfitPct: 0 }],
    ['takeProfitPct', { takeProfitPct: -0.15 }],
    ['maxDailyLoss', { maxDailyLoss: 2 }],
    ['feeBps', { feeBps: -1 }],
    ['feeBps', { feeBps: 10_000 }],
    ['slippageBps', { slippageBps: Number.NaN }],
    ['tradingDayTimeZone', { tradingDayTimeZone: 'Mars/Olympus_Mons' }],
  ];

  it.each(bad)('rejects a bad %s with a typed error naming it: %j', (option, options) => {
    let thrown: unknown;
    try {
      new PortfolioManager(options);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(PortfolioOptionError);
    expect(thrown).toBeInstanceOf(ConfigError);
    expect(thrown).toMatchObject({ option, code: ErrorCode.config });
    expect(thrown instanceof Error ? thrown.message : '').toMatch(new RegExp(`^${option} "`));
  });
});
