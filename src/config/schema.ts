import type { SimulationSettings } from './simulation.js';
import { z } from 'zod';
import type { Shard, WatchedSymbol } from '../domain/index.js';
import { DEFAULTS } from './options.js';
import {
  bookField,
  capitalField,
  integerField,
  logLevelField,
  numberField,
  providerListField,
  PROVIDERS,
  portField,
  sourceField,
  shardField,
  symbolsField,
  textField,
  urlField,
  type LogLevel,
  type ProviderName,
  type SourceSetting,
} from './fields.js';

/**
 * The one schema of market-intel's settings, over the raw strings gathered
 * from flags > environment (.env) > defaults. Unknown keys fail.
 */
export const rawConfigSchema = z.strictObject({
  symbols: symbolsField.optional(),
  capital: capitalField.default(DEFAULTS.capital),
  interval: numberField('expected a number of seconds >= 0 (at most 86400)', (n) => n >= 0 && n <= 86_400).default(
    DEFAULTS.intervalS,
  ),
  source: sourceField.default({ kind: 'auto' }),
  sources: providerListField.default([...PROVIDERS]),
  maxQuoteAge: numberField('expected a number of seconds >= 0 (0 = no check)', (n) => n >= 0).optional(),
  verify: z.boolean().default(false),
  ticks: integerField('expected an integer >= 1', (n) => n >= 1).optional(),
  duration: numberField('expected a number of seconds > 0', (n) => n > 0).optional(),
  metricsPort: portField.default(DEFAULTS.metricsPort),
  zmqPort: portField.default(DEFAULTS.zmqPort),
  zmqWarmupMs: integerField('expected an integer number of ms 0-60000', (n) => n >= 0 && n <= 60_000).default(
    DEFAULTS.zmqWarmupMs,
  ),
  simulation: z.boolean().default(true),
  portfolio: z.boolean().default(true),
  book: bookField.optional(),
  shard: shardField.default({ index: 0, count: 1 }),
  dataDir: textField.default(DEFAULTS.dataDir),
  episodicTtl: integerField('expected an integer number of seconds from 1 to 604800', (n) => n >= 1 && n <= 604_800).default(DEFAULTS.episodicTtlS),
  metrics: z.boolean().default(true),
  debug: z.boolean().default(false),
  logLevel: logLevelField.default(DEFAULTS.logLevel),
  yahooBaseUrl: urlField(['http:', 'https:']).optional(),
  polygonApiKey: textField.optional(),
  polygonBaseUrl: urlField(['http:', 'https:']).optional(),
  alpacaDataUrl: urlField(['http:', 'https:']).optional(),
  ccxtExchange: textField.default(DEFAULTS.ccxtExchange),
  ccxtBaseUrl: urlField(['http:', 'https:']).optional(),
  alpacaKey: textField.optional(),
  alpacaSecret: textField.optional(),
  cnnBaseUrl: urlField(['http:', 'https:']).optional(),
  altmeBaseUrl: urlField(['http:', 'https:']).optional(),
  sentimentInterval: numberField('expected a number of seconds >= 1', (n) => n >= 1).default(DEFAULTS.sentimentIntervalS),
  sentimentMaxAge: numberField('expected a number of seconds >= 0 (0 = never stale)', (n) => n >= 0).default(DEFAULTS.sentimentMaxAgeS),
  redisUrl: urlField(['redis:', 'rediss:']).optional(),
  redisHost: textField.optional(),
  redisPort: portField.default(DEFAULTS.redisPort),
  redisPassword: textField.optional(),
  mysqlHost: textField.optional(),
  mysqlPort: portField.default(DEFAULTS.mysqlPort),
  mysqlUser: textField.default(DEFAULTS.mysqlUser),
  mysqlPassword: textField.optional(),
  mysqlDatabase: textField.default(DEFAULTS.mysqlDatabase),
  influxUrl: urlField(['http:', 'https:']).optional(),
  influxToken: textField.optional(),
  influxOrg: textField.optional(),
  influxBucket: textField.optional(),
});

/** What the schema accepts: strings from flags/env, booleans from switches. */
export type RawConfig = z.input<typeof rawConfigSchema>;
export type ParsedConfig = z.output<typeof rawConfigSchema>;
export type RawKey = keyof RawConfig;

/** Episodic memory (Redis) connection; absent = embedded in-process store. */
export type RedisSettings =
  | { readonly url: string }
  | { readonly host: string; readonly port: number; readonly password?: string };

/** Archive (MySQL/MariaDB) connection; absent = embedded SQLite. */
export type MysqlSettings = {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password?: string;
  readonly database: string;
};

/** Time series (InfluxDB v2 write API); absent = off. */
export type InfluxSettings = {
  readonly url: string;
  readonly token?: string;
  readonly org?: string;
  readonly bucket?: string;
};

/**
 * The validated, frozen configuration passed through constructors.
 * Optional sections mean "off" (or the embedded default for stores).
 */
export type Config = {
  /** Watched symbols (this shard's); empty only for a replay, which then watches every symbol it holds (of this shard). */
  readonly symbols: readonly WatchedSymbol[];
  /** This worker's shard of the symbols (0/1: all of them). */
  readonly shard: Shard;
  readonly capitalUsd: number;
  /** Seconds between ticks; 0 = as fast as possible (replay only). */
  readonly intervalS: number;
  readonly source: SourceSetting;
  readonly maxTicks?: number;
  readonly durationS?: number;
  readonly simulation: boolean;
  /** The simulation's backend and model parameters. */
  readonly sim: SimulationSettings;
  readonly portfolio: boolean;
  /** The portfolio's book in the archive: `live` / `replay` unless --book names another. */
  readonly book: string;
  /** Folder of the embedded stores (absolute): SQLite archive, spool. */
  readonly dataDir: string;
  /** Seconds every episodic-memory entry lives. */
  readonly episodicTtlS: number;
  readonly metrics: { readonly enabled: boolean; readonly port: number };
  readonly zmq: { readonly port: number; readonly warmupMs: number };
  readonly logLevel: LogLevel;
  /** Live market data: the provider chain and the edge checks. */
  readonly market: {
    /** Providers tried in order for `--source auto`; a named source alone otherwise. */
    readonly chain: readonly ProviderName[];
    /** Max quote age in seconds for every asset class (0 = off); undefined = per-class defaults. */
    readonly maxQuoteAgeS?: number;
    /** Ask two providers per symbol and flag divergent prices. */
    readonly verify: boolean;
  };
  readonly providers: {
    /** Where Yahoo requests go instead of Yahoo's hosts (a proxy, a mirror, a test server). */
    readonly yahooBaseUrl?: string;
    readonly polygonApiKey?: string;
    readonly polygonBaseUrl?: string;
    readonly alpacaKey?: string;
    readonly alpacaSecret?: string;
    readonly alpacaDataUrl?: string;
    readonly ccxtExchange: string;
    readonly ccxtBaseUrl?: string;
  };
  /** Fear & Greed indices and their fallback. */
  readonly sentiment: {
    readonly cnnBaseUrl?: string;
    readonly altmeBaseUrl?: string;
    /** Seconds between fetches (the cache TTL). */
    readonly intervalS: number;
    /** An index older than this gives way to the proxy, seconds; 0 = never. */
    readonly maxAgeS: number;
  };
  readonly redis?: RedisSettings;
  readonly mysql?: MysqlSettings;
  readonly influx?: InfluxSettings;
};
