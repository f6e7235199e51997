import { describe, expect, it } from 'vitest';
import { assessHealth, assessReadiness, tickAllowanceMs } from './assess.js';
import type { ComponentHealth } from './probe.js';

const NOW_MS = Date.parse('2026-11-23T10:00:00.000Z');

const ready: ComponentHealth = { name: 'bus', state: 'ready' };

describe('tickAllowanceMs', () => {
  // The rule of issue 8 item 3 as briefed: max(3 × interval, 10 s).
  it('is three intervals, but never under 10 s', () => {
    expect(tickAllowanceMs(0)).toBe(10_000);
    expect(tickAllowanceMs(1_000)).toBe(10_000);
    expect(tickAllowanceMs(5_000)).toBe(15_000);
    expect(tickAllowanceMs(60_000)).toBe(180_000);
  });
});

describe('assessHealth', () => {
  const base = { components: [ready], expectedTickMs: 1_000, nowMs: NOW_MS };

  it('counts a tick exactly at the allowance as recent and one ms later as stale', () => {
    expect(assessHealth({ ...base, lastTickMs: NOW_MS - 10_000 })).toEqual({ ok: true, reasons: [] });
    expect(assessHealth({ ...base, lastTickMs: NOW_MS - 10_001 })).toEqual({ ok: false, reasons: ['no tick for 10 s'] });
  });

  it('treats a tick stamped after now as recent', () => {
    expect(assessHealth({ ...base, lastTickMs: NOW_MS + 5_000 }).ok).toBe(true);
  });

  it('lists every failed component before the tick reason, and ignores starting and degraded ones', () => {
    const components: ComponentHealth[] = [
      { name: 'market', state: 'failed', detail: 'every provider failed' },
      { name: 'sentiment', state: 'degraded', detail: 'cnn breaker open' },
      { name: 'store', state: 'failed' },
      { name: 'bus', state: 'starting' },
    ];
    expect(assessHealth({ ...base, components, lastTickMs: undefined })).toEqual({
      ok: false,
      reasons: ['component "market" failed: every provider failed', 'component "store" failed', 'no tick completed yet'],
    });
  });
});

describe('assessReadiness', () => {
  it('is ready with no components once a tick completed', () => {
    expect(assessReadiness([], NOW_MS)).toEqual({ ok: true, reasons: [] });
  });

  it('names starting and failed components and a missing first tick', () => {
    const components: ComponentHealth[] = [
      { name: 'bus', state: 'starting' },
      { name: 'sentiment', state: 'degraded' },
      { name: 'store', state: 'failed', detail: 'disk full' },
    ];
    expect(assessReadiness(components, undefined)).toEqual({
      ok: false,
      reasons: ['component "bus" is starting', 'component "store" failed: disk full', 'no tick completed yet'],
    });
  });
});
