/**
 * Seeded standard-normal draws in plain JavaScript (Box–Muller over
 * mulberry32), for the few per-step numbers the model needs outside tensors:
 * herd-cluster shocks, cross-sample picks, the noise pool's rotations.
 */
import { mulberry32 } from '../domain/random.js';

/** A reproducible stream of uniform and normal draws. */
export class SeededRandom {
  private readonly uniform: () => number;
  private spare: number | undefined;

  constructor(seed: number) {
    this.uniform = mulberry32(seed);
  }

  /** A float in [0, 1). */
  next(): number {
    return this.uniform();
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** A standard normal draw. */
  normal(): number {
    if (this.spare !== undefined) {
      const value = this.spare;
      this.spare = undefined;
      return value;
    }
    const u = 1 - this.uniform();
    const radius = Math.sqrt(-2 * Math.log(u));
    const angle = 2 * Math.PI * this.uniform();
    this.spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }

  /** Fills `out` with standard normal draws. */
  fillNormal(out: Float32Array | Float64Array): void {
    for (let i = 0; i < out.length; i++) out[i] = this.normal();
  }

  /** A k×k orthogonal matrix drawn uniformly (Haar): Gram–Schmidt of a Gaussian matrix, row-major. */
  orthogonal(k: number): Float32Array {
    const rows: Float64Array[] = [];
    while (rows.length < k) {
      const v = new Float64Array(k);
      this.fillNormal(v);
      for (const row of rows) {
        let dot = 0;
        for (let i = 0; i < k; i++) dot += (v[i] ?? 0) * (row[i] ?? 0);
        for (let i = 0; i < k; i++) v[i] = (v[i] ?? 0) - dot * (row[i] ?? 0);
      }
      let norm = 0;
      for (let i = 0; i < k; i++) norm += (v[i] ?? 0) ** 2;
      norm = Math.sqrt(norm);
      if (norm < 1e-9) continue;
      for (let i = 0; i < k; i++) v[i] = (v[i] ?? 0) / norm;
      rows.push(v);
    }
    const out = new Float32Array(k * k);
    rows.forEach((row, r) => out.set(row, r * k));
    return out;
  }
}
