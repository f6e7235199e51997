import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { Metrics, createMetricsApi, topicType } from './metrics.js';
import { exerciseAllMetrics } from '../../tests/helpers/metrics-samples.js';

/** Issue 8 item 1: every name and its type (histograms where the issue says, counters end in _total). */
const EXPECTED_TYPES: Record<string, string> = {
  market_system_service_up: 'gauge',
  market_system_circuit_breaker_state: 'gauge',
  market_system_errors_total: 'counter',
  market_system_data_fetch_duration_seconds: 'histogram',
  market_system_data_fetch_total: 'counter',
  market_system_data_points_published_total: 'counter',
  market_system_data_age_seconds: 'gauge',
  market_system_quote_rejections_total: 'counter',
  market_system_portfolio_value_dollars: 'gauge',
  market_system_portfolio_pnl_dollars: 'gauge',
  market_system_portfolio_exposure_ratio: 'gauge',
  market_system_win_rate: 'gauge',
  market_system_trade_pnl_dollars: 'histogram',
  market_system_trades_total: 'counter',
  market_system_simulation_global_state: 'gauge',
  market_system_simulation_signals_total: 'counter',
  market_system_simulation_step_duration_seconds: 'gauge',
  market_system_sentiment_index: 'gauge',
  market_system_store_backlog: 'gauge',
  market_system_tick_duration_seconds: 'gauge',
  market_system_event_loop_delay_seconds: 'gauge',
};

type Sample = { readonly name: string; readonly labels: Record<string, string>; readonly value: number };
type Exposition = { readonly types: Map<string, string>; readonly samples: Sample[] };

/** Parses Prometheus text format 0.0.4 (prom-client's output: no escaped quotes in our label values). */
function parse(text: string): Exposition {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) types.set(type[1]!, type[2]!);
    const sample = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!sample) continue;
    const labels: Record<string, string> = {};
    for (const m of (sample[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)) labels[m[1]!] = m[2]!;
    samples.push({ name: sample[1]!, labels, value: Number(sample[3]) });
  }
  return { types, samples };
}

