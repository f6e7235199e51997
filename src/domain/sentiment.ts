/**
 * Market mood on the Fear & Greed scale: 0 (extreme fear) to 100 (extreme
 * greed), for equities (CNN's index) and crypto (alternative.me's), or the
 * proxy computed from prices when those are unavailable.
 */

/** The five bands every index here is labelled on. */
export const SentimentLabel = {
  extremeFear: 'extreme fear',
  fear: 'fear',
  neutral: 'neutral',
  greed: 'greed',
  extremeGreed: 'extreme greed',
} as const;
export type SentimentLabel = (typeof SentimentLabel)[keyof typeof SentimentLabel];

/** Which market a reading describes. */
export const SentimentMarket = { equity: 'equity', crypto: 'crypto' } as const;
export type SentimentMarket = (typeof SentimentMarket)[keyof typeof SentimentMarket];

/** One value of an index at one instant. */
export type SentimentPoint = {
  /** 0-100. */
  readonly value: number;
  readonly label: SentimentLabel;
  /** When the index had this value, epoch ms UTC. */
  readonly tsMs: number;
};

/** What a sentiment source returns: its latest value, and its daily history (oldest first). */
export type SentimentReading = SentimentPoint & {
  /** `cnn`, `alternative.me` or `proxy`. */
  readonly source: string;
  readonly market: SentimentMarket;
  readonly history: readonly SentimentPoint[];
  /** Named sub-indicators when the source publishes them (CNN), each 0-100. */
  readonly indicators?: Readonly<Record<string, number>>;
};

/**
 * The band of a 0-100 value, on CNN's published cut-offs:
 * [0,25) extreme fear, [25,45) fear, [45,55] neutral, (55,75] greed, (75,100] extreme greed.
 */
export function sentimentLabel(value: number): SentimentLabel {
  if (value < 25) return SentimentLabel.extremeFear;
  if (value < 45) return SentimentLabel.fear;
  if (value <= 55) return SentimentLabel.neutral;
  if (value <= 75) return SentimentLabel.greed;
  return SentimentLabel.extremeGreed;
}

/** Maps a vendor's label ("Extreme Fear", "extreme greed") to ours; undefined if unknown. */
export function parseSentimentLabel(raw: string): SentimentLabel | undefined {
  const text = raw.trim().toLowerCase().replace(/\s+/g, ' ');
  return Object.values(SentimentLabel).find((label) => label === text);
}
