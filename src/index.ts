/**
 * market-intel's programmatic API: run the worker, or its parts, from code.
 * Later capabilities (PortfolioManager, SentimentEngine, …) join this list.
 */
export { loadConfig, redactConfig, type Config, type ConfigInput } from './config/index.js';
export { createWorker, type Worker, type WorkerDeps, type RunSummary } from './worker/index.js';
export { createLogger, type Logger } from './telemetry/logger.js';
export { ZmqPublisher, subscribe, topics } from './bus/index.js';
export * from './domain/index.js';
export type { Tick, TickFeed, MarketDataSource } from './market/port.js';
