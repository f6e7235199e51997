import { z } from 'zod';
import { ErrorCode, TransientError } from '../../domain/index.js';

// The API sends numbers as strings ("20", "1783555200"). Only plain decimal
// text is read, so "abc", "", "NaN" or "Infinity" never become a number. A
// JSON number (should the API ever send one) is read through its text form.
const asText = (raw: unknown): unknown => (typeof raw === 'number' ? String(raw) : raw);
const decimalText = z.preprocess(
  asText,
  z.string().regex(/^\d+(\.\d+)?$/, 'expected a decimal number as text').transform(Number),
);
const integerText = z.preprocess(asText, z.string().regex(/^\d+$/, 'expected an integer as text').transform(Number));

/** One daily value. */
const alternativeMePointSchema = z.object({
  /** 0-100, e.g. "20". */
  value: decimalText.pipe(z.number().min(0).max(100)),
  /** Title-case band, e.g. "Extreme Fear"; absent or unknown falls back to the value's band. */
  value_classification: z.string().nullish(),
  /** Start of the day, epoch SECONDS UTC, e.g. "1783555200". */
  timestamp: integerText.pipe(z.number().int().positive().max(Number.MAX_SAFE_INTEGER / 1000)),
});

/**
 * GET /fng/: `data` newest first (only data[0] carries `time_until_update`,
 * dropped here with `name`). At least one value is required.
 */
const alternativeMeFngSchema = z.object({
  data: z.array(alternativeMePointSchema).nonempty(),
});

// API errors come with HTTP 200 as `metadata.error`, a message, instead of null.
const alternativeMeEnvelopeSchema = z.object({
  metadata: z.object({ error: z.unknown() }).nullish(),
});

/** A validated /fng/ response (vendor wire type: stays inside the adapter). */
export type AlternativeMeFng = z.infer<typeof alternativeMeFngSchema>;

/** A validated daily value (vendor wire type: stays inside the adapter). */
export type AlternativeMePoint = z.infer<typeof alternativeMePointSchema>;

/** A value quoted and cut short, for an error message. */
function quoted(input: unknown): string {
  if (input === undefined) return 'missing';
  if (typeof input === 'number') return String(input);
  const text = JSON.stringify(input) ?? String(input);
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

function dataError(message: string, cause?: unknown): TransientError {
  return new TransientError(message, { code: ErrorCode.providerData, ...(cause === undefined ? {} : { cause }) });
}

/**
 * Validates a /fng/ body. A non-null `metadata.error` (the API's way to
 * refuse a request, with HTTP 200) and anything off in the data (a value
 * that is not a number in 0-100, a bad timestamp, no data) reject the whole
 * response as a TransientError `providerData`, so the caller can fall back.
 */
export function parseAlternativeMeFng(raw: unknown): AlternativeMeFng {
  const envelope = alternativeMeEnvelopeSchema.safeParse(raw);
  const apiError = envelope.success ? envelope.data.metadata?.error : undefined;
  if (apiError != null) {
    throw dataError(`alternative.me fng response: metadata.error ${quoted(apiError)}, expected null`);
  }
  const parsed = alternativeMeFngSchema.safeParse(raw, { reportInput: true });
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue === undefined || issue.path.length === 0 ? 'body' : issue.path.map(String).join('.');
  const what = issue === undefined ? 'invalid' : `${quoted(issue.input)} is invalid (${issue.message})`;
  throw dataError(
    `alternative.me fng response: ${where} ${what}; expected values 0-100 and epoch-second timestamps as text`,
    parsed.error,
  );
}
