/**
 * The main thread's handle on the simulation thread: starts it, asks it for
 * steps (awaitable, in order) or lets it step on its own clock, and ends it.
 */
import { Worker } from 'node:worker_threads';
import { ConfigError, ErrorCode } from '../domain/index.js';
import type { Calibration } from './calibration.js';
import type { EngineInputs, SimulationStep } from './engine.js';
import type { ModelShape } from './model.js';
import type { BackendChoice, SimulationParams } from './params.js';
import type { FromThread, ToThread } from './thread-protocol.js';

/** How to start the thread. */
export type SimulationThreadOptions = {
  readonly params: SimulationParams;
  readonly backend: BackendChoice;
  readonly symbols: readonly string[];
  readonly calibration?: Calibration;
};

/** A step result as the thread reports it. */
export type ThreadStep = { readonly result: SimulationStep; readonly unmapped: readonly string[] };

type Pending = { resolve: (step: ThreadStep) => void; reject: (err: Error) => void };

/**
 * The thread's entry: the compiled sim-thread.js next to this file; when
 * this file runs from source (tests), the build's copy under dist/.
 */
function entryUrl(): URL {
  const fromSource = import.meta.url.endsWith('.ts');
  return new URL(fromSource ? '../../dist/simulation/sim-thread.js' : './sim-thread.js', import.meta.url);
}

export class SimulationThread {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private onStep: ((step: ThreadStep) => void) | undefined;
  private onError: ((err: Error) => void) | undefined;
  private closed = false;

  private constructor(
    private readonly worker: Worker,
    readonly backend: string,
    readonly detail: string,
    readonly shape: ModelShape,
    readonly warmupSteps: number,
  ) {
    worker.on('message', (message: FromThread) => this.receive(message));
    worker.on('error', (err) => this.failAll(err));
    worker.on('exit', (code) => {
      if (!this.closed) this.failAll(new Error(`simulation thread exited with code ${code}`));
    });
  }

  /** Starts the thread and waits until its engine is ready; a bad backend rejects with a ConfigError. */
  static async start(options: SimulationThreadOptions): Promise<SimulationThread> {
    const worker = new Worker(entryUrl());
    const init: ToThread = { type: 'init', params: options.params, backend: options.backend, symbols: options.symbols, calibration: options.calibration };
    let onMessage: ((message: FromThread) => void) | undefined;
    let onError: ((err: Error) => void) | undefined;
    const ready = await new Promise<Extract<FromThread, { type: 'ready' }>>((resolve, reject) => {
      onMessage = (message: FromThread): void => {
        if (message.type === 'ready') resolve(message);
        else if (message.type === 'error') {
          reject(message.code === ErrorCode.config ? new ConfigError(message.message, { code: ErrorCode.config }) : new Error(message.message));
        }
      };
      onError = reject;
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.postMessage(init);
    })
      .catch(async (err: unknown) => {
        await worker.terminate();
        throw err;
      })
      .finally(() => {
        if (onMessage) worker.off('message', onMessage);
        if (onError) worker.off('error', onError);
      });
    return new SimulationThread(worker, ready.backend, ready.detail, ready.shape, ready.warmupSteps);
  }

  /** Runs `steps` steps with `inputs` (anchors apply at the first); resolves with the last. */
  step(steps: number, inputs: EngineInputs): Promise<ThreadStep> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.post({ type: 'step', id, steps, inputs });
    });
  }

  /** Steps every `intervalMs` on the thread's clock; each step comes to `onStep`. */
  run(intervalMs: number, onStep: (step: ThreadStep) => void, onError: (err: Error) => void): void {
    this.onStep = onStep;
    this.onError = onError;
    this.post({ type: 'run', intervalMs });
  }

  /** Newest quotes and mood for the self-timed steps. */
  setInputs(inputs: EngineInputs): void {
    this.post({ type: 'inputs', inputs });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.post({ type: 'stop' });
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 2_000).unref());
    if ((await Promise.race([exited, timeout])) === 'timeout') await this.worker.terminate();
    this.failAll(new Error('simulation thread closed'));
  }

  private post(message: ToThread): void {
    if (!this.closed || message.type === 'stop') this.worker.postMessage(message);
  }

  private receive(message: FromThread): void {
    if (message.type === 'ready') return;
    const pending = message.id === undefined ? undefined : this.pending.get(message.id);
    if (message.id !== undefined) this.pending.delete(message.id);
    if (message.type === 'error') {
      const err = new Error(message.message);
      if (pending) pending.reject(err);
      else this.onError?.(err);
      return;
    }
    const step = { result: message.result, unmapped: message.unmapped };
    if (pending) pending.resolve(step);
    else this.onStep?.(step);
  }

  private failAll(err: Error): void {
    for (const pending of this.pending.values()) pending.reject(err);
    this.pending.clear();
    if (!this.closed) this.onError?.(err);
  }
}
