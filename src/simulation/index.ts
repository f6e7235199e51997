export { chooseBackend, type ChosenBackend, type Tf } from './backend.js';
export { CALIBRATION, type Calibration } from './calibration.js';
export { classifySignal, SimulationEngine, type EngineInputs, type EngineOptions, type SimulationSignal, type SimulationStep } from './engine.js';
export { modelShape, type ModelShape } from './model.js';
export {
  BACKEND_CHOICES,
  DEFAULT_SIMULATION_PARAMS,
  PARAM_NAMES,
  instrumentCount,
  simulationParams,
  type BackendChoice,
  type SimulationParams,
} from './params.js';
export { stylizedFacts, type StylizedFacts } from './stats.js';
export { SimulationThread, type SimulationThreadOptions, type ThreadStep } from './simulation-thread.js';
