/**
 * The heterogeneous-agent market model (ARCHITECTURE.md "Simulation model").
 *
 * Each instrument has a population of agents in herd clusters; each step,
 * every agent takes a stance in [-1, 1]:
 *
 *   s = tanh( w·signal_type + γ·mean_K + λ·mood + η·(ε_agent + √ρ·ζ_cluster) )
 *
 * signal_type is the trend over its PHI_LADDER horizon (trend followers) or
 * (anchor − price)/price (fundamentalists); mean_K the mean stance of
 * CROSS_SAMPLE_K instruments sampled afresh; ρ the instrument's herding,
 * which rises when the sampled instruments move more than usual (contagion).
 * The per-agent part runs as tensor ops on the chosen backend (noise, the
 * affine drive, tanh as 2·sigmoid(2x)−1, the sum per instrument); the
 * per-instrument bookkeeping (a few thousand numbers) runs in typed arrays,
 * where it costs microseconds instead of a kernel dispatch each.
 * Price moves with excess demand: r = κ·mean stance, plus exposure × the
 * base's return for derivatives.
 */
import type { Tensor } from '@tensorflow/tfjs-core';
import type { Tf } from './backend.js';
import { CALIBRATION, derivativeExposure, type Calibration } from './calibration.js';
import { SeededRandom } from './gaussian.js';
import { NoisePool } from './noise-pool.js';
import { CLUSTERS_PER_INSTRUMENT, instrumentCount, type SimulationParams } from './params.js';

/** What one step takes. */
export type ModelInputs = {
  /** Newest real price per base instrument (undefined: no news). */
  readonly anchors?: readonly (number | undefined)[];
  /** Sentiment mood in [-1, 1] (0: neutral). */
  readonly mood?: number;
};

/** Layout of the population. */
export type ModelShape = {
  readonly instruments: number;
  readonly bases: number;
  readonly agentsPerCluster: number;
  readonly agentsPerInstrument: number;
  readonly totalAgents: number;
};

/** Agents per cluster: enough for the requested population and a noise pool divisible by 40. */
export function modelShape(params: SimulationParams): ModelShape {
  const instruments = instrumentCount(params);
  let agentsPerCluster = Math.ceil(params.agentsPerInstrument / CLUSTERS_PER_INSTRUMENT);
  // Even: an instrument's 20 clusters then fill whole blocks of 40 (the noise pool's groups).
  if (agentsPerCluster % 2 !== 0) agentsPerCluster += 1;
  const agentsPerInstrument = agentsPerCluster * CLUSTERS_PER_INSTRUMENT;
  return { instruments, bases: params.numBaseTickers, agentsPerCluster, agentsPerInstrument, totalAgents: agentsPerInstrument * instruments };
}

/** The agent model's state and its step. */
export class AgentModel {
  readonly shape: ModelShape;
  /** Log price relative to the instrument's first price. */
  readonly logPrice: Float64Array;
  /** Mean stance per instrument after the last step. */
  readonly stance: Float64Array;
  /** Return per instrument of the last step. */
  readonly returns: Float64Array;
  readonly firstPrice: Float64Array;
  private readonly anchor: Float64Array;
  private readonly hasAnchor: Uint8Array;
  private readonly trends: Float64Array[];
  private readonly trendAlpha: number[];
  private readonly baseline: Float64Array;
  private readonly heat: Float64Array;
  private readonly parent: Int32Array;
  private readonly exposure: Float64Array;
  private readonly offsets: Float32Array;
  private readonly pool: NoisePool;
  private readonly ones: Tensor;
  private readonly random: SeededRandom;

  constructor(
    private readonly tf: Tf,
    private readonly params: SimulationParams,
    private readonly cal: Calibration = CALIBRATION,
  ) {
    const shape = modelShape(params);
    this.shape = shape;
    const n = shape.instruments;
    this.random = new SeededRandom(params.seed);
    // The pool holds the agents' private noise already scaled (2η: tanh(x) = 2·sigmoid(2x) − 1).
    this.pool = new NoisePool(tf, shape.totalAgents, new SeededRandom((params.seed ^ 0x9e3779b9) >>> 0), 2 * params.eta);
    this.logPrice = new Float64Array(n);
    this.stance = new Float64Array(n);
    this.returns = new Float64Array(n);
    this.firstPrice = new Float64Array(n).fill(100);
    this.anchor = new Float64Array(n);
    this.hasAnchor = new Uint8Array(shape.bases);
    this.trends = params.phiLadder.map(() => new Float64Array(n));
    this.trendAlpha = params.phiLadder.map((phi) => 1 / (1 + phi * this.cal.trendBaseSteps));
    const calm = Math.sqrt((1 - this.cal.rhoCalm) / shape.agentsPerInstrument + this.cal.rhoCalm / CLUSTERS_PER_INSTRUMENT);
    this.baseline = new Float64Array(n).fill(this.cal.kappa * params.eta * calm * Math.sqrt(2 / Math.PI));
    this.heat = new Float64Array(n).fill(1);
    this.parent = new Int32Array(n).fill(-1);
    this.exposure = new Float64Array(n);
    for (let b = 0; b < shape.bases; b++) {
      for (let d = 0; d < params.derivsPerTicker; d++) {
        const j = shape.bases + b * params.derivsPerTicker + d;
        this.parent[j] = b;
        this.exposure[j] = derivativeExposure(d);
      }
    }
    this.ones = tf.ones([shape.agentsPerInstrument, 1]);
    this.offsets = new Float32Array(n * CLUSTERS_PER_INSTRUMENT);
  }

