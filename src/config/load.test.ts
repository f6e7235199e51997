import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../domain/index.js';
import { loadConfig, SAMPLE_REPLAY_PATH, type ConfigInput } from './load.js';
import { redactConfig, secretValues, REDACTED } from './redact.js';

const noEnvFile = { envFile: false } as const;

function load(input: ConfigInput) {
  return loadConfig({ env: {}, ...noEnvFile, ...input });
}

function errorOf(input: ConfigInput): string {
  try {
    load(input);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = load({ flags: { symbols: 'aapl,BTC/usdt' } });
    expect(config.symbols).toEqual([
      { symbol: 'AAPL', assetClass: 'equity' },
      { symbol: 'BTC/USDT', assetClass: 'crypto' },
    ]);
    expect(config.capitalUsd).toBe(100_000);
    expect(config.intervalS).toBe(1);
    expect(config.source).toEqual({ kind: 'auto' });
    expect(config.metrics).toEqual({ enabled: true, port: 9090 });
    expect(config.zmq).toEqual({ port: 5555, warmupMs: 0 });
    expect(config.logLevel).toBe('info');
    expect(config.redis).toBeUndefined();
    expect(config.mysql).toBeUndefined();
    expect(config.influx).toBeUndefined();
  });

  it('names the portfolio book live or replay unless --book or BOOK names another; refuses a name that is not one', () => {
    expect(load({ flags: { symbols: 'AAPL' } }).book).toBe('live');
    expect(load({ flags: { source: 'replay:sample' } }).book).toBe('replay');
    expect(load({ flags: { symbols: 'AAPL', shard: '1/4' } }).book).toBe('live-1-of-4');
    expect(load({ env: { BOOK: 'desk-2' }, flags: { symbols: 'AAPL' } }).book).toBe('desk-2');
    expect(load({ env: { BOOK: 'desk-2' }, flags: { symbols: 'AAPL', book: 'q4.test@2026' } }).book).toBe('q4.test@2026');
    expect(() => load({ flags: { symbols: 'AAPL', book: "a b'" } })).toThrow(/--book "a b'": expected 1 to 64 letters/);
  });

  it('takes flags over the environment over the .env file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mi-config-'));
    writeFileSync(join(dir, '.env'), 'ZMQ_PORT=6001\nMETRICS_PORT=7001\nCAPITAL=5\nSYMBOLS=IBM\n');
    const config = loadConfig({
      cwd: dir,
      env: { METRICS_PORT: '7002', CAPITAL: '6' },
      flags: { capital: '7.25' },
    });
    expect(config.zmq.port).toBe(6001);
    expect(config.metrics.port).toBe(7002);
    expect(config.capitalUsd).toBe(7.25);
    expect(config.symbols.map((s) => s.symbol)).toEqual(['IBM']);
  });

  it('takes PORT for the HTTP port only when neither --metrics-port nor METRICS_PORT is given', () => {
    expect(load({ flags: { symbols: 'AAPL' }, env: { PORT: '8080' } }).metrics.port).toBe(8080);
    expect(load({ flags: { symbols: 'AAPL' }, env: { PORT: '8080', METRICS_PORT: '9100' } }).metrics.port).toBe(9100);
    expect(load({ flags: { symbols: 'AAPL', metricsPort: '9200' }, env: { PORT: '8080' } }).metrics.port).toBe(9200);
    expect(errorOf({ flags: { symbols: 'AAPL' }, env: { PORT: 'eighty' } })).toBe('PORT "eighty": expected an integer port 1-65535');
  });

  it('builds store sections only when configured, with MYSQL_DATABASE as an alias', () => {
    const config = load({
      flags: { symbols: 'AAPL' },
      env: { REDIS_HOST: 'cache', REDIS_PASSWORD: 'pw', MYSQL_HOST: 'db', MYSQL_DATABASE: 'mm', INFLUXDB_URL: 'http://tsdb:8086' },
    });
    expect(config.redis).toEqual({ host: 'cache', port: 6379, password: 'pw' });
    expect(config.mysql).toEqual({ host: 'db', port: 3306, user: 'root', password: undefined, database: 'mm' });
    expect(config.influx?.url).toBe('http://tsdb:8086/');
  });

  it('is frozen all the way down', () => {
    const config = load({ flags: { symbols: 'AAPL' } });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.symbols[0])).toBe(true);
    expect(Object.isFrozen(config.zmq)).toBe(true);
  });

  it('resolves replay:sample to the bundled data set and needs no symbols', () => {
    const config = load({ flags: { source: 'replay:sample', interval: '0' } });
    expect(config.source).toEqual({ kind: 'replay', path: SAMPLE_REPLAY_PATH, label: 'replay:sample' });
    expect(config.intervalS).toBe(0);
    expect(config.symbols).toEqual([]);
  });

  it.each([
    [{ capital: '-5' }, '--capital "-5": expected a number > 0'],
    [{ capital: 'abc' }, '--capital "abc": expected a number > 0'],
    [{ capital: '0x10' }, '--capital "0x10": expected a number > 0'],
    [{ capital: '10.005' }, '--capital "10.005": expected a number > 0 (USD, at most 2 decimals'],
    [{ interval: '-1' }, '--interval "-1": expected a number of seconds >= 0'],
    [{ metricsPort: '70000' }, '--metrics-port "70000": expected an integer port 1-65535'],
    [{ zmqPort: '0' }, '--zmq-port "0": expected an integer port 1-65535'],
    [{ symbols: '' }, '--symbols "": expected symbols like AAPL'],
    [{ symbols: 'AAPL,,MSFT' }, '--symbols "AAPL,,MSFT": expected symbols like AAPL'],
    [{ symbols: 'AA PL' }, '--symbols "AA PL": expected symbols like AAPL'],
    [{ source: 'bloomberg' }, '--source "bloomberg": expected auto, yahoo, polygon, alpaca, ccxt, replay:sample or replay:<path>'],
    [{ ticks: '1.5' }, '--ticks "1.5": expected an integer >= 1'],
    [{ duration: '0' }, '--duration "0": expected a number of seconds > 0'],
  ])('rejects %j with one line naming the value', (flags, expected) => {
    const message = errorOf({ flags: { symbols: 'AAPL', ...flags } });
    expect(message).toContain(expected);
    expect(message).not.toContain('\n');
  });

  it('names the environment variable when the bad value came from it', () => {
    expect(errorOf({ flags: { symbols: 'AAPL' }, env: { ZMQ_PORT: 'abc' } })).toBe(
      'ZMQ_PORT "abc": expected an integer port 1-65535',
    );
  });

  it('allows interval 0 only with a replay source', () => {
    expect(errorOf({ flags: { symbols: 'AAPL', interval: '0' } })).toBe(
      '--interval "0": 0 (as fast as possible) is allowed only with --source replay:<path>',
    );
  });

  it('rejects a replay file that does not exist', () => {
    expect(errorOf({ flags: { source: 'replay:/nonexistent/x.csv' } })).toBe(
      '--source "replay:/nonexistent/x.csv": replay file or folder not found (/nonexistent/x.csv)',
    );
  });

  it('requires symbols for live data', () => {
    expect(errorOf({})).toContain('--symbols: required for live data');
  });

  it('reports every problem at once, on one line', () => {
    const message = errorOf({ flags: { symbols: 'AAPL', capital: '-1', zmqPort: 'x' } });
    expect(message).toBe('--capital "-1": expected a number > 0 (USD, at most 2 decimals, at most 1e12); --zmq-port "x": expected an integer port 1-65535');
  });

  it('never echoes a secret in an error', () => {
    const message = errorOf({ flags: { symbols: 'AAPL' }, env: { REDIS_URL: 'http://u:hunter2@h' } });
    expect(message).toBe('REDIS_URL: expected a URL starting with redis:// or rediss://');
    expect(message).not.toContain('hunter2');
  });
});

