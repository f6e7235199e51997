import { z } from 'zod';
import { ErrorCode, TransientError } from '../../domain/index.js';

// A Fear & Greed score. z.number() already refuses NaN and ±Infinity (JSON's
// 1e999 parses to Infinity); the range is the index's own scale.
const cnnScoreSchema = z.number().min(0).max(100);

/** The current value: `timestamp` is an ISO string here, unlike the series' epoch ms. */
const cnnCurrentSchema = z.object({
  score: cnnScoreSchema,
  /** Lower-case band, e.g. "extreme greed"; absent or unknown falls back to the score's band. */
  rating: z.string().nullish(),
  /** e.g. "2022-04-25T16:21:09.254000+00:00", turned into epoch ms. */
  timestamp: z.iso
    .datetime({ offset: true })
    .transform((iso) => Date.parse(iso))
    .pipe(z.number().int()),
});

/** One point of the index's daily history. */
const cnnHistoricalPointSchema = z.object({
  /** Epoch ms, sent as a float (1650903669254.0). */
  x: z.number().positive(),
  y: cnnScoreSchema,
  rating: z.string().nullish(),
});

/**
 * A sub-indicator series: only its current 0-100 score is kept (its `data`
 * holds raw values such as S&P 500 points, not scores). A null or absent score
 * leaves the indicator out; a score that is present must be valid.
 */
const cnnIndicatorSchema = z.object({ score: cnnScoreSchema.nullish() });

/** The sub-indicator series graphdata publishes, by their CNN keys. */
export const CNN_INDICATOR_KEYS = [
  'market_momentum_sp500',
  'market_momentum_sp125',
  'stock_price_strength',
  'stock_price_breadth',
  'put_call_options',
  'market_volatility_vix',
  'market_volatility_vix_50',
  'junk_bond_demand',
  'safe_haven_demand',
] as const;

/**
 * GET /index/fearandgreed/graphdata. Only the fields the adapter maps are
 * checked; the rest (previous_close, the series' raw data) is dropped.
 */
const cnnGraphdataSchema = z.object({
  fear_and_greed: cnnCurrentSchema,
  fear_and_greed_historical: z.object({ data: z.array(cnnHistoricalPointSchema) }),
  market_momentum_sp500: cnnIndicatorSchema.nullish(),
  market_momentum_sp125: cnnIndicatorSchema.nullish(),
  stock_price_strength: cnnIndicatorSchema.nullish(),
  stock_price_breadth: cnnIndicatorSchema.nullish(),
  put_call_options: cnnIndicatorSchema.nullish(),
  market_volatility_vix: cnnIndicatorSchema.nullish(),
  market_volatility_vix_50: cnnIndicatorSchema.nullish(),
  junk_bond_demand: cnnIndicatorSchema.nullish(),
  safe_haven_demand: cnnIndicatorSchema.nullish(),
});

/** A validated graphdata response (vendor wire type: stays inside the adapter). */
export type CnnGraphdata = z.infer<typeof cnnGraphdataSchema>;

/** A validated history point (vendor wire type: stays inside the adapter). */
export type CnnHistoricalPoint = z.infer<typeof cnnHistoricalPointSchema>;

/** The offending value, quoted and cut short, for an error message. */
function quoted(input: unknown): string {
  if (input === undefined) return 'missing';
  // JSON.stringify would print NaN and ±Infinity as null.
  if (typeof input === 'number') return String(input);
  const text = JSON.stringify(input) ?? String(input);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/**
 * Validates a graphdata body. Anything off (missing current value, a score
 * outside 0-100 or not a finite number, a bad timestamp, a malformed history
 * point) rejects the whole response as a TransientError `providerData`, so
 * the caller can fall back.
 */
export function parseCnnGraphdata(raw: unknown): CnnGraphdata {
  const parsed = cnnGraphdataSchema.safeParse(raw, { reportInput: true });
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue === undefined || issue.path.length === 0 ? 'body' : issue.path.map(String).join('.');
  const what = issue === undefined ? 'invalid' : `${quoted(issue.input)} is invalid (${issue.message})`;
  throw new TransientError(
    `cnn graphdata response: ${where} ${what}; expected scores 0-100, an ISO timestamp and the graphdata shape`,
    { code: ErrorCode.providerData, cause: parsed.error },
  );
}
