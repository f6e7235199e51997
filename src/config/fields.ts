import { z } from 'zod';
import { SYMBOL_RULE, parseSymbol, type Shard, type WatchedSymbol } from '../domain/index.js';

/**
 * zod field parsers over raw strings (flags and env values are strings).
 * Each failure message says what is allowed; the loader prefixes it with the
 * flag or variable name and the quoted value.
 */

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;
const INTEGER = /^[+-]?\d+$/;

/** A value matching `pattern` whose Number passes `valid` and `ok`, else `rule`. */
function numericField(pattern: RegExp, valid: (n: number) => boolean, rule: string, ok: (n: number) => boolean) {
  return z.string().transform((raw, ctx) => {
    const text = raw.trim();
    const n = pattern.test(text) ? Number(text) : Number.NaN;
    if (!valid(n) || !ok(n)) {
      ctx.addIssue({ code: 'custom', message: rule });
      return z.NEVER;
    }
    return n;
  });
}

/** A decimal number (no hex, no blanks, finite) passing `ok`, else `rule`. */
export function numberField(rule: string, ok: (n: number) => boolean) {
  return numericField(DECIMAL, Number.isFinite, rule, ok);
}

/** An integer passing `ok`, else `rule`. */
export function integerField(rule: string, ok: (n: number) => boolean) {
  return numericField(INTEGER, Number.isSafeInteger, rule, ok);
}

/** A TCP port 1-65535. */
export const portField = integerField('expected an integer port 1-65535', (n) => n >= 1 && n <= 65_535);

/** At most two decimals: money is exact to the cent. */
function hasCents(n: number): boolean {
  return Math.abs(Math.round(n * 100) - n * 100) < 1e-6;
}

export const capitalField = numberField(
  'expected a number > 0 (USD, at most 2 decimals, at most 1e12)',
  (n) => n > 0 && n <= 1e12 && hasCents(n),
);

/** Comma list of symbols; duplicates collapse, order is kept. */
export const symbolsField = z.string().transform((raw, ctx): readonly WatchedSymbol[] => {
  const parts = raw.split(',');
  const parsed = parts.map((p) => parseSymbol(p));
  if (raw.trim() === '' || parsed.some((p) => p === undefined)) {
    ctx.addIssue({ code: 'custom', message: `${SYMBOL_RULE}, separated by commas` });
    return z.NEVER;
  }
  const seen = new Map<string, WatchedSymbol>();
  for (const p of parsed) if (p && !seen.has(p.symbol)) seen.set(p.symbol, p);
  return [...seen.values()];
});

/** Names of the live providers, in the chain's default order. */
export const PROVIDERS = ['yahoo', 'polygon', 'alpaca', 'ccxt'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

/** Where the tick loop's quotes come from. */
export type SourceSetting =
  | { readonly kind: 'auto' }
  | { readonly kind: 'provider'; readonly name: ProviderName }
  | { readonly kind: 'replay'; readonly path: string; readonly label: string };

const SOURCE_RULE = 'expected auto, yahoo, polygon, alpaca, ccxt, replay:sample or replay:<path>';

function isProvider(s: string): s is ProviderName {
  return PROVIDERS.some((p) => p === s);
}

/** `auto`, a provider name, or `replay:<path>` (path resolved later). */
export const sourceField = z.string().transform((raw, ctx): SourceSetting => {
  const text = raw.trim();
  if (text === 'auto') return { kind: 'auto' };
  if (isProvider(text)) return { kind: 'provider', name: text };
  if (text.startsWith('replay:') && text.length > 'replay:'.length) {
    return { kind: 'replay', path: text.slice('replay:'.length), label: text };
  }
  ctx.addIssue({ code: 'custom', message: SOURCE_RULE });
  return z.NEVER;
});

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const logLevelField = z.string().transform((raw, ctx): LogLevel => {
  const text = raw.trim().toLowerCase();
  const level = LOG_LEVELS.find((l) => l === text);
  if (level === undefined) {
    ctx.addIssue({ code: 'custom', message: `expected one of ${LOG_LEVELS.join(', ')}` });
    return z.NEVER;
  }
  return level;
});

/** A non-empty string (credentials, host names). */
export const textField = z.string().transform((raw, ctx) => {
  const text = raw.trim();
  if (text === '') {
    ctx.addIssue({ code: 'custom', message: 'expected a non-empty value (unset it to turn the feature off)' });
    return z.NEVER;
  }
  return text;
});

/** A portfolio book's name in the archive (the ledger tables' `book`). */
export const bookField = z.string().transform((raw, ctx) => {
  const book = raw.trim();
  if (!/^[A-Za-z0-9][A-Za-z0-9._@:-]{0,63}$/.test(book)) {
    ctx.addIssue({ code: 'custom', message: 'expected 1 to 64 letters, digits, ".", "_", "@", ":" or "-", starting with a letter or digit' });
    return z.NEVER;
  }
  return book;
});

/** An http(s) or redis(s) URL. */
export function urlField(protocols: readonly string[]) {
  return z.string().transform((raw, ctx) => {
    try {
      const url = new URL(raw.trim());
      if (protocols.includes(url.protocol)) return url.toString();
    } catch {
      // reported below
    }
    ctx.addIssue({ code: 'custom', message: `expected a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` });
    return z.NEVER;
  });
}

/** Comma list of providers, in chain order, no repeats. */
export const providerListField = z.string().transform((raw, ctx): readonly ProviderName[] => {
  const names = raw.split(',').map((n) => n.trim().toLowerCase());
  const valid = names.every((n) => isProvider(n)) && new Set(names).size === names.length;
  if (!valid) {
    ctx.addIssue({ code: 'custom', message: `expected a comma list of ${PROVIDERS.join(', ')}, each at most once` });
    return z.NEVER;
  }
  return names.filter(isProvider);
});

/** `i/n`: shard i (0-based) of n, 1 <= n <= 1024. */
export const shardField = z.string().transform((raw, ctx): Shard => {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(raw);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || count > 1024 || index >= count) {
    ctx.addIssue({ code: 'custom', message: 'expected i/n with 0 <= i < n <= 1024, e.g. 0/3' });
    return z.NEVER;
  }
  return { index, count };
});
