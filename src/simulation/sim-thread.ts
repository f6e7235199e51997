/**
 * Entry point of the simulation thread (node:worker_threads): owns the
 * engine and its TensorFlow.js backend, so a step never blocks the worker's
 * event loop. Answers explicit step requests in order (replay: deterministic)
 * or steps on its own clock with the newest inputs (live).
 */
import { parentPort } from 'node:worker_threads';
import { SimulationEngine, type EngineInputs } from './engine.js';
import type { FromThread, ToThread } from './thread-protocol.js';

const port = parentPort;
if (port === null) throw new Error('sim-thread.js runs only as a worker thread');

let engine: SimulationEngine | undefined;
let inputs: EngineInputs = {};
let timer: NodeJS.Timeout | undefined;

function send(message: FromThread): void {
  port?.postMessage(message);
}

function fail(err: unknown, id?: number): void {
  const code = err instanceof Error && 'code' in err ? String(err.code) : undefined;
  send({ type: 'error', id, message: err instanceof Error ? err.message : String(err), code });
}

function stepOnce(current: SimulationEngine, stepInputs: EngineInputs, id?: number): void {
  const result = current.step(stepInputs);
  send({ type: 'step', id, result, unmapped: current.unmapped });
}

function selfTimed(current: SimulationEngine, intervalMs: number): void {
  const tick = (): void => {
    const started = performance.now();
    try {
      stepOnce(current, inputs);
      // Anchors apply once: later steps move on from them.
      inputs = { mood: inputs.mood };
    } catch (err) {
      fail(err);
    }
    timer = setTimeout(tick, Math.max(0, intervalMs - (performance.now() - started)));
  };
  timer = setTimeout(tick, intervalMs);
}

async function handle(message: ToThread): Promise<void> {
  switch (message.type) {
    case 'init': {
      engine = await SimulationEngine.create({ params: message.params, backend: message.backend, symbols: message.symbols, calibration: message.calibration });
      send({ type: 'ready', backend: engine.backend.name, detail: engine.backend.detail, shape: engine.shape, warmupSteps: engine.warmupSteps });
      return;
    }
    case 'step': {
      if (engine === undefined) throw new Error('step before init');
      for (let i = 0; i < message.steps - 1; i++) engine.step(i === 0 ? message.inputs : { mood: message.inputs.mood });
      stepOnce(engine, message.steps === 1 ? message.inputs : { mood: message.inputs.mood }, message.id);
      return;
    }
    case 'run': {
      if (engine === undefined) throw new Error('run before init');
      clearTimeout(timer);
      selfTimed(engine, message.intervalMs);
      return;
    }
    case 'inputs': {
      inputs = { quotes: { ...inputs.quotes, ...message.inputs.quotes }, mood: message.inputs.mood };
      return;
    }
    case 'stop': {
      clearTimeout(timer);
      engine?.dispose();
      engine = undefined;
      port?.close();
      return;
    }
  }
}

// Messages are handled one at a time, in arrival order.
let queue: Promise<void> = Promise.resolve();
port.on('message', (message: ToThread) => {
  queue = queue.then(() => handle(message)).catch((err: unknown) => fail(err, 'id' in message ? message.id : undefined));
});
