import { describe, expect, it } from 'vitest';
import { EventRecorder } from './events.js';

describe('EventRecorder', () => {
  it('turns each published message into stored events numbered per kind, optional fields left out when absent', () => {
    const r = new EventRecorder('run-7');
    const ts = Date.UTC(2026, 10, 23, 14, 30);
    expect(r.toEvents('quote', { symbol: 'AAPL', price: 189.25, volume: 1200, source: 'yahoo' }, ts)).toEqual([
      { kind: 'quote', id: 'run-7:quote:1', runId: 'run-7', tsMs: ts, symbol: 'AAPL', price: 189.25, volume: 1200, source: 'yahoo' },
    ]);
    expect(r.toEvents('quote', { symbol: 'MSFT', price: 410, bid: 409.9, ask: 410.1, source: 'polygon' }, ts)[0]?.id).toBe('run-7:quote:2');
    const sentiment = r.toEvents(
      'sentiment',
      { equity: { value: 21, label: 'Extreme Fear', source: 'cnn', ts: '2026-11-23T14:00:00.000Z' }, crypto: { value: 64, label: 'Greed', source: 'alternative.me', ts: '2026-11-23T00:00:00.000Z' }, combined: { value: 42.5, label: 'Fear' } },
      ts,
    );
    expect(sentiment).toEqual([
      { kind: 'sentiment', id: 'run-7:sentiment:1', runId: 'run-7', tsMs: ts, market: 'equity', value: 21, label: 'Extreme Fear', source: 'cnn' },
      { kind: 'sentiment', id: 'run-7:sentiment:2', runId: 'run-7', tsMs: ts, market: 'crypto', value: 64, label: 'Greed', source: 'alternative.me' },
    ]);
    expect(r.toEvents('trade', { id: '42', symbol: 'AAPL', side: 'SELL', qty: 52, price: 179.5, fee: 0.93, pnl: -508.94, reason: 'stop_loss' }, ts)).toEqual([
      { kind: 'trade', id: 'run-7:trade:1', runId: 'run-7', tsMs: ts, tradeId: '42', symbol: 'AAPL', side: 'SELL', qty: 52, price: 179.5, fee: 0.93, pnl: -508.94, reason: 'stop_loss' },
    ]);
    expect(r.toEvents('sim.state', { step: 3, globalState: -0.25, z3: -0.015625, backend: 'wasm' }, ts)[0]).toMatchObject({ kind: 'sim_state', id: 'run-7:sim_state:1', step: 3 });
    expect(r.toEvents('health', { service: 'yahoo', up: false }, ts)).toEqual([]);
  });
});
