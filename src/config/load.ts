import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseDotenv } from 'dotenv';
import { ConfigError, ErrorCode, inShard } from '../domain/index.js';
import { DEFAULTS, VALUE_OPTIONS, type RunValueKey } from './options.js';
import { rawConfigSchema, type Config, type ParsedConfig, type RawKey } from './schema.js';
import type { SourceSetting } from './fields.js';
import { readSimulationSettings, type SimulationFlags, type SimulationSettings } from './simulation.js';

/** Switches of `run` (commander hands them over as booleans). */
export type ConfigSwitches = {
  readonly simulation?: boolean;
  readonly portfolio?: boolean;
  readonly metrics?: boolean;
  readonly debug?: boolean;
  readonly verify?: boolean;
};

/** What `loadConfig` reads: flags win over the environment, which wins over defaults. */
export type ConfigInput = {
  readonly flags?: Partial<Record<RunValueKey, string>> & ConfigSwitches;
  /** Environment; defaults to process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** A .env file to read under the environment; default `<cwd>/.env`, false for none. */
  readonly envFile?: string | false;
  readonly cwd?: string;
  /** Live runs need symbols; one-shot commands that watch none (sentiment) pass false. */
  readonly requireSymbols?: boolean;
  /** Flags of the simulation (`--backend`). */
  readonly simulationFlags?: SimulationFlags;
};

/** Env variables of the settings that have no flag. */
const ENV_KEYS: readonly (readonly [RawKey, string])[] = [
  ['logLevel', 'LOG_LEVEL'],
  ['yahooBaseUrl', 'YAHOO_BASE_URL'],
  ['polygonApiKey', 'POLYGON_API_KEY'],
  ['polygonBaseUrl', 'POLYGON_BASE_URL'],
  ['alpacaDataUrl', 'ALPACA_DATA_URL'],
  ['ccxtExchange', 'CCXT_EXCHANGE'],
  ['ccxtBaseUrl', 'CCXT_BASE_URL'],
  ['alpacaKey', 'ALPACA_KEY'],
  ['alpacaSecret', 'ALPACA_SECRET'],
  ['cnnBaseUrl', 'CNN_FNG_BASE_URL'],
  ['altmeBaseUrl', 'ALTME_FNG_BASE_URL'],
  ['sentimentInterval', 'SENTIMENT_INTERVAL'],
  ['sentimentMaxAge', 'SENTIMENT_MAX_AGE_S'],
  ['redisUrl', 'REDIS_URL'],
  ['redisHost', 'REDIS_HOST'],
  ['redisPort', 'REDIS_PORT'],
  ['redisPassword', 'REDIS_PASSWORD'],
  ['mysqlHost', 'MYSQL_HOST'],
  ['mysqlPort', 'MYSQL_PORT'],
  ['mysqlUser', 'MYSQL_USER'],
  ['mysqlPassword', 'MYSQL_PASSWORD'],
  ['mysqlDatabase', 'MYSQL_DB'],
  ['mysqlDatabase', 'MYSQL_DATABASE'],
  ['influxUrl', 'INFLUXDB_URL'],
  ['influxToken', 'INFLUXDB_TOKEN'],
  ['influxOrg', 'INFLUXDB_ORG'],
  ['influxBucket', 'INFLUXDB_BUCKET'],
  ['episodicTtl', 'EPISODIC_TTL'],
];

/** Settings whose values must never be echoed, even in an error. */
const SECRET_KEYS: ReadonlySet<string> = new Set<RawKey>([
  'polygonApiKey',
  'alpacaKey',
  'alpacaSecret',
  'redisUrl',
  'redisPassword',
  'mysqlPassword',
  'influxToken',
]);

/** The bundled sample data set named by `replay:sample`. */
export const SAMPLE_REPLAY_PATH = fileURLToPath(new URL('../../assets/replay/sample.csv', import.meta.url));

type Gathered = { readonly raw: Record<string, string | boolean>; readonly labels: Map<string, string> };

function readEnv(input: ConfigInput, cwd: string): Readonly<Record<string, string | undefined>> {
  const env = input.env ?? process.env;
  if (input.envFile === false) return env;
  const file = resolve(cwd, input.envFile ?? '.env');
  if (!existsSync(file)) return env;
  // The real environment wins over the file, as dotenv does.
  return { ...parseDotenv(readFileSync(file)), ...env };
}

function gather(input: ConfigInput, env: Readonly<Record<string, string | undefined>>): Gathered {
  const raw: Record<string, string | boolean> = {};
  const labels = new Map<string, string>();
  const take = (key: string, value: string | undefined, label: string): void => {
    if (value === undefined || raw[key] !== undefined) return;
    raw[key] = value;
    labels.set(key, label);
  };
  for (const option of VALUE_OPTIONS) {
    take(option.key, input.flags?.[option.key], option.flag.split(' ')[0] ?? option.key);
    if (option.env) take(option.key, env[option.env], option.env);
  }
  for (const [key, name] of ENV_KEYS) take(key, env[name], name);
  // SHARD_INDEX + SHARD_COUNT (e.g. from a StatefulSet ordinal) spell --shard i/n.
  if (env['SHARD_INDEX'] !== undefined || env['SHARD_COUNT'] !== undefined) {
    take('shard', `${env['SHARD_INDEX'] ?? ''}/${env['SHARD_COUNT'] ?? ''}`, 'SHARD_INDEX/SHARD_COUNT');
  }
  // Platforms that assign the port (Railway, Heroku) set PORT: honoured after --metrics-port and METRICS_PORT.
  take('metricsPort', env['PORT'], 'PORT');
  for (const key of ['simulation', 'portfolio', 'metrics', 'debug', 'verify'] as const) {
    const value = input.flags?.[key];
    if (value !== undefined) raw[key] = value;
  }
  return { raw, labels };
}

