/**
 * The settings of `market-intel run`: where each comes from (flag, env) and
 * its default. The CLI builds its help from this table and the schema takes
 * its defaults from it, so the two never disagree.
 */

/** Default values, in one place. */
export const DEFAULTS = {
  capital: 100_000,
  intervalS: 1,
  source: 'auto',
  metricsPort: 9090,
  zmqPort: 5555,
  zmqWarmupMs: 0,
  logLevel: 'info',
  redisPort: 6379,
  mysqlPort: 3306,
  mysqlUser: 'root',
  mysqlDatabase: 'market_memory',
  sources: 'yahoo,polygon,alpaca,ccxt',
  sentimentIntervalS: 300,
  sentimentMaxAgeS: 172_800,
  ccxtExchange: 'binance',
  dataDir: 'data',
  liveBook: 'live',
  replayBook: 'replay',
  archiveFile: 'market_memory.sqlite',
  episodicTtlS: 3600,
} as const;

/** A value-taking option of `run`. */
export type ValueOption = {
  readonly key: RunValueKey;
  /** Commander flag spelling, e.g. `--capital <usd>`. */
  readonly flag: string;
  readonly env?: string;
  readonly help: string;
  readonly defaultText?: string;
};

/** Keys of the value-taking options. */
export type RunValueKey =
  | 'symbols'
  | 'capital'
  | 'interval'
  | 'source'
  | 'ticks'
  | 'duration'
  | 'metricsPort'
  | 'zmqPort'
  | 'zmqWarmupMs'
  | 'sources'
  | 'maxQuoteAge'
  | 'book'
  | 'dataDir'
  | 'shard';

export const VALUE_OPTIONS: readonly ValueOption[] = [
  {
    key: 'symbols',
    flag: '--symbols <list>',
    env: 'SYMBOLS',
    help: 'comma list of equities (AAPL) and crypto pairs (BTC/USDT); required live, defaults to every symbol of a replay',
  },
  { key: 'capital', flag: '--capital <usd>', env: 'CAPITAL', help: 'paper capital in USD, > 0', defaultText: String(DEFAULTS.capital) },
  {
    key: 'interval',
    flag: '--interval <seconds>',
    env: 'INTERVAL_S',
    help: 'seconds between ticks, >= 0; 0 = as fast as the pipeline goes (replay only)',
    defaultText: '1.0',
  },
  {
    key: 'source',
    flag: '--source <source>',
    env: 'MARKET_SOURCE',
    help: 'auto|yahoo|polygon|alpaca|ccxt|replay:<path>|replay:sample',
    defaultText: DEFAULTS.source,
  },
  {
    key: 'sources',
    flag: '--sources <list>',
    env: 'MARKET_SOURCES',
    help: 'provider chain for --source auto, tried in order per symbol; sources without credentials are skipped',
    defaultText: DEFAULTS.sources,
  },
  {
    key: 'maxQuoteAge',
    flag: '--max-quote-age <seconds>',
    env: 'MAX_QUOTE_AGE_S',
    help: 'refuse live quotes older than this (0 = no check); unset: 900 for equities in US market hours, 120 for crypto',
  },
  {
    key: 'dataDir',
    flag: '--data-dir <path>',
    env: 'DATA_DIR',
    help: 'folder of the embedded stores: the SQLite archive (market_memory.sqlite, with the portfolio\'s ledger) and the spool of unwritten events',
    defaultText: DEFAULTS.dataDir,
  },
  {
    key: 'book',
    flag: '--book <name>',
    env: 'BOOK',
    help: 'the paper portfolio\'s book in the archive (its ledger): restored at start; a replay resumes an unfinished run of it',
    defaultText: `${DEFAULTS.liveBook} (live), ${DEFAULTS.replayBook} (replay); with --shard i/n: ${DEFAULTS.liveBook}-<i>-of-<n>`,
  },
  {
    key: 'shard',
    flag: '--shard <i/n>',
    env: 'SHARD',
    help: 'watch only shard i of n of the symbols (stable hash of each symbol), so n workers split a watchlist; also SHARD_INDEX + SHARD_COUNT',
    defaultText: '0/1',
  },
  { key: 'ticks', flag: '--ticks <n>', help: 'stop after n ticks (integer >= 1)' },
  { key: 'duration', flag: '--duration <seconds>', help: 'stop after this many wall-clock seconds (> 0)' },
  { key: 'metricsPort', flag: '--metrics-port <port>', env: 'METRICS_PORT', help: 'HTTP port for /metrics and health', defaultText: String(DEFAULTS.metricsPort) },
  { key: 'zmqPort', flag: '--zmq-port <port>', env: 'ZMQ_PORT', help: 'TCP port of the ZeroMQ PUB socket (bound on all interfaces)', defaultText: String(DEFAULTS.zmqPort) },
  {
    key: 'zmqWarmupMs',
    flag: '--zmq-warmup-ms <ms>',
    env: 'ZMQ_WARMUP_MS',
    help: 'wait this long after binding before the first publish, so subscribers can connect',
    defaultText: String(DEFAULTS.zmqWarmupMs),
  },
];

