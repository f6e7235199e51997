/**
 * The simulation engine: the agent model on a chosen backend, fed with real
 * quotes (as anchors) and the sentiment mood, turning each watched symbol's
 * simulated drift and volatility into a BUY/SELL/HOLD signal.
 */
import type { SignalAction } from '../bus/topics.js';
import { chooseBackend, type ChosenBackend } from './backend.js';
import type { Calibration } from './calibration.js';
import { AgentModel, type ModelShape } from './model.js';
import { simulationParams, type BackendChoice, type SimulationParams } from './params.js';

/** A signal for one watched symbol. */
export type SimulationSignal = {
  readonly symbol: string;
  readonly action: SignalAction;
  /** 0 to 1. */
  readonly confidence: number;
  /** Simulated drift over its standard error: the number the threshold applies to. */
  readonly score: number;
  /** The symbol's simulated price. */
  readonly simulatedPrice: number;
};

/** What one step produced. */
export type SimulationStep = {
  readonly step: number;
  /** Z: the mean stance of all agents, in [-1, 1]. */
  readonly globalState: number;
  readonly z3: number;
  readonly backend: string;
  readonly signals: readonly SimulationSignal[];
  readonly durationMs: number;
};

/** Inputs of a step: newest real prices by symbol and the mood in [-1, 1]. */
export type EngineInputs = {
  readonly quotes?: Readonly<Record<string, number>>;
  readonly mood?: number;
};

/** How to build an engine. */
export type EngineOptions = {
  readonly params?: Partial<SimulationParams>;
  readonly backend?: BackendChoice;
  /** Watched symbols, mapped in order to the first base instruments. */
  readonly symbols?: readonly string[];
  /** Calibration override, for experiments and tests. */
  readonly calibration?: Calibration;
};

/** Maps a signal score to an action and a confidence in [0, 1]. */
export function classifySignal(score: number, threshold: number): { action: SignalAction; confidence: number } {
  const size = Math.abs(score);
  if (!Number.isFinite(size)) return { action: 'HOLD', confidence: 0 };
  if (size < threshold) return { action: 'HOLD', confidence: 1 - size / (2 * threshold) };
  return { action: score > 0 ? 'BUY' : 'SELL', confidence: size / (size + threshold) };
}

/** Steps the model and derives signals; one instance per backend activation. */
export class SimulationEngine {
  private steps = 0;
  private readonly drift: Float64Array;
  private readonly variance: Float64Array;
  private readonly alpha: number;
  /** Steps before the drift estimate means anything: signals are HOLD with confidence 0 until then. */
  readonly warmupSteps: number;
  private readonly mapped: string[];
  private readonly unmappedSet = new Set<string>();

  private constructor(
    readonly backend: ChosenBackend,
    readonly params: SimulationParams,
    private readonly model: AgentModel,
    symbols: readonly string[],
  ) {
    this.mapped = [];
    for (const symbol of symbols) this.map(symbol);
    this.drift = new Float64Array(params.numBaseTickers);
    this.variance = new Float64Array(params.numBaseTickers);
    const ladder = [...params.phiLadder].sort((a, b) => a - b);
    const horizon = (ladder[Math.floor(ladder.length / 2)] ?? 1) * 10;
    this.alpha = 1 / (1 + horizon);
    this.warmupSteps = Math.ceil(2 * horizon);
  }

  /** Validates the parameters, activates the backend and builds the model. */
  static async create(options: EngineOptions = {}): Promise<SimulationEngine> {
    const params = simulationParams(options.params);
    const backend = await chooseBackend(options.backend ?? 'auto');
    const model = new AgentModel(backend.tf, params, options.calibration);
    return new SimulationEngine(backend, params, model, options.symbols ?? []);
  }

  /** Gives `symbol` the next free base instrument; past NUM_BASE_TICKERS it has none (and no signal). */
  private map(symbol: string): void {
    if (this.mapped.includes(symbol) || this.unmappedSet.has(symbol)) return;
    if (this.mapped.length < this.params.numBaseTickers) this.mapped.push(symbol);
    else this.unmappedSet.add(symbol);
  }

  /** Watched symbols with a base instrument, in instrument order. */
  get symbols(): readonly string[] {
    return this.mapped;
  }

  /** Symbols seen beyond NUM_BASE_TICKERS: no instrument, no signal. */
  get unmapped(): readonly string[] {
    return [...this.unmappedSet];
  }

  get shape(): ModelShape {
    return this.model.shape;
  }

  /** Steps taken so far. */
  get stepCount(): number {
    return this.steps;
  }

  /** Returns of every instrument at the last step (a view: copy to keep). */
  get returns(): Float64Array {
    return this.model.returns;
  }

  /** Runs one step. */
  step(inputs: EngineInputs = {}): SimulationStep {
    const started = performance.now();
    for (const symbol of Object.keys(inputs.quotes ?? {})) this.map(symbol);
    const anchors = this.mapped.map((symbol) => inputs.quotes?.[symbol]);
    this.model.step({ anchors, mood: inputs.mood ?? 0 });
    this.steps += 1;
    const z = this.model.globalState();
    return {
      step: this.steps,
      globalState: z,
      z3: z * z * z,
      backend: this.backend.name,
      signals: this.updateSignals(),
      durationMs: performance.now() - started,
    };
  }

  private updateSignals(): SimulationSignal[] {
    const a = this.alpha;
    const standardError = Math.sqrt(a / (2 - a));
    return this.mapped.map((symbol, i) => {
      const r = this.model.returns[i] ?? 0;
      const drift = (this.drift[i] ?? 0) + a * (r - (this.drift[i] ?? 0));
      const variance = (this.variance[i] ?? 0) + a * (r * r - (this.variance[i] ?? 0));
      this.drift[i] = drift;
      this.variance[i] = variance;
      const sigma = Math.sqrt(Math.max(variance - drift * drift, 1e-18));
      const score = drift / (sigma * standardError);
      const warm = this.steps >= this.warmupSteps;
      const { action, confidence } = warm ? classifySignal(score, this.params.signalThreshold) : { action: 'HOLD' as const, confidence: 0 };
      return { symbol, action, confidence, score, simulatedPrice: this.model.price(i) };
    });
  }

  /** Tensors the backend holds (flat across steps when nothing leaks). */
  tensorCount(): number {
    return this.backend.tf.memory().numTensors;
  }

  dispose(): void {
    this.model.dispose();
  }
}