function describe(key: string, gathered: Gathered, message: string): string {
  const label = gathered.labels.get(key) ?? key;
  const value = gathered.raw[key];
  if (typeof value !== 'string' || SECRET_KEYS.has(key)) return `${label}: ${message}`;
  return `${label} "${value}": ${message}`;
}

function resolveSource(source: SourceSetting, cwd: string): SourceSetting {
  if (source.kind !== 'replay') return source;
  const path = source.path === 'sample' ? SAMPLE_REPLAY_PATH : resolve(cwd, source.path);
  return { ...source, path };
}

function crossFieldProblems(parsed: ParsedConfig, source: SourceSetting, gathered: Gathered, requireSymbols: boolean): string[] {
  const problems: string[] = [];
  const isReplay = source.kind === 'replay';
  if (parsed.interval === 0 && !isReplay) {
    problems.push(describe('interval', gathered, '0 (as fast as possible) is allowed only with --source replay:<path>'));
  }
  if (isReplay && !existsSync(source.path)) {
    problems.push(describe('source', gathered, `replay file or folder not found (${source.path})`));
  }
  if (requireSymbols && !isReplay && (parsed.symbols ?? []).length === 0) {
    problems.push('--symbols: required for live data (e.g. --symbols AAPL,MSFT or SYMBOLS=AAPL,MSFT)');
  }
  if ((parsed.alpacaKey === undefined) !== (parsed.alpacaSecret === undefined)) {
    problems.push('ALPACA_KEY and ALPACA_SECRET: expected both or neither');
  }
  if (parsed.redisUrl !== undefined && parsed.redisHost !== undefined) {
    problems.push('REDIS_URL and REDIS_HOST: expected one of them, not both');
  }
  return problems;
}

function build(parsed: ParsedConfig, source: SourceSetting, sim: SimulationSettings, cwd: string): Config {
  const redis = parsed.redisUrl
    ? { url: parsed.redisUrl }
    : parsed.redisHost
      ? { host: parsed.redisHost, port: parsed.redisPort, password: parsed.redisPassword }
      : undefined;
  const mysql = parsed.mysqlHost
    ? {
        host: parsed.mysqlHost,
        port: parsed.mysqlPort,
        user: parsed.mysqlUser,
        password: parsed.mysqlPassword,
        database: parsed.mysqlDatabase,
      }
    : undefined;
  const influx = parsed.influxUrl
    ? { url: parsed.influxUrl, token: parsed.influxToken, org: parsed.influxOrg, bucket: parsed.influxBucket }
    : undefined;
  return {
    symbols: (parsed.symbols ?? []).filter((s) => inShard(s.symbol, parsed.shard)),
    shard: parsed.shard,
    capitalUsd: parsed.capital,
    intervalS: parsed.interval,
    source,
    maxTicks: parsed.ticks,
    durationS: parsed.duration,
    simulation: parsed.simulation,
    sim,
    portfolio: parsed.portfolio,
    book: parsed.book ?? defaultBook(source.kind === 'replay', parsed.shard),
    dataDir: resolve(cwd, parsed.dataDir),
    episodicTtlS: parsed.episodicTtl,
    metrics: { enabled: parsed.metrics, port: parsed.metricsPort },
    zmq: { port: parsed.zmqPort, warmupMs: parsed.zmqWarmupMs },
    logLevel: parsed.debug ? 'debug' : parsed.logLevel,
    market: {
      chain: source.kind === 'provider' ? [source.name] : parsed.sources,
      maxQuoteAgeS: parsed.maxQuoteAge,
      verify: parsed.verify,
    },
    providers: {
      yahooBaseUrl: parsed.yahooBaseUrl,
      polygonApiKey: parsed.polygonApiKey,
      polygonBaseUrl: parsed.polygonBaseUrl,
      alpacaKey: parsed.alpacaKey,
      alpacaSecret: parsed.alpacaSecret,
      alpacaDataUrl: parsed.alpacaDataUrl,
      ccxtExchange: parsed.ccxtExchange,
      ccxtBaseUrl: parsed.ccxtBaseUrl,
    },
    sentiment: {
      cnnBaseUrl: parsed.cnnBaseUrl,
      altmeBaseUrl: parsed.altmeBaseUrl,
      intervalS: parsed.sentimentInterval,
      maxAgeS: parsed.sentimentMaxAge,
    },
    redis,
    mysql,
    influx,
  };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/**
 * Builds the one Config from flags > environment (.env) > defaults.
 * Every problem is reported at once, in one line, as a ConfigError.
 */
export function loadConfig(input: ConfigInput = {}): Config {
  const cwd = input.cwd ?? process.cwd();
  const env = readEnv(input, cwd);
  const gathered = gather(input, env);
  const result = rawConfigSchema.safeParse(gathered.raw);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => describe(String(issue.path[0] ?? ''), gathered, issue.message));
    throw new ConfigError(lines.join('; '), { code: ErrorCode.config });
  }
  const source = resolveSource(result.data.source, cwd);
  const problems = crossFieldProblems(result.data, source, gathered, input.requireSymbols ?? true);
  if (problems.length > 0) throw new ConfigError(problems.join('; '), { code: ErrorCode.config });
  const sim = readSimulationSettings(input.simulationFlags ?? {}, env);
  return deepFreeze(build(result.data, source, sim, cwd));
}

/** `live` or `replay`; a shard of several gets its own (`live-1-of-4`), so shards sharing an archive never share a book. */
function defaultBook(replay: boolean, shard: { readonly index: number; readonly count: number }): string {
  const base = replay ? DEFAULTS.replayBook : DEFAULTS.liveBook;
  return shard.count > 1 ? `${base}-${shard.index}-of-${shard.count}` : base;
}
