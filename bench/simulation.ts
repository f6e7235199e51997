/**
 * Simulation benchmark: agent-steps per second of the agent model, fresh
 * noise every step included, at 1e5 and 1e6 agents on the wasm and cpu
 * backends.
 *
 *   node --import tsx bench/simulation.ts [backend|all] [agents|all] [steps]
 *
 * Each case runs in its own process (a TensorFlow.js backend is
 * process-wide), takes the default model (20 base instruments × (1 + 5
 * derivatives) = 120 instruments) with agents per instrument set so the
 * total is the case's size (rounded up to fill the herd clusters: the exact
 * total is printed), warms up for 20 steps, then times three rounds of
 * `steps` steps (default: enough for ~2 s each) and reports the median round
 * and the range. One JSON line per case:
 * {"figure":"simulation.agentSteps","backend":…,"agents":…,"agentStepsPerSecond":…,"range":[…]}.
 * The worker's event-loop delay while the simulation runs is measured by
 * bench/simulation-loop.ts.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SimulationEngine } from '../src/simulation/index.js';

const INSTRUMENTS = 120;

async function measure(backend: 'wasm' | 'cpu', agents: number, stepsArg: number | undefined): Promise<void> {
  const engine = await SimulationEngine.create({
    params: { agentsPerInstrument: Math.ceil(agents / INSTRUMENTS), seed: 1 },
    backend,
    symbols: ['AAPL', 'MSFT'],
  });
  const quotes = { AAPL: 190, MSFT: 410 };
  for (let i = 0; i < 20; i++) engine.step({ quotes, mood: 0.1 });
  const probeStart = performance.now();
  for (let i = 0; i < 5; i++) engine.step({ quotes, mood: 0.1 });
  const perStepMs = (performance.now() - probeStart) / 5;
  const steps = stepsArg ?? Math.max(10, Math.round(2000 / perStepMs));
  // Three rounds; the median is the figure (a 2-core VM has noisy neighbours).
  const rates: number[] = [];
  const total = engine.shape.totalAgents;
  for (let round = 0; round < 3; round++) {
    const started = performance.now();
    for (let i = 0; i < steps; i++) engine.step({ quotes, mood: 0.1 });
    rates.push((total * steps) / ((performance.now() - started) / 1000));
  }
  rates.sort((a, b) => a - b);
  const median = rates[1] ?? 0;
  console.log(
    JSON.stringify({
      figure: 'simulation.agentSteps',
      backend: `${engine.backend.name} (${engine.backend.detail})`,
      agents: total,
      stepsPerRound: steps,
      stepMs: Number(((total / median) * 1000).toFixed(3)),
      agentStepsPerSecond: Math.round(median),
      range: [Math.round(rates[0] ?? 0), Math.round(rates[2] ?? 0)],
    }),
  );
  engine.dispose();
}

const [backendArg = 'all', agentsArg = 'all', stepsText] = process.argv.slice(2);
const steps = stepsText === undefined ? undefined : Number(stepsText);
if (backendArg === 'all' || agentsArg === 'all') {
  const backends = backendArg === 'all' ? ['wasm', 'cpu'] : [backendArg];
  const sizes = agentsArg === 'all' ? ['100000', '1000000'] : [agentsArg];
  const self = fileURLToPath(import.meta.url);
  let failed = false;
  for (const backend of backends) {
    for (const size of sizes) {
      const args = ['--import', 'tsx', self, backend, size, ...(stepsText === undefined ? [] : [stepsText])];
      const result = spawnSync(process.execPath, args, { stdio: 'inherit' });
      failed ||= result.status !== 0;
    }
  }
  process.exit(failed ? 1 : 0);
} else {
  if (backendArg !== 'wasm' && backendArg !== 'cpu') throw new Error(`backend "${backendArg}": expected wasm|cpu|all`);
  await measure(backendArg, Number(agentsArg), steps);
}
