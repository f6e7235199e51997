import type { Config, ProviderName } from '../config/index.js';
import type { Clock } from '../domain/index.js';
import { QuoteFetcher, type FetchEvent } from '../market/fetcher.js';
import type { MarketDataSource } from '../market/port.js';
import type { RateBudget } from '../market/source-slot.js';
import { AlpacaMarketDataSource } from '../market/sources/alpaca/index.js';
import { CcxtMarketDataSource } from '../market/sources/ccxt/index.js';
import { PolygonMarketDataSource } from '../market/sources/polygon/index.js';
import { YahooMarketDataSource } from '../market/sources/yahoo/index.js';

/**
 * Request budgets per provider, from their published limits:
 * Polygon's free tier allows 5 requests a minute; Alpaca's free data plan
 * 200 a minute; Yahoo publishes none (we stay at one batched request a
 * second and back off on 429); Binance allows 6,000 request weight a minute
 * (a batched 24h ticker weighs up to 80).
 */
export const RATE_BUDGETS: Readonly<Record<ProviderName, RateBudget>> = {
  yahoo: { requests: 60, perMs: 60_000 },
  polygon: { requests: 5, perMs: 60_000 },
  alpaca: { requests: 200, perMs: 60_000 },
  ccxt: { requests: 60, perMs: 60_000 },
};

/** A provider left out of the chain, and why (said once at start). */
export type SkippedSource = { readonly source: ProviderName; readonly reason: string };

function buildSource(name: ProviderName, config: Config): MarketDataSource | string {
  const p = config.providers;
  switch (name) {
    case 'yahoo':
      return new YahooMarketDataSource({ baseUrl: p.yahooBaseUrl });
    case 'polygon':
      return p.polygonApiKey ? new PolygonMarketDataSource({ apiKey: p.polygonApiKey, baseUrl: p.polygonBaseUrl }) : 'POLYGON_API_KEY is not set';
    case 'alpaca':
      return p.alpacaKey && p.alpacaSecret
        ? new AlpacaMarketDataSource({ keyId: p.alpacaKey, secretKey: p.alpacaSecret, baseUrl: p.alpacaDataUrl })
        : 'ALPACA_KEY and ALPACA_SECRET are not set';
    case 'ccxt':
      return config.symbols.some((s) => s.assetClass === 'crypto')
        ? new CcxtMarketDataSource({ exchange: p.ccxtExchange, baseUrl: p.ccxtBaseUrl })
        : 'no crypto pair is watched';
  }
}

/** Builds the provider chain the config asks for. */
export function buildChain(
  config: Config,
  clock: Clock,
  onEvent: (event: FetchEvent) => void,
): { readonly fetcher: QuoteFetcher; readonly skipped: readonly SkippedSource[] } {
  const sources: MarketDataSource[] = [];
  const skipped: SkippedSource[] = [];
  for (const name of config.market.chain) {
    const built = buildSource(name, config);
    if (typeof built === 'string') skipped.push({ source: name, reason: built });
    else sources.push(built);
  }
  const budgets = Object.fromEntries(sources.map((s) => [s.name, RATE_BUDGETS[providerOf(s.name)]]));
  const fetcher = new QuoteFetcher({ sources, clock, budgets, maxQuoteAgeS: config.market.maxQuoteAgeS, verify: config.market.verify, onEvent });
  return { fetcher, skipped };
}

function providerOf(sourceName: string): ProviderName {
  if (sourceName.startsWith('ccxt')) return 'ccxt';
  return sourceName === 'polygon' || sourceName === 'alpaca' ? sourceName : 'yahoo';
}
