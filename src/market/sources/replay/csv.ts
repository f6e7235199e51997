/**
 * The replay CSV format: a `timestamp,symbol,open,high,low,close,volume`
 * header, then one bar per line. No quoting: no field may hold a comma.
 * Hand-parsed because replay files run to tens of thousands of rows.
 */
import type { Bar } from '../../../domain/index.js';
import { ErrorCode, InputError, SYMBOL_RULE, parseSymbol } from '../../../domain/index.js';
import type { ParsedBars } from './types.js';
import { PRICE_RULE, TIMESTAMP_RULE, VOLUME_RULE, isoFromMs, parseDecimal, parseTimestamp, quoteText } from './values.js';

/** The one accepted header line of a replay CSV. */
export const CSV_HEADER = 'timestamp,symbol,open,high,low,close,volume';

const FIELD_COUNT = 7;
const BOM = 0xfeff;

/** Where a row sits, for error messages, plus a per-file symbol cache; one per file, `line` advancing. */
type RowContext = {
  readonly file: string;
  line: number;
  readonly symbols: Map<string, string>;
};

/** Field `index` of a split row, without surrounding blanks. */
function field(fields: readonly string[], index: number): string {
  const raw = fields[index] ?? '';
  return raw.charCodeAt(0) <= 32 || raw.charCodeAt(raw.length - 1) <= 32 ? raw.trim() : raw;
}

function rowError(row: RowContext, field: string, raw: string, rule: string): InputError {
  return new InputError(`${row.file}:${row.line}: ${field} ${quoteText(raw)}: ${rule}`, {
    code: ErrorCode.replayRow,
  });
}

function readPrice(row: RowContext, field: string, raw: string): number {
  const value = parseDecimal(raw);
  if (value === undefined || value <= 0) throw rowError(row, field, raw, PRICE_RULE);
  return value;
}

function readVolume(row: RowContext, raw: string): number {
  const value = parseDecimal(raw);
  if (value === undefined || value < 0) throw rowError(row, 'volume', raw, VOLUME_RULE);
  return value;
}

function readSymbol(row: RowContext, raw: string): string {
  const cached = row.symbols.get(raw);
  if (cached !== undefined) return cached;
  const parsed = parseSymbol(raw);
  if (parsed === undefined) throw rowError(row, 'symbol', raw, SYMBOL_RULE);
  row.symbols.set(raw, parsed.symbol);
  return parsed.symbol;
}

function readRow(row: RowContext, text: string): Bar {
  const fields = text.split(',');
  if (fields.length !== FIELD_COUNT) {
    throw new InputError(
      `${row.file}:${row.line}: ${quoteText(text)}: expected ${FIELD_COUNT} fields (${CSV_HEADER}), got ${fields.length}`,
      { code: ErrorCode.replayRow },
    );
  }
  const ts = field(fields, 0);
  const tsMs = parseTimestamp(ts);
  if (tsMs === undefined) throw rowError(row, 'timestamp', ts, TIMESTAMP_RULE);
  return {
    symbol: readSymbol(row, field(fields, 1)),
    tsMs,
    open: readPrice(row, 'open', field(fields, 2)),
    high: readPrice(row, 'high', field(fields, 3)),
    low: readPrice(row, 'low', field(fields, 4)),
    close: readPrice(row, 'close', field(fields, 5)),
    volume: readVolume(row, field(fields, 6)),
  };
}

function headerError(file: string, found: string | undefined): InputError {
  const what = found === undefined ? 'no header' : `header ${quoteText(found)}`;
  return new InputError(`${file}: ${what}: expected the first line to be "${CSV_HEADER}"`, {
    code: ErrorCode.replayFormat,
  });
}

/**
 * Parses a replay CSV. Accepts a UTF-8 BOM, CRLF line ends, blank lines and
 * blanks around fields. Throws InputError (`replayRow`) naming file, line,
 * field and value for the first malformed row; `replayFormat` for a bad header.
 */
export function parseReplayCsv(text: string, file: string): ParsedBars {
  const lines = (text.charCodeAt(0) === BOM ? text.slice(1) : text).split('\n');
  const bars: Bar[] = [];
  const lineNumbers: number[] = [];
  const row: RowContext = { file, line: 0, symbols: new Map() };
  let headerSeen = false;
  for (let i = 0; i < lines.length; i += 1) {
    const line = (lines[i] ?? '').trim();
    if (line === '') continue;
    if (!headerSeen) {
      if (line !== CSV_HEADER) throw headerError(file, line);
      headerSeen = true;
      continue;
    }
    row.line = i + 1;
    bars.push(readRow(row, line));
    lineNumbers.push(i + 1);
  }
  if (!headerSeen) throw headerError(file, undefined);
  return { bars, placeOf: (index) => `${file}:${lineNumbers[index] ?? '?'}` };
}

/** Writes bars as a replay CSV (header, one line per bar in the given order, final newline). */
export function formatReplayCsv(bars: readonly Bar[]): string {
  const lines = bars.map(
    (b) => `${isoFromMs(b.tsMs)},${b.symbol},${b.open},${b.high},${b.low},${b.close},${b.volume}`,
  );
  return `${[CSV_HEADER, ...lines].join('\n')}\n`;
}