function find(exp: Exposition, name: string, labels: Record<string, string> = {}): Sample[] {
  return exp.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

function valueOf(exp: Exposition, name: string, labels: Record<string, string> = {}): number | undefined {
  const hits = find(exp, name, labels);
  expect(hits.length, `${name} ${JSON.stringify(labels)}`).toBeLessThanOrEqual(1);
  return hits[0]?.value;
}


describe('Metrics', () => {
  it('exports every metric of issue 8 item 1 with its TYPE line and type', async () => {
    const m = new Metrics();
    exerciseAllMetrics(m);
    const exp = parse(await m.render());
    for (const [name, type] of Object.entries(EXPECTED_TYPES)) {
      expect(exp.types.get(name), name).toBe(type);
      const sampleName = type === 'histogram' ? `${name}_count` : name;
      expect(find(exp, sampleName).length, `${sampleName} has a sample`).toBeGreaterThan(0);
    }
    const ours = [...exp.types.keys()].filter((n) => n.startsWith('market_system_')).sort();
    expect(ours).toEqual(Object.keys(EXPECTED_TYPES).sort());
  });

  it('exposes the label values it was given', async () => {
    const m = new Metrics({ defaultMetrics: false });
    exerciseAllMetrics(m);
    m.serviceUp('bus', false);
    m.dataFetch('yahoo', 0.3, false);
    m.dataFetch('yahoo', 0.01, true);
    m.trade('BUY', 'signal');
    const exp = parse(await m.render());
    expect(valueOf(exp, 'market_system_service_up', { service: 'fetcher' })).toBe(1);
    expect(valueOf(exp, 'market_system_service_up', { service: 'bus' })).toBe(0);
    expect(valueOf(exp, 'market_system_errors_total', { component: 'fetcher' })).toBe(1);
    expect(valueOf(exp, 'market_system_data_fetch_total', { source: 'yahoo', status: 'ok' })).toBe(2);
    expect(valueOf(exp, 'market_system_data_fetch_total', { source: 'yahoo', status: 'error' })).toBe(1);
    expect(valueOf(exp, 'market_system_data_fetch_duration_seconds_count', { source: 'yahoo' })).toBe(3);
    expect(valueOf(exp, 'market_system_data_age_seconds', { symbol: 'AAPL' })).toBe(3);
    expect(valueOf(exp, 'market_system_quote_rejections_total', { source: 'yahoo', reason: 'stale' })).toBe(1);
    expect(valueOf(exp, 'market_system_portfolio_value_dollars')).toBe(100_500);
    expect(valueOf(exp, 'market_system_portfolio_pnl_dollars', { type: 'realized' })).toBe(300);
    expect(valueOf(exp, 'market_system_portfolio_pnl_dollars', { type: 'unrealized' })).toBe(200);
    expect(valueOf(exp, 'market_system_portfolio_pnl_dollars', { type: 'total' })).toBe(500);
    expect(valueOf(exp, 'market_system_portfolio_exposure_ratio')).toBe(0.4);
    expect(valueOf(exp, 'market_system_win_rate')).toBe(0.6);
    expect(valueOf(exp, 'market_system_trades_total', { side: 'SELL', reason: 'take_profit' })).toBe(1);
    expect(valueOf(exp, 'market_system_trades_total', { side: 'BUY', reason: 'signal' })).toBe(1);
    // Only the SELL carried a P&L, so the histogram saw one observation.
    expect(valueOf(exp, 'market_system_trade_pnl_dollars_count')).toBe(1);
    expect(valueOf(exp, 'market_system_trade_pnl_dollars_sum')).toBe(42);
    expect(valueOf(exp, 'market_system_simulation_global_state')).toBe(2);
    expect(valueOf(exp, 'market_system_simulation_step_duration_seconds')).toBe(0.004);
    expect(valueOf(exp, 'market_system_simulation_signals_total', { action: 'BUY' })).toBe(1);
    expect(valueOf(exp, 'market_system_sentiment_index', { market: 'stocks', source: 'cnn' })).toBe(55);
    expect(valueOf(exp, 'market_system_store_backlog', { store: 'redis' })).toBe(7);
    expect(valueOf(exp, 'market_system_tick_duration_seconds')).toBe(0.25);
    expect(valueOf(exp, 'market_system_event_loop_delay_seconds')).toBe(0.002);
  });

  it('maps breaker states to 0 closed, 1 half-open, 2 open', async () => {
    const m = new Metrics({ defaultMetrics: false });
    m.breakerState('yahoo', 'closed');
    m.breakerState('polygon', 'half_open');
    m.breakerState('alpaca', 'open');
    const exp = parse(await m.render());
    expect(valueOf(exp, 'market_system_circuit_breaker_state', { source: 'yahoo' })).toBe(0);
    expect(valueOf(exp, 'market_system_circuit_breaker_state', { source: 'polygon' })).toBe(1);
    expect(valueOf(exp, 'market_system_circuit_breaker_state', { source: 'alpaca' })).toBe(2);
  });

  it('labels published messages by topic type, not by symbol', async () => {
    const m = new Metrics({ defaultMetrics: false });
    m.published('quote.AAPL');
    m.published('quote.MSFT', 2);
    m.published('sim.state');
    m.published('signal.BTC-USD');
    m.published('health');
    const exp = parse(await m.render());
    const name = 'market_system_data_points_published_total';
    expect(find(exp, name).map((s) => [s.labels['topic'], s.value])).toEqual([
      ['quote', 3],
      ['sim.state', 1],
      ['signal', 1],
      ['health', 1],
    ]);
    expect([topicType('trade.ETH-USD'), topicType('portfolio'), topicType('sentiment'), topicType('nope.X')]).toEqual([
      'trade',
      'portfolio',
      'sentiment',
      'other',
    ]);
  });

  it('keeps one sentiment series per market when its source changes', async () => {
    const m = new Metrics({ defaultMetrics: false });
    m.sentiment('stocks', 'cnn', 55);
    m.sentiment('crypto', 'alternative_me', 30);
    m.sentiment('stocks', 'proxy', 48);
    const exp = parse(await m.render());
    expect(find(exp, 'market_system_sentiment_index').map((s) => s.labels)).toEqual([
      // The replaced series is removed and the new one appended: prom-client keeps insertion order.
      { market: 'crypto', source: 'alternative_me' },
      { market: 'stocks', source: 'proxy' },
    ]);
    expect(valueOf(exp, 'market_system_sentiment_index', { market: 'stocks' })).toBe(48);
  });

  it('registers the Node defaults without the three lint-failing nodejs_active_*_total gauges', async () => {
    const exp = parse(await new Metrics().render());
    const names = [...exp.types.keys()];
    expect(names.filter((n) => /^nodejs_active_\w+_total$/.test(n))).toEqual([]);
    // The per-type gauges stay: their sum is the dropped total.
    expect(exp.types.get('nodejs_active_handles')).toBe('gauge');
    expect(exp.types.get('process_cpu_user_seconds_total')).toBe('counter');
    expect(exp.types.get('nodejs_heap_size_used_bytes')).toBe('gauge');
  });

  it('omits the Node defaults when asked', async () => {
    const exp = parse(await new Metrics({ defaultMetrics: false }).render());
    expect([...exp.types.keys()].filter((n) => !n.startsWith('market_system_'))).toEqual([]);
  });

  it('has fetch buckets from 5 ms to 10 s and symmetric trade P&L buckets', async () => {
    const m = new Metrics({ defaultMetrics: false });
    m.dataFetch('yahoo', 0.2, true);
    m.trade('SELL', 'stop_loss', -120);
    const exp = parse(await m.render());
    const les = (name: string) => find(exp, name).map((s) => s.labels['le']);
    expect(les('market_system_data_fetch_duration_seconds_bucket')).toEqual([
      '0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '+Inf',
    ]);
    expect(les('market_system_trade_pnl_dollars_bucket')).toEqual([
      '-1000', '-500', '-250', '-100', '-50', '-10', '0', '10', '50', '100', '250', '500', '1000', '+Inf',
    ]);
    // -120 falls in le=-100 and above, not in le=-250.
    expect(valueOf(exp, 'market_system_trade_pnl_dollars_bucket', { le: '-250' })).toBe(0);
    expect(valueOf(exp, 'market_system_trade_pnl_dollars_bucket', { le: '-100' })).toBe(1);
    expect(valueOf(exp, 'market_system_data_fetch_duration_seconds_bucket', { source: 'yahoo', le: '0.1' })).toBe(0);
    expect(valueOf(exp, 'market_system_data_fetch_duration_seconds_bucket', { source: 'yahoo', le: '0.25' })).toBe(1);
  });

  it('shares no state between two instances', async () => {
    const a = new Metrics();
    const b = new Metrics();
    a.error('bus');
    a.sentiment('stocks', 'cnn', 55);
    b.sentiment('stocks', 'proxy', 40);
    const expA = parse(await a.render());
    const expB = parse(await b.render());
    expect(valueOf(expA, 'market_system_errors_total', { component: 'bus' })).toBe(1);
    expect(find(expB, 'market_system_errors_total')).toEqual([]);
    expect(find(expA, 'market_system_sentiment_index').map((s) => s.labels['source'])).toEqual(['cnn']);
    expect(find(expB, 'market_system_sentiment_index').map((s) => s.labels['source'])).toEqual(['proxy']);
  });

  it('reports the p99 event loop delay of each scrape window, then resets it', async () => {
    const m = new Metrics({ defaultMetrics: false });
    m.startEventLoopMonitor();
    try {
      await sleep(50);
      const until = Date.now() + 150;
      while (Date.now() < until) {
        // Block the loop: the monitor's next sample is ~150 ms late.
      }
      await sleep(50);
      const blocked = valueOf(parse(await m.render()), 'market_system_event_loop_delay_seconds') ?? 0;
      expect(blocked).toBeGreaterThanOrEqual(0.1);
      await sleep(300);
      const idle = valueOf(parse(await m.render()), 'market_system_event_loop_delay_seconds') ?? Infinity;
      expect(idle).toBeLessThan(0.1);
    } finally {
      m.stop();
    }
  });

  it('renders text that passes promtool check metrics', async () => {
    const m = new Metrics();
    exerciseAllMetrics(m);
    m.trade('BUY', 'signal');
    m.sentiment('crypto', 'alternative_me', 20);
    const text = await m.render();
    expect(m.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    const run = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    if (run.error) {
      throw new Error(`promtool could not run (${run.error.message}): install the Debian package "prometheus"`);
    }
    expect(`${run.stdout}${run.stderr}`).toBe('');
    expect(run.status).toBe(0);
  });
});

describe('createMetricsApi', () => {
  it('records through the seed API and renders the same registry', async () => {
    const m = new Metrics({ defaultMetrics: false });
    const api = createMetricsApi(m);
    m.dataAge('AAPL', 40);
    api.setServiceHealth('worker', true);
    api.recordDataFetch('yahoo', 'AAPL', 0.05, true);
    api.recordDataFetch('polygon', 'MSFT', 2, false);
    api.recordTrade('SELL', 'AAPL', -75);
    const exp = parse(await api.getMetrics());
    expect(valueOf(exp, 'market_system_service_up', { service: 'worker' })).toBe(1);
    expect(valueOf(exp, 'market_system_data_age_seconds', { symbol: 'AAPL' })).toBe(0);
    // A failed fetch leaves the symbol's age alone.
    expect(find(exp, 'market_system_data_age_seconds', { symbol: 'MSFT' })).toEqual([]);
    expect(valueOf(exp, 'market_system_data_fetch_total', { source: 'polygon', status: 'error' })).toBe(1);
    expect(valueOf(exp, 'market_system_trades_total', { side: 'SELL', reason: 'api' })).toBe(1);
    expect(valueOf(exp, 'market_system_trade_pnl_dollars_sum')).toBe(-75);
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