describe('redactConfig', () => {
  it('masks every credential and keeps the rest', () => {
    const config = load({
      flags: { symbols: 'AAPL' },
      env: {
        POLYGON_API_KEY: 'poly-secret',
        ALPACA_KEY: 'alp-key',
        ALPACA_SECRET: 'alp-secret',
        REDIS_URL: 'redis://user:redis-secret@cache:6379/0',
        MYSQL_HOST: 'db',
        MYSQL_PASSWORD: 'mysql-secret',
        INFLUXDB_URL: 'http://tsdb:8086',
        INFLUXDB_TOKEN: 'influx-secret',
      },
    });
    const printed = JSON.stringify(redactConfig(config));
    for (const secret of secretValues(config)) expect(printed).not.toContain(secret);
    expect(secretValues(config)).toEqual(['poly-secret', 'alp-key', 'alp-secret', 'mysql-secret', 'influx-secret', 'redis-secret']);
    expect(printed).toContain(REDACTED);
    expect(printed).toContain('cache:6379');
  });
});

describe('loadConfig --shard', () => {
  it('keeps only this shard\'s symbols, from --shard i/n or SHARD_INDEX + SHARD_COUNT, and the shards cover the list once', () => {
    const symbols = 'AAPL,MSFT,NVDA,TSLA,GOOGL,AMZN,META,BTC/USDT';
    const parts = [0, 1, 2].map((i) => load({ flags: { symbols, shard: `${i}/3` } }).symbols.map((s) => s.symbol));
    expect(parts.flat().sort()).toEqual(symbols.split(',').sort());
    const fromEnv = load({ env: { SHARD_INDEX: '1', SHARD_COUNT: '3' }, flags: { symbols } });
    expect(fromEnv.shard).toEqual({ index: 1, count: 3 });
    expect(fromEnv.symbols.map((s) => s.symbol)).toEqual(parts[1]);
    expect(load({ flags: { symbols } }).shard).toEqual({ index: 0, count: 1 });
  });

  it.each([
    [{ flags: { symbols: 'AAPL', shard: '3/3' } }, '--shard "3/3": expected i/n with 0 <= i < n <= 1024, e.g. 0/3'],
    [{ flags: { symbols: 'AAPL', shard: 'two' } }, '--shard "two": expected i/n with 0 <= i < n <= 1024, e.g. 0/3'],
    [{ env: { SHARD_INDEX: '1' }, flags: { symbols: 'AAPL' } }, 'SHARD_INDEX/SHARD_COUNT "1/": expected i/n with 0 <= i < n <= 1024, e.g. 0/3'],
  ])('rejects %j in one line', (input, message) => {
    expect(errorOf(input)).toBe(message);
  });
});
