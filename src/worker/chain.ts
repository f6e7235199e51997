import type { Config, ProviderName } from '../config/index.js';
import { ConfigError, ErrorCode, type Clock } from '../domain/index.js';
import { QuoteFetcher, type FetchEvent } from '../market/fetcher.js';
import type { MarketDataSource } from '../market/port.js';
import type { RateBudget } from '../market/source-slot.js';

/**
 * Request budgets per provider, from their published limits:
 * Polygon's free tier allows 5 requests a minute; Alpaca's free data plan
 * 200 a minute (a call asking for stocks and crypto makes two requests, so
 * 100 calls); Yahoo publishes none (we stay at one batched request a
 * second and back off on 429); Binance allows 6,000 request weight a minute
 * (a batched 24h ticker weighs up to 80).
 */
export const RATE_BUDGETS: Readonly<Record<ProviderName, RateBudget>> = {
  yahoo: { requests: 60, perMs: 60_000 },
  polygon: { requests: 5, perMs: 60_000 },
  alpaca: { requests: 100, perMs: 60_000 },
  ccxt: { requests: 60, perMs: 60_000 },
};

/** A provider left out of the chain, and why (said once at start). */
export type SkippedSource = { readonly source: ProviderName; readonly reason: string };

/**
 * Builds one provider, or says why it is left out. Vendor clients are
 * imported here, on demand: loading all four costs seconds at start-up
 * (ccxt alone about 1.6 s), which a replay or a --version never needs.
 */
async function buildSource(name: ProviderName, config: Config): Promise<MarketDataSource | string> {
  const p = config.providers;
  switch (name) {
    case 'yahoo': {
      const { YahooMarketDataSource } = await import('../market/sources/yahoo/index.js');
      return new YahooMarketDataSource({ baseUrl: p.yahooBaseUrl });
    }
    case 'polygon': {
      if (!p.polygonApiKey) return 'POLYGON_API_KEY is not set';
      const { PolygonMarketDataSource } = await import('../market/sources/polygon/index.js');
      return new PolygonMarketDataSource({ apiKey: p.polygonApiKey, baseUrl: p.polygonBaseUrl });
    }
    case 'alpaca': {
      if (!p.alpacaKey || !p.alpacaSecret) return 'ALPACA_KEY and ALPACA_SECRET are not set';
      const { AlpacaMarketDataSource } = await import('../market/sources/alpaca/index.js');
      return new AlpacaMarketDataSource({ keyId: p.alpacaKey, secretKey: p.alpacaSecret, baseUrl: p.alpacaDataUrl });
    }
    case 'ccxt': {
      if (!config.symbols.some((s) => s.assetClass === 'crypto')) return 'no crypto pair is watched';
      const { CcxtMarketDataSource } = await import('../market/sources/ccxt/index.js');
      return new CcxtMarketDataSource({ exchange: p.ccxtExchange, baseUrl: p.ccxtBaseUrl });
    }
  }
}

/** A built chain and the providers it left out. */
export type Chain = { readonly fetcher: QuoteFetcher; readonly skipped: readonly SkippedSource[] };

/**
 * Builds the provider chain the config asks for.
 * @throws ConfigError when no provider of the chain can run.
 */
export async function buildChain(config: Config, clock: Clock, onEvent: (event: FetchEvent) => void): Promise<Chain> {
  const sources: MarketDataSource[] = [];
  const skipped: SkippedSource[] = [];
  for (const name of config.market.chain) {
    const built = await buildSource(name, config);
    if (typeof built === 'string') skipped.push({ source: name, reason: built });
    else sources.push(built);
  }
  const budgets = Object.fromEntries(sources.map((s) => [s.name, RATE_BUDGETS[providerOf(s.name)]]));
  if (sources.length === 0) {
    const reasons = skipped.map((s) => `${s.source}: ${s.reason}`).join('; ');
    const label = config.source.kind === 'provider' ? `--source "${config.source.name}"` : '--sources';
    throw new ConfigError(`${label}: no provider can run (${reasons})`, { code: ErrorCode.sourceUnavailable });
  }
  const fetcher = new QuoteFetcher({ sources, clock, budgets, maxQuoteAgeS: config.market.maxQuoteAgeS, verify: config.market.verify, onEvent });
  return { fetcher, skipped };
}

function providerOf(sourceName: string): ProviderName {
  if (sourceName.startsWith('ccxt')) return 'ccxt';
  return sourceName === 'polygon' || sourceName === 'alpaca' ? sourceName : 'yahoo';
}
