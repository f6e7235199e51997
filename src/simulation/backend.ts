/**
 * Chooses the TensorFlow.js backend: `auto` takes tfjs-node-gpu when it is
 * installed and usable, else tfjs-node, else WebAssembly (SIMD when the
 * runtime has it), else the plain-JavaScript cpu backend. tfjs-node and
 * tfjs-node-gpu are optional dependencies (their install downloads
 * libtensorflow, which fails without internet), so they are imported by a
 * guarded dynamic import and their absence is not an error under `auto`.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { ConfigError, ErrorCode } from '../domain/errors.js';
import type { BackendChoice } from './params.js';

/** The TensorFlow.js namespace the model computes with. */
export type Tf = typeof tf;

/** The backend a simulation runs on. */
export type ChosenBackend = {
  readonly tf: Tf;
  /** What was asked for. */
  readonly requested: BackendChoice;
  /** What runs: `node-gpu`, `node`, `wasm` or `cpu`. */
  readonly name: Exclude<BackendChoice, 'auto'>;
  /** Extra facts for the log, e.g. `simd` for wasm. */
  readonly detail: string;
};

type Attempt = { readonly ok: true; readonly detail: string } | { readonly ok: false; readonly reason: string };

async function importOptional(moduleName: string): Promise<boolean> {
  try {
    await import(moduleName);
    return true;
  } catch {
    return false;
  }
}

async function activate(backendName: string): Promise<boolean> {
  try {
    const ok = await tf.setBackend(backendName);
    await tf.ready();
    return ok && tf.getBackend() === backendName;
  } catch {
    return false;
  }
}

async function tryBackend(name: Exclude<BackendChoice, 'auto'>): Promise<Attempt> {
  if (name === 'node-gpu' || name === 'node') {
    const moduleName = name === 'node-gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
    if (!(await importOptional(moduleName))) return { ok: false, reason: `${moduleName} is not installed` };
    if (!(await activate('tensorflow'))) return { ok: false, reason: `${moduleName} could not start (no libtensorflow${name === 'node-gpu' ? ' or no GPU' : ''})` };
    return { ok: true, detail: 'libtensorflow' };
  }
  if (!(await activate(name))) return { ok: false, reason: `the ${name} backend could not start` };
  if (name === 'wasm') {
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    return { ok: true, detail: simd === true ? 'simd' : 'no simd' };
  }
  return { ok: true, detail: 'javascript' };
}

/**
 * Activates the requested backend (process-wide in TensorFlow.js) and says
 * which one runs. An explicit choice that cannot start is a ConfigError.
 */
export async function chooseBackend(requested: BackendChoice): Promise<ChosenBackend> {
  // Production mode: no debug checks, no "install tfjs-node" console banner.
  tf.env().set('PROD', true);
  const order: readonly Exclude<BackendChoice, 'auto'>[] = requested === 'auto' ? ['node-gpu', 'node', 'wasm', 'cpu'] : [requested];
  const reasons: string[] = [];
  for (const name of order) {
    const attempt = await tryBackend(name);
    if (attempt.ok) return { tf, requested, name, detail: attempt.detail };
    reasons.push(attempt.reason);
  }
  throw new ConfigError(`--backend "${requested}": ${reasons.join('; ')}; allowed: auto|node-gpu|node|wasm|cpu`, { code: ErrorCode.config });
}
