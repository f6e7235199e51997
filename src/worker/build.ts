import type { Config } from '../config/index.js';
import { ConfigError, ErrorCode, systemClock, type Clock, ReplayClock } from '../domain/index.js';
import { LiveFeed } from '../market/live-feed.js';
import type { TickFeed } from '../market/port.js';
import { ReplayFeed } from '../market/replay-feed.js';
import { YahooMarketDataSource } from '../market/sources/yahoo/index.js';
import { ZmqPublisher } from '../bus/index.js';

/** The in-process endpoint every run binds besides tcp. */
export const INPROC_ENDPOINT = 'inproc://market-intel';

/** The market side of a run: its feed and the clock the feed drives. */
export type MarketParts = { readonly feed: TickFeed; readonly clock: Clock };

/** Builds the tick feed the config asks for, with its clock. */
export function buildMarket(config: Config): MarketParts {
  const symbols = config.symbols.map((s) => s.symbol);
  const { source } = config;
  if (source.kind === 'replay') {
    const clock = new ReplayClock();
    return { clock, feed: new ReplayFeed({ path: source.path, symbols, onTick: (tsMs) => clock.set(tsMs) }) };
  }
  if (source.kind === 'auto' || source.name === 'yahoo') {
    return { clock: systemClock, feed: new LiveFeed({ source: new YahooMarketDataSource({ baseUrl: config.providers.yahooBaseUrl }), symbols, clock: systemClock }) };
  }
  throw new ConfigError(
    `--source "${source.name}": this build serves auto (yahoo), yahoo and replay:<path>; the ${source.name} adapter is not in this build yet`,
    { code: ErrorCode.sourceUnavailable },
  );
}

/** Builds the ZeroMQ publisher bound in-process and on the configured tcp port. */
export function buildBus(config: Config): ZmqPublisher {
  return new ZmqPublisher({ endpoints: [INPROC_ENDPOINT, `tcp://*:${config.zmq.port}`] });
}
