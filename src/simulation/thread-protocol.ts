/**
 * Messages between the worker's main thread and the simulation thread.
 * Structured-clone friendly: plain objects, numbers, strings, arrays.
 */
import type { Calibration } from './calibration.js';
import type { EngineInputs, SimulationStep } from './engine.js';
import type { ModelShape } from './model.js';
import type { BackendChoice, SimulationParams } from './params.js';

/** Main → thread. */
export type ToThread =
  | {
      readonly type: 'init';
      readonly params: SimulationParams;
      readonly backend: BackendChoice;
      readonly symbols: readonly string[];
      readonly calibration?: Calibration;
    }
  /** Run `steps` steps with these inputs and answer with the last one. */
  | { readonly type: 'step'; readonly id: number; readonly steps: number; readonly inputs: EngineInputs }
  /** Step on the thread's own clock every `intervalMs`, answering each step. */
  | { readonly type: 'run'; readonly intervalMs: number }
  /** Newest inputs for the self-timed steps. */
  | { readonly type: 'inputs'; readonly inputs: EngineInputs }
  | { readonly type: 'stop' };

/** Thread → main. */
export type FromThread =
  | {
      readonly type: 'ready';
      readonly backend: string;
      readonly detail: string;
      readonly shape: ModelShape;
      readonly warmupSteps: number;
    }
  | { readonly type: 'step'; readonly id?: number; readonly result: SimulationStep; readonly unmapped: readonly string[] }
  | { readonly type: 'error'; readonly id?: number; readonly message: string; readonly code?: string };
