/**
 * The payloads the manager writes to its ledger, and their parsing back
 * (zod) when a manager is rebuilt. A record that does not parse is a broken
 * ledger: InvariantError naming its seq.
 *
 * Kinds: `open` (seq 1: the initial capital), `day` (a trading day opened,
 * with its opening equity), `halt` (the daily loss limit was hit), `trade`
 * (a fill, with every amount in exact integers).
 */
import { z } from 'zod';
import { ErrorCode, InvariantError } from '../domain/index.js';
import type { LedgerRecord } from './ledger.js';

const cents = z.int().nonnegative();
const positive = z.int().positive();

const openSchema = z.strictObject({ v: z.literal(1), initialCapitalCents: positive });

const daySchema = z.strictObject({
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  openingEquityCents: cents,
});

const haltSchema = z.strictObject({ day: z.string(), equityCents: cents, haltBelowCents: cents });

const tradeSchema = z.strictObject({
  symbol: z.string().min(1),
  side: z.enum(['BUY', 'SELL']),
  reason: z.enum(['signal', 'stop_loss', 'take_profit']),
  quantityMicro: positive,
  priceMicro: cents,
  marketPriceMicro: positive,
  notionalCents: cents,
  feeCents: cents,
  slippageCents: cents,
  pnlCents: z.int().optional(),
});

/** Payload of an `open` record: the portfolio's starting cash. */
export type OpenPayload = z.infer<typeof openSchema>;
/** Payload of a `day` record: the trading day (YYYY-MM-DD) and its opening equity. */
export type DayPayload = z.infer<typeof daySchema>;
/** Payload of a `halt` record: the equity that fell below the day's threshold. */
export type HaltPayload = z.infer<typeof haltSchema>;
/** Payload of a `trade` record: one fill in exact integers (see TradeExact). */
export type TradePayload = z.infer<typeof tradeSchema>;

/** A ledger record's payload, by kind. */
export type PortfolioRecord =
  | { readonly kind: 'open'; readonly payload: OpenPayload }
  | { readonly kind: 'day'; readonly payload: DayPayload }
  | { readonly kind: 'halt'; readonly payload: HaltPayload }
  | { readonly kind: 'trade'; readonly payload: TradePayload };

/** A ledger record that cannot be replayed: a bug or a damaged ledger. */
export function brokenRecord(seq: number, what: string, cause?: unknown): InvariantError {
  return new InvariantError(`ledger record ${seq}: ${what}`, { code: ErrorCode.invariant, cause });
}

function parseJson(record: LedgerRecord): unknown {
  try {
    return JSON.parse(record.payload);
  } catch (err) {
    throw brokenRecord(record.seq, `payload is not JSON: ${JSON.stringify(record.payload.slice(0, 80))}`, err);
  }
}

function check<T>(schema: z.ZodType<T>, record: LedgerRecord): T {
  const parsed = schema.safeParse(parseJson(record));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined ? '' : `${issue.path.join('.') || '(root)'}: ${issue.message}`;
    throw brokenRecord(record.seq, `bad ${record.kind} payload (${where})`, parsed.error);
  }
  return parsed.data;
}

/** Parses one record; throws InvariantError naming its seq when it is not a valid portfolio record. */
export function parseRecord(record: LedgerRecord): PortfolioRecord {
  switch (record.kind) {
    case 'open':
      return { kind: 'open', payload: check(openSchema, record) };
    case 'day':
      return { kind: 'day', payload: check(daySchema, record) };
    case 'halt':
      return { kind: 'halt', payload: check(haltSchema, record) };
    case 'trade':
      return { kind: 'trade', payload: check(tradeSchema, record) };
    default:
      throw brokenRecord(record.seq, `unknown kind ${JSON.stringify(record.kind)}`);
  }
}

