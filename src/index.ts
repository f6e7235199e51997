/**
 * market-intel's programmatic API: run the worker, or its parts, from code.
 * Later capabilities (the simulation, the stores, metrics) join this list.
 */
export { loadConfig, redactConfig, type Config, type ConfigInput } from './config/index.js';
export { createWorker, type Worker, type WorkerDeps, type RunSummary } from './worker/index.js';
export { createLogger, type Logger } from './telemetry/logger.js';
export {
  PortfolioManager,
  PortfolioOptionError,
  MemoryLedger,
  type PortfolioOptions,
  type Ledger,
  type LedgerRecord,
} from './portfolio/index.js';
export { SqliteLedger } from './storage/sqlite-ledger.js';
export { SentimentEngine, type SentimentSnapshot, type MarketMood, type SentimentEngineOptions } from './sentiment/engine.js';
export { CnnSentimentSource } from './sentiment/cnn/index.js';
export { AlternativeMeSentimentSource } from './sentiment/alternative-me/index.js';
export type { SentimentSource } from './sentiment/port.js';
export { computeProxyIndex } from './sentiment/proxy.js';
export { QuoteFetcher, type FetchEvent, type FetchResult } from './market/fetcher.js';
export { ZmqPublisher, subscribe, topics } from './bus/index.js';
export * from './domain/index.js';
export type { Tick, TickFeed, MarketDataSource } from './market/port.js';
export { initializeMetrics, type InitializeMetricsOptions, type MetricsEndpoint } from './telemetry/api.js';
export type { MetricsApi } from './telemetry/metrics.js';
export {
  SimulationEngine,
  SimulationThread,
  simulationParams,
  stylizedFacts,
  chooseBackend,
  type SimulationStep,
  type SimulationSignal,
  type StylizedFacts,
} from './simulation/index.js';
