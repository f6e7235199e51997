import type { Metrics } from '../../src/telemetry/metrics.js';

/** Sets every series once so that each metric name has at least one sample. */
export function exerciseAllMetrics(m: Metrics): void {
  m.serviceUp('fetcher', true);
  m.breakerState('polygon', 'open');
  m.error('fetcher');
  m.dataFetch('yahoo', 0.12, true);
  m.published('quote.AAPL');
  m.dataAge('AAPL', 3);
  m.quoteRejected('yahoo', 'stale');
  m.portfolio({ equity: 100_500, realizedPnl: 300, unrealizedPnl: 200, totalPnl: 500, exposure: 0.4, winRate: 0.6 });
  m.trade('SELL', 'take_profit', 42);
  m.simulation({ globalState: 2, stepSeconds: 0.004 });
  m.simulationSignal('BUY');
  m.sentiment('stocks', 'cnn', 55);
  m.storeBacklog('redis', 7);
  m.tickDuration(0.25);
  m.eventLoopDelay(0.002);
}
