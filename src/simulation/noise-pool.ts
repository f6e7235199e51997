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
 * (Haar) 8×8 or 5×5 rotations applied to groups of the pool, the grouping
 * drawn at random among three views (stride N/8, consecutive 8, consecutive
 * 5) so that, over steps, every value mixes with every other. Two small
 * matMuls per step (~1 ms each per million on wasm) instead of 45 ms.
 * The pool's sum of squares is conserved, so it is set to exactly N at the
 * start: the pool is a point on the sphere of radius √N, whose coordinates
 * are standard normal for pools of thousands and more. (Wallace adds a χ²
 * rescale per output; across a pool of 10⁵–10⁶ agents it is invisible.)
 */
import type { Tensor } from '@tensorflow/tfjs-core';
import type { Tf } from './backend.js';
import type { SeededRandom } from './gaussian.js';

const GROUP = 8;
const ALT_GROUP = 5;

/** A pool of standard-normal values, renewed by `next()`. */
export class NoisePool {
  private pool: Tensor;

  /** `size` must be a multiple of 40 (both group sizes). */
  constructor(
    private readonly tf: Tf,
    readonly size: number,
    private readonly random: SeededRandom,
  ) {
    const initial = new Float32Array(size);
    random.fillNormal(initial);
    // Scale the pool onto the sphere of radius sqrt(size): its energy is what
    // the rotations conserve, so every step then has variance exactly 1.
    let energy = 0;
    for (const v of initial) energy += v * v;
    const scale = Math.sqrt(size / energy);
    for (let i = 0; i < size; i++) initial[i] = (initial[i] ?? 0) * scale;
    this.pool = tf.tensor1d(initial);
  }

  /**
   * Renews the pool and returns it (owned by the pool: do not dispose).
   * Two rotations in two different views per step: after one, a value keeps
   * 1/8 of its own square on average (so |noise| would correlate 0.125 from
   * step to step); after two, 1/64.
   */
  next(): Tensor {
    const first = this.random.int(3);
    const second = (first + 1 + this.random.int(2)) % 3;
    const previous = this.pool;
    this.pool = this.tf.tidy(() => this.rotate(this.rotate(previous, first), second));
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