/** Environment-only settings (credentials, stores), for help and .env.example. */
export const ENV_ONLY: readonly { readonly env: string; readonly help: string; readonly secret?: boolean }[] = [
  { env: 'PORT', help: 'the HTTP port when METRICS_PORT is unset (set by platforms such as Railway)' },
  { env: 'LOG_LEVEL', help: `fatal|error|warn|info|debug|trace|silent (default ${DEFAULTS.logLevel}; --debug sets debug)` },
  { env: 'YAHOO_BASE_URL', help: 'send Yahoo Finance requests to this base URL instead (proxy, mirror, test server)' },
  { env: 'POLYGON_API_KEY', help: 'Polygon.io API key (enables the polygon source)', secret: true },
  { env: 'POLYGON_BASE_URL', help: 'Polygon REST base URL (default https://api.polygon.io)' },
  { env: 'ALPACA_KEY', help: 'Alpaca API key id (with ALPACA_SECRET, enables the alpaca source)', secret: true },
  { env: 'ALPACA_SECRET', help: 'Alpaca API secret key', secret: true },
  { env: 'ALPACA_DATA_URL', help: 'Alpaca market-data base URL (default https://data.alpaca.markets)' },
  { env: 'CCXT_EXCHANGE', help: `ccxt exchange id for crypto pairs (default ${DEFAULTS.ccxtExchange})` },
  { env: 'CCXT_BASE_URL', help: 'base URL replacing the exchange public API (binance only: proxies, mirrors, tests)' },
  { env: 'CNN_FNG_BASE_URL', help: 'CNN Fear & Greed base URL (default https://production.dataviz.cnn.io)' },
  { env: 'ALTME_FNG_BASE_URL', help: 'alternative.me crypto Fear & Greed base URL (default https://api.alternative.me)' },
  { env: 'SENTIMENT_INTERVAL', help: `seconds between sentiment fetches (default ${DEFAULTS.sentimentIntervalS})` },
  {
    env: 'SENTIMENT_MAX_AGE_S',
    help: `an index older than this falls back to the price proxy (default ${DEFAULTS.sentimentMaxAgeS}, 2 days; 0 = never)`,
  },
  { env: 'SHARD_INDEX', help: 'this worker\'s shard, 0-based, with SHARD_COUNT (what --shard i/n sets; e.g. a StatefulSet pod ordinal)' },
  { env: 'SHARD_COUNT', help: 'how many workers split the symbols (with SHARD_INDEX)' },
  { env: 'SIM_BACKEND', help: 'simulation backend auto|node-gpu|node|wasm|cpu (default auto; --backend)' },
  { env: 'NUM_BASE_TICKERS', help: 'simulation: base instruments, the watched symbols first (default 20)' },
  { env: 'DERIVS_PER_TICKER', help: 'simulation: derivative instruments per base (default 5)' },
  { env: 'CROSS_SAMPLE_K', help: 'simulation: instruments each instrument herds on, sampled afresh each step (default 10)' },
  { env: 'ETA', help: 'simulation: weight of each agent\'s private noise (default 0.4)' },
  { env: 'PHI_LADDER', help: 'simulation: trend horizons as multiples of 10 steps (default 0.3,0.8,1.618)' },
  { env: 'UPDATE_INTERVAL', help: 'simulation: seconds between steps in a live run (default 0.1)' },
  { env: 'SIM_AGENTS', help: 'simulation: agents per instrument (default 1000)' },
  { env: 'SIM_SEED', help: 'simulation: seed of every random draw (default 42)' },
  { env: 'SIGNAL_THRESHOLD', help: 'simulation: |drift/standard error| for BUY/SELL instead of HOLD (default 2)' },
  { env: 'EPISODIC_TTL', help: `seconds every episodic-memory key and stream entry lives (default ${DEFAULTS.episodicTtlS})` },
  { env: 'REDIS_URL', help: 'redis://[user:pass@]host:port/db for episodic memory (or REDIS_HOST/REDIS_PORT)', secret: true },
  { env: 'REDIS_HOST', help: 'Redis host (episodic memory); unset = embedded in-process store' },
  { env: 'REDIS_PORT', help: `Redis port (default ${DEFAULTS.redisPort})` },
  { env: 'REDIS_PASSWORD', help: 'Redis password', secret: true },
  { env: 'MYSQL_HOST', help: 'MySQL/MariaDB host for the archive; unset = embedded SQLite under data/' },
  { env: 'MYSQL_PORT', help: `MySQL port (default ${DEFAULTS.mysqlPort})` },
  { env: 'MYSQL_USER', help: `MySQL user (default ${DEFAULTS.mysqlUser})` },
  { env: 'MYSQL_PASSWORD', help: 'MySQL password', secret: true },
  { env: 'MYSQL_DB', help: `MySQL database (alias MYSQL_DATABASE; default ${DEFAULTS.mysqlDatabase})` },
  { env: 'INFLUXDB_URL', help: 'InfluxDB v2 API URL for time series; unset = off' },
  { env: 'INFLUXDB_TOKEN', help: 'InfluxDB token', secret: true },
  { env: 'INFLUXDB_ORG', help: 'InfluxDB organisation' },
  { env: 'INFLUXDB_BUCKET', help: 'InfluxDB bucket' },
];
