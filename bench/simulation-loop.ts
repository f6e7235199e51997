/**
 * The worker's event-loop delay while the simulation runs at 1,000,000
 * agents (issue 6: p99 < 20 ms). The model steps in its own thread; this
 * measures what the main thread feels.
 *
 *   node --import tsx bench/simulation-loop.ts [seconds]     (default 15 per case)
 *
 * Cases, one JSON line each (perf_hooks.monitorEventLoopDelay, 1 ms
 * resolution, over the whole case):
 * - simulation.loopDelay.live: the simulation thread steps back to back on
 *   its own clock (UPDATE_INTERVAL 0: busier than the 0.1 s default) while
 *   the main thread feeds it quotes every 100 ms and takes every step's
 *   result, as the live worker does.
 * - simulation.loopDelay.worker: the real worker (createWorker) replaying
 *   the bundled sample every 20 ms with the simulation and the portfolio
 *   on, each tick waiting for its step, trading, writing the ledger and
 *   publishing quotes, sim.state, signals, trades and the portfolio.
 * Agents: 120 instruments × 8,334 asked, rounded up to 8,360 = 1,003,200.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../src/config/index.js';
import { modelShape, simulationParams, SimulationThread } from '../src/simulation/index.js';
import { createLogger } from '../src/telemetry/logger.js';
import { createWorker } from '../src/worker/index.js';
import { freePort } from '../tests/helpers/net.js';

const seconds = Number(process.argv[2] ?? 15);
const AGENTS_PER_INSTRUMENT = 8334;

function report(figure: string, histogram: ReturnType<typeof monitorEventLoopDelay>, extra: Record<string, unknown>): void {
  const ms = (ns: number): number => Number((ns / 1e6).toFixed(2));
  console.log(
    JSON.stringify({
      figure,
      ...extra,
      p50Ms: ms(histogram.percentile(50)),
      p99Ms: ms(histogram.percentile(99)),
      maxMs: ms(histogram.max),
      samples: histogram.count,
    }),
  );
}

async function live(): Promise<void> {
  const params = simulationParams({ agentsPerInstrument: AGENTS_PER_INSTRUMENT, updateIntervalS: 0.1 });
  const thread = await SimulationThread.start({ params, backend: 'wasm', symbols: ['AAPL', 'MSFT'] });
  let steps = 0;
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  thread.run(0, () => (steps += 1), (err) => { throw err; });
  const end = performance.now() + seconds * 1000;
  let price = 190;
  while (performance.now() < end) {
    price *= 1 + (Math.random() - 0.5) * 0.002;
    thread.setInputs({ quotes: { AAPL: price, MSFT: price * 2 }, mood: 0.1 });
    await sleep(100);
  }
  histogram.disable();
  await thread.close();
  report('simulation.loopDelay.live', histogram, { agents: thread.shape.totalAgents, steps, stepsPerSecond: Number((steps / seconds).toFixed(1)) });
}

async function worker(): Promise<void> {
  const config = loadConfig({
    flags: {
      source: 'replay:sample',
      interval: '0.02',
      duration: String(seconds),
      zmqPort: String(await freePort()),
      metrics: false,
      dataDir: mkdtempSync(join(tmpdir(), 'mi-bench-')),
    },
    env: { SIM_AGENTS: String(AGENTS_PER_INSTRUMENT), CNN_FNG_BASE_URL: 'http://127.0.0.1:1', ALTME_FNG_BASE_URL: 'http://127.0.0.1:1' },
    envFile: false,
  });
  const w = createWorker(config, { logger: createLogger({ level: 'silent', pretty: false }) });
  await w.start();
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  const summary = await w.run();
  histogram.disable();
  await w.close();
  report('simulation.loopDelay.worker', histogram, { agents: modelShape(config.sim.params).totalAgents, ticks: summary.ticks, reason: summary.reason });
}

await live();
await worker();
