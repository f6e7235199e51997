import {
  parseSentimentLabel,
  sentimentLabel,
  SentimentMarket,
  type SentimentPoint,
  type SentimentReading,
} from '../../domain/index.js';
import type { AlternativeMeFng, AlternativeMePoint } from './schema.js';

/** alternative.me's own band when it is one of ours, else the band of the value on CNN's cut-offs. */
function toPoint(wire: AlternativeMePoint): SentimentPoint {
  const named = wire.value_classification == null ? undefined : parseSentimentLabel(wire.value_classification);
  return { value: wire.value, label: named ?? sentimentLabel(wire.value), tsMs: wire.timestamp * 1000 };
}

/**
 * Maps a validated /fng/ response to a reading: the newest value (data[0] as
 * served) and every value as the daily history, oldest first.
 */
export function toSentimentReading(wire: AlternativeMeFng): SentimentReading {
  // Served newest first; taking the latest by time keeps that true even if the order slips.
  const latest = toPoint(wire.data.reduce((newest, point) => (point.timestamp > newest.timestamp ? point : newest)));
  return {
    ...latest,
    source: 'alternative.me',
    market: SentimentMarket.crypto,
    history: wire.data.map(toPoint).sort((a, b) => a.tsMs - b.tsMs),
  };
}
