/**
 * Fresh Gaussian noise for every agent at every step, made with tensor ops.
 *
 * Drawing a million normals per step in JavaScript (tf.randomNormal) costs
 * 45 ms on our 2-core machine and bounds a naive model at ~30M agent-steps/s.
 * This is Wallace's method (C. S. Wallace, "Fast pseudorandom generators for
 * normal and exponential variates", ACM TOMS 1996): keep a pool of N(0,1)
 * values and make each step's values by an orthogonal transform of the
 * previous pool. An orthogonal map of i.i.d. standard normals is again
 * i.i.d. standard normal, so every step's pool is exactly N(0,1) per agent;
 * what makes it random is that the transform is new each step: random
 * (Haar) 8×8 and 20×20 rotations applied to groups of the pool, groups of
 * consecutive values, and every 8th step groups strided across the whole
 * pool, so that, over steps, every value mixes with every other. Two small
 * matMuls per step (~1.8 ms each per million on wasm) instead of 45 ms.
 * The pool's sum of squares is conserved, so it is set to exactly N at the
 * start: the pool is a point on the sphere of radius √N, whose coordinates
 * are standard normal for pools of thousands and more. (Wallace adds a χ²
 * rescale per output; across a pool of 10⁵–10⁶ agents it is invisible.)
 */
import type { Tensor } from '@tensorflow/tfjs-core';
import type { Tf } from './backend.js';
import type { SeededRandom } from './gaussian.js';

const GROUP = 8;
const ALT_GROUP = 20;
/** Steps between rotations of the stride-N/8 groups. */
const MIX_ACROSS_EVERY = 8;

/** A pool of standard-normal values, renewed by `next()`. */
export class NoisePool {
  private pool: Tensor;
  private steps = 0;

  /** `size` must be a multiple of 40 (both group sizes divide it); values are N(0, scale²). */
  constructor(
    private readonly tf: Tf,
    readonly size: number,
    private readonly random: SeededRandom,
    scale = 1,
  ) {
    const initial = new Float32Array(size);
    random.fillNormal(initial);
    // Scale the pool onto the sphere of radius sqrt(size): its energy is what
    // the rotations conserve, so every step then has variance exactly 1.
    let energy = 0;
    for (const v of initial) energy += v * v;
    const factor = scale * Math.sqrt(size / energy);
    for (let i = 0; i < size; i++) initial[i] = (initial[i] ?? 0) * factor;
    this.pool = tf.tensor1d(initial);
  }

  /**
   * Renews the pool and returns it (owned by the pool: do not dispose).
   * Every step: a random rotation of each consecutive 8 values and one of
   * each consecutive 20, in random order. After one rotation of 8 a value
   * would keep 1/8 of its own square on average (|noise| correlated 0.125
   * from step to step); after both, |noise| correlates about 0.01 (tested
   * below 0.05). Those groups tile blocks of 40, so every 8th step also
   * rotates the stride-N/8 groups, which mixes across blocks (it costs more:
   * the backend packs the pool as matMul weights).
   */
  next(): Tensor {
    const fiveFirst = this.random.next() < 0.5;
    const mixAcross = this.steps % MIX_ACROSS_EVERY === 0;
    this.steps += 1;
    const previous = this.pool;
    this.pool = this.tf.tidy(() => {
      let values = mixAcross ? this.rotate(previous, 0) : previous;
      values = this.rotate(values, fiveFirst ? 2 : 1);
      return this.rotate(values, fiveFirst ? 1 : 2);
    });
    previous.dispose();
    return this.pool;
  }

  private rotate(values: Tensor, view: number): Tensor {
    const tf = this.tf;
    if (view === 0) {
      const rotation = tf.tensor2d(this.random.orthogonal(GROUP), [GROUP, GROUP]);
      return tf.reshape(tf.matMul(rotation, tf.reshape(values, [GROUP, this.size / GROUP])), [this.size]);
    }
    const k = view === 1 ? GROUP : ALT_GROUP;
    const rotation = tf.tensor2d(this.random.orthogonal(k), [k, k]);
    return tf.reshape(tf.matMul(tf.reshape(values, [this.size / k, k]), rotation), [this.size]);
  }

  /** The current pool without renewing it. */
  current(): Tensor {
    return this.pool;
  }

  dispose(): void {
    this.pool.dispose();
  }
}
