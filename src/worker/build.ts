import type { Config } from '../config/index.js';
import { systemClock, type Clock, ReplayClock } from '../domain/index.js';
import type { FetchEvent } from '../market/fetcher.js';
import { LiveFeed } from '../market/live-feed.js';
import type { TickFeed } from '../market/port.js';
import { ReplayFeed } from '../market/replay-feed.js';
import { ZmqPublisher } from '../bus/index.js';
import { buildChain, type SkippedSource } from './chain.js';
import { SentimentEngine, type SentimentProblem } from '../sentiment/engine.js';
import { CnnSentimentSource } from '../sentiment/cnn/index.js';
import { AlternativeMeSentimentSource } from '../sentiment/alternative-me/index.js';

/** The in-process endpoint every run binds besides tcp. */
export const INPROC_ENDPOINT = 'inproc://market-intel';

/** The market side of a run: its feed and the clock the feed drives. */
export type MarketParts = { readonly feed: TickFeed; readonly clock: Clock };

/** Builds the tick feed the config asks for, with its clock. */
export function buildMarket(
  config: Config,
  onEvent: (event: FetchEvent) => void,
  onSkipped: (skipped: readonly SkippedSource[]) => void,
): MarketParts {
  const { source } = config;
  if (source.kind === 'replay') {
    const clock = new ReplayClock();
    const symbols = config.symbols.map((s) => s.symbol);
    return { clock, feed: new ReplayFeed({ path: source.path, symbols, onTick: (tsMs) => clock.set(tsMs) }) };
  }
  const connect = async () => {
    const { fetcher, skipped } = await buildChain(config, systemClock, onEvent);
    onSkipped(skipped);
    return fetcher;
  };
  return { clock: systemClock, feed: new LiveFeed({ connect, symbols: config.symbols, clock: systemClock }) };
}

/** Builds the ZeroMQ publisher bound in-process and on the configured tcp port. */
export function buildBus(config: Config): ZmqPublisher {
  return new ZmqPublisher({ endpoints: [INPROC_ENDPOINT, `tcp://*:${config.zmq.port}`] });
}

/**
 * The sentiment engine. Live runs read CNN (equities) and alternative.me
 * (crypto) on their own cadence; replays use only the proxy computed from
 * the replayed prices, since today's index says nothing about a replayed past.
 */
export function buildSentiment(
  config: Config,
  clock: Clock,
  live: boolean,
  onProblem: (problem: SentimentProblem) => void,
): SentimentEngine {
  const sources = live
    ? [
        new CnnSentimentSource({ baseUrl: config.sentiment.cnnBaseUrl }),
        new AlternativeMeSentimentSource({ baseUrl: config.sentiment.altmeBaseUrl }),
      ]
    : [];
  return new SentimentEngine({
    sources,
    clock,
    ttlMs: config.sentiment.intervalS * 1000,
    maxAgeMs: config.sentiment.maxAgeS * 1000,
    onProblem,
  });
}
