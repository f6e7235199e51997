import type { Config } from '../config/index.js';
import type { Clock, Quote } from '../domain/index.js';
import { topics, type MessagePublisher } from '../bus/index.js';
import type { SimulationSignal, SimulationStep, ThreadStep } from '../simulation/index.js';
import { SimulationThread } from '../simulation/index.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import type { Component } from './component.js';
import type { WorkerHealth } from './health.js';

/** Where signals come from, on the bus. */
const SIGNAL_SOURCE = 'simulation';

/**
 * The simulation part of a run. The model lives in its own thread, so a
 * step never blocks the tick loop.
 * - Replay: each tick asks for `round(interval / UPDATE_INTERVAL)` steps
 *   (at least one) fed with the tick's quotes and mood, and waits for them:
 *   the same replay gives the same signals, run after run.
 * - Live: the thread steps every UPDATE_INTERVAL on its own clock with the
 *   newest quotes and mood; each tick uses the latest signals.
 * Publishes `sim.state` per step and `signal.<SYM>` per tick for each
 * watched symbol with an instrument.
 */
export class SimulationStage implements Component {
  readonly name = 'simulation';
  private thread: SimulationThread | undefined;
  private latest: readonly SimulationSignal[] = [];
  private readonly warned = new Set<string>();
  private readonly replay: boolean;
  private readonly stepsPerTick: number;

  constructor(
    private readonly config: Config,
    private readonly bus: MessagePublisher,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
    private readonly health: WorkerHealth,
    private readonly log: Logger,
  ) {
    this.replay = config.source.kind === 'replay';
    this.stepsPerTick = Math.max(1, Math.round(config.intervalS / config.sim.params.updateIntervalS));
  }

  async start(): Promise<string> {
    const { params, backend } = this.config.sim;
    const thread = await SimulationThread.start({ params, backend, symbols: this.config.symbols.map((s) => s.symbol) });
    this.thread = thread;
    const { instruments, totalAgents } = thread.shape;
    if (!this.replay) {
      thread.run(params.updateIntervalS * 1000, (step) => this.onStep(step), (err) => this.onThreadError(err));
    }
    const cadence = this.replay ? `${this.stepsPerTick} step(s) per tick` : `a step every ${params.updateIntervalS} s`;
    return `${thread.backend} (${thread.detail}) backend, ${totalAgents} agents on ${instruments} instruments, ${cadence}`;
  }

  /** The chosen backend, once started. */
  get backend(): string | undefined {
    return this.thread?.backend;
  }

  /**
   * One tick: feed the model, publish the signals; returns them for the
   * portfolio. `publish: false` replays a tick a resumed run already
   * processed: the model steps exactly as it did, nothing goes out.
   */
  async onTick(quotes: readonly Quote[], mood: number, options: { readonly publish?: boolean } = {}): Promise<readonly SimulationSignal[]> {
    const thread = this.thread;
    if (thread === undefined) return [];
    const prices = Object.fromEntries(quotes.map((q) => [q.symbol, q.price]));
    if (this.replay) {
      const step = await thread.step(this.stepsPerTick, { quotes: prices, mood });
      if (options.publish === false) {
        this.latest = step.result.signals;
        return this.latest;
      }
      this.onStep(step);
    } else {
      thread.setInputs({ quotes: prices, mood });
    }
    const nowMs = this.clock.nowMs();
    for (const signal of this.latest) {
      const { symbol, action, confidence } = signal;
      this.bus.publish(topics.signal(symbol), 'signal', { symbol, action, confidence, source: SIGNAL_SOURCE }, nowMs);
      this.metrics.simulationSignal(action);
    }
    return this.latest;
  }

  private onStep({ result, unmapped }: ThreadStep): void {
    this.publishState(result);
    this.latest = result.signals;
    for (const symbol of unmapped) {
      if (this.warned.has(symbol)) continue;
      this.warned.add(symbol);
      this.log.warn({ symbol, limit: this.config.sim.params.numBaseTickers }, 'no simulation instrument left for this symbol (NUM_BASE_TICKERS): it gets no signals');
    }
  }

  private publishState(step: SimulationStep): void {
    const { globalState, z3, backend } = step;
    this.bus.publish(topics.simState(), 'sim.state', { step: step.step, globalState, z3, backend }, this.clock.nowMs());
    this.metrics.simulation({ globalState, stepSeconds: step.durationMs / 1000 });
  }

  private onThreadError(err: Error): void {
    this.health.set(this.name, 'degraded', err.message);
    this.metrics.error(this.name);
    this.log.error({ err }, 'simulation step failed');
  }

  async close(): Promise<void> {
    await this.thread?.close();
    this.thread = undefined;
  }
}
