import type { Quote } from '../../../domain/index.js';
import type { PolygonSnapshotTicker } from './schema.js';

const NS_PER_MS = 1_000_000;

function positive(value: number | null | undefined): number | undefined {
  return value != null && value > 0 ? value : undefined;
}

/**
 * Maps a validated snapshot entry to a domain Quote, or undefined when the
 * entry holds no usable price or time (no trade today and a zero day close, as
 * before the open): such a ticker is treated like one Polygon did not return.
 *
 * price: last trade, else the day's close; bid/ask: the last NBBO sides when > 0;
 * volume: the day's volume; tsMs: the last trade's time, else `updated`, both
 * nanoseconds since the epoch turned into milliseconds.
 */
export function toQuote(wire: PolygonSnapshotTicker): Quote | undefined {
  const price = positive(wire.lastTrade?.p) ?? positive(wire.day?.c);
  const tsNs = positive(wire.lastTrade?.t) ?? positive(wire.updated);
  if (price === undefined || tsNs === undefined) return undefined;
  const bid = positive(wire.lastQuote?.p);
  const ask = positive(wire.lastQuote?.P);
  const volume = wire.day?.v;
  return {
    symbol: wire.ticker,
    price,
    ...(bid === undefined ? {} : { bid }),
    ...(ask === undefined ? {} : { ask }),
    ...(volume == null ? {} : { volume }),
    tsMs: Math.floor(tsNs / NS_PER_MS),
    source: 'polygon',
  };
}
