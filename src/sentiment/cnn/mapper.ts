import {
  parseSentimentLabel,
  sentimentLabel,
  SentimentMarket,
  type SentimentLabel,
  type SentimentPoint,
  type SentimentReading,
} from '../../domain/index.js';
import { CNN_INDICATOR_KEYS, type CnnGraphdata, type CnnHistoricalPoint } from './schema.js';

/** CNN's own band when it is one of ours, else the band of the score on CNN's cut-offs. */
function labelOf(rating: string | null | undefined, score: number): SentimentLabel {
  return (rating == null ? undefined : parseSentimentLabel(rating)) ?? sentimentLabel(score);
}

function toPoint(wire: CnnHistoricalPoint): SentimentPoint {
  return { value: wire.y, label: labelOf(wire.rating, wire.y), tsMs: Math.round(wire.x) };
}

/** Each sub-indicator's current score, under its CNN key; those without a score are left out. */
function toIndicators(wire: CnnGraphdata): Readonly<Record<string, number>> {
  const indicators: Record<string, number> = {};
  for (const key of CNN_INDICATOR_KEYS) {
    const score = wire[key]?.score;
    if (score != null) indicators[key] = score;
  }
  return indicators;
}

/**
 * Maps a validated graphdata response to a reading: the current value, the
 * daily history oldest first (as served: one point per day at 00:00 UTC, the
 * last one being today's latest value at its own time) and the sub-indicators.
 */
export function toSentimentReading(wire: CnnGraphdata): SentimentReading {
  const { score, rating, timestamp } = wire.fear_and_greed;
  const indicators = toIndicators(wire);
  return {
    value: score,
    label: labelOf(rating, score),
    tsMs: timestamp,
    source: 'cnn',
    market: SentimentMarket.equity,
    // Served oldest first already; the stable sort only guards that invariant.
    history: wire.fear_and_greed_historical.data.map(toPoint).sort((a, b) => a.tsMs - b.tsMs),
    ...(Object.keys(indicators).length > 0 ? { indicators } : {}),
  };
}