  /** Sets a base instrument's anchor; its first anchor also sets its starting price. */
  setAnchor(base: number, price: number): void {
    if (!(price > 0) || base < 0 || base >= this.shape.bases) return;
    if (this.hasAnchor[base] === 1) {
      this.anchor[base] = Math.log(price / (this.firstPrice[base] ?? price));
    } else {
      this.hasAnchor[base] = 1;
      this.firstPrice[base] = price;
      this.anchor[base] = 0;
      this.logPrice[base] = 0;
    }
    for (let j = this.shape.bases; j < this.shape.instruments; j++) {
      if (this.parent[j] === base) this.anchor[j] = (this.exposure[j] ?? 0) * (this.anchor[base] ?? 0);
    }
  }

  /** Advances the model one step. */
  step(inputs: ModelInputs): void {
    inputs.anchors?.forEach((price, base) => {
      if (price !== undefined) this.setAnchor(base, price);
    });
    const mood = Math.max(-1, Math.min(1, inputs.mood ?? 0));
    this.prepareDrives(mood);
    const sums = this.populationSums();
    this.applyDemand(sums);
  }

  /** Per-instrument herding, drives and noise scales for this step. */
  private prepareDrives(mood: number): void {
    const { instruments } = this.shape;
    const k = this.params.crossSampleK;
    const eta = this.params.eta;
    const types = this.trends.length + 1;
    for (let j = 0; j < instruments; j++) {
      let sampledStance = 0;
      let turbulence = 0;
      for (let s = 0; s < k; s++) {
        const q = this.random.int(instruments);
        sampledStance += this.stance[q] ?? 0;
        turbulence += Math.abs(this.returns[q] ?? 0) / (this.baseline[q] ?? 1);
      }
      const heat = (this.heat[j] ?? 1) + this.cal.heatDecay * (turbulence / k - (this.heat[j] ?? 1));
      this.heat[j] = heat;
      const rho = this.cal.rhoCalm + (this.cal.rhoMax - this.cal.rhoCalm) * Math.tanh(this.cal.herdGain * Math.max(0, heat - 1));
      const common = this.cal.gammaHerd * (sampledStance / k) + this.cal.lambdaMood * mood;
      const clusterNoise = eta * Math.sqrt(rho);
      const fundamental = this.cal.wFundamental * ((this.anchor[j] ?? 0) - (this.logPrice[j] ?? 0));
      const typical = this.baseline[j] ?? 1;
      for (let c = 0; c < CLUSTERS_PER_INSTRUMENT; c++) {
        const type = c % types;
        const drive = type < this.trends.length ? (this.cal.wTrend * (this.trends[type]?.[j] ?? 0)) / typical : fundamental;
        this.offsets[j * CLUSTERS_PER_INSTRUMENT + c] = 2 * (drive + common + clusterNoise * this.random.normal());
      }
    }
  }

  /** Sum over each instrument's agents of sigmoid(2·drive): the tensor part. */
  private populationSums(): Float32Array {
    const { instruments, agentsPerCluster } = this.shape;
    const tf = this.tf;
    const noise = this.pool.next();
    const sums = tf.tidy(() => {
      const eps = tf.reshape(noise, [instruments, CLUSTERS_PER_INSTRUMENT, agentsPerCluster]);
      const offset = tf.tensor3d(this.offsets, [instruments, CLUSTERS_PER_INSTRUMENT, 1]);
      const stances = tf.reshape(tf.sigmoid(tf.add(eps, offset)), [instruments, CLUSTERS_PER_INSTRUMENT * agentsPerCluster]);
      // A matMul with a column of ones sums each instrument's row: faster than the reduction on wasm.
      return tf.matMul(stances, this.ones);
    });
    const values = sums.dataSync();
    sums.dispose();
    return values instanceof Float32Array ? values : Float32Array.from(values);
  }

  /** Mean stances → returns → prices, trends and normal move sizes. */
  private applyDemand(sums: Float32Array): void {
    const { instruments, agentsPerInstrument } = this.shape;
    for (let j = 0; j < instruments; j++) {
      this.stance[j] = (2 * (sums[j] ?? 0)) / agentsPerInstrument - 1;
    }
    for (let j = 0; j < instruments; j++) {
      const parent = this.parent[j] ?? -1;
      const own = this.cal.kappa * (this.stance[j] ?? 0);
      const r = parent >= 0 ? own + (this.exposure[j] ?? 0) * (this.returns[parent] ?? 0) : own;
      this.returns[j] = r;
      this.logPrice[j] = (this.logPrice[j] ?? 0) + r;
      this.trends.forEach((trend, h) => {
        trend[j] = (trend[j] ?? 0) + (this.trendAlpha[h] ?? 0) * (r - (trend[j] ?? 0));
      });
      this.baseline[j] = (this.baseline[j] ?? 0) + this.cal.baselineDecay * (Math.abs(r) - (this.baseline[j] ?? 0));
    }
  }

  /** Z: the mean stance of all agents (every instrument has the same number). */
  globalState(): number {
    let total = 0;
    for (const s of this.stance) total += s;
    return total / this.shape.instruments;
  }

  /** Simulated price of an instrument. */
  price(j: number): number {
    return (this.firstPrice[j] ?? 100) * Math.exp(this.logPrice[j] ?? 0);
  }

  dispose(): void {
    this.pool.dispose();
    this.ones.dispose();
  }
}
