/**
 * Bus messages → stored events: every message the worker publishes (bar
 * `health`) is kept, under an id that is stable and unique within the run
 * (`<run>:<kind>:<n>`), so a store that sees it twice keeps it once.
 */
import type { MessageType, PayloadOf } from '../bus/index.js';
import type { EventBody, StoredEvent } from './ports.js';

/** Each message type's stored events (none for `health`). */
const CONVERT: { readonly [K in MessageType]: (payload: PayloadOf[K]) => EventBody[] } = {
  quote: (q) => [{ kind: 'quote', symbol: q.symbol, price: q.price, bid: q.bid, ask: q.ask, volume: q.volume, source: q.source }],
  sentiment: (s) => {
    const out: EventBody[] = [];
    if (s.equity) out.push({ kind: 'sentiment', market: 'equity', value: s.equity.value, label: s.equity.label, source: s.equity.source });
    if (s.crypto) out.push({ kind: 'sentiment', market: 'crypto', value: s.crypto.value, label: s.crypto.label, source: s.crypto.source });
    return out;
  },
  signal: (s) => [{ kind: 'signal', symbol: s.symbol, action: s.action, confidence: s.confidence, source: s.source }],
  'sim.state': (s) => [{ kind: 'sim_state', step: s.step, globalState: s.globalState, z3: s.z3, backend: s.backend }],
  trade: (t) => [{ kind: 'trade', tradeId: t.id, symbol: t.symbol, side: t.side, qty: t.qty, price: t.price, fee: t.fee, pnl: t.pnl, reason: t.reason }],
  portfolio: (s) => [
    { kind: 'portfolio', equity: s.equity, cash: s.cash, exposure: s.exposure, realizedPnl: s.realizedPnl, unrealizedPnl: s.unrealizedPnl, totalPnl: s.totalPnl, positions: s.positions },
  ],
  health: () => [],
};

function bodies<K extends MessageType>(type: K, payload: PayloadOf[K]): EventBody[] {
  const convert: (payload: PayloadOf[K]) => EventBody[] = CONVERT[type];
  return convert(payload);
}

/** Drops undefined optional fields, so an event round-trips through JSON and SQL unchanged. */
function compact(event: StoredEvent): StoredEvent {
  const copy: StoredEvent = { ...event };
  for (const [key, value] of Object.entries(copy)) if (value === undefined) Reflect.deleteProperty(copy, key);
  return copy;
}

/** Numbers the events of one run and turns bus messages into them. */
export class EventRecorder {
  private readonly counts = new Map<string, number>();

  constructor(readonly runId: string) {}

  /** The stored events of one published message (none for `health`). */
  toEvents<K extends MessageType>(type: K, payload: PayloadOf[K], tsMs: number): StoredEvent[] {
    return bodies(type, payload).map((body) => {
      const n = (this.counts.get(body.kind) ?? 0) + 1;
      this.counts.set(body.kind, n);
      return compact({ ...body, id: `${this.runId}:${body.kind}:${n}`, runId: this.runId, tsMs });
    });
  }
}
