/**
 * `market-intel simulate --steps N --seed S [--agents A] [--backend …]
 * [--returns-csv PATH] [--json]`: runs the agent model alone, shows progress
 * on a TTY, and prints throughput, the backend and the stylized facts of the
 * simulated returns.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { readSimulationSettings, type SimulationSettings } from '../config/index.js';
import { SimulationEngine, stylizedFacts, type StylizedFacts } from '../simulation/index.js';
import { orUsage, orUsageAsync, UsageError } from './usage-error.js';

/** Returns kept for the statistics: the last this many steps. */
const STATS_WINDOW = 200_000;
const MAX_STEPS = 100_000_000;

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function parseSteps(value: string | undefined): number {
  if (value === undefined) return 1000;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_STEPS) throw new UsageError(`--steps "${value}": expected an integer from 1 to ${MAX_STEPS}`);
  return n;
}

function readSettings(options: Record<string, unknown>): SimulationSettings {
  return orUsage(() => readSimulationSettings({ backend: text(options['backend']), agents: text(options['agents']), seed: text(options['seed']) }, process.env));
}

async function openCsv(path: string): Promise<WriteStream> {
  const stream = createWriteStream(path, { flags: 'w' });
  try {
    await once(stream, 'open');
  } catch (err) {
    const reason = err instanceof Error && 'code' in err ? String(err.code) : 'cannot be written';
    throw new UsageError(`--returns-csv "${path}": ${reason}: expected a writable file path`, { cause: err });
  }
  stream.write('step,instrument,return\n');
  return stream;
}

/** Names of the instruments: bases b00…, derivatives b00.d1…. */
function instrumentNames(bases: number, derivs: number): string[] {
  const names = Array.from({ length: bases }, (_, b) => `b${String(b).padStart(2, '0')}`);
  for (let b = 0; b < bases; b++) for (let d = 1; d <= derivs; d++) names.push(`b${String(b).padStart(2, '0')}.d${d}`);
  return names;
}

function progressLine(done: number, total: number, rate: number): string {
  const width = 30;
  const filled = Math.round((done / total) * width);
  const pct = ((done / total) * 100).toFixed(0).padStart(3);
  return `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${pct}% ${done}/${total} steps  ${(rate / 1e6).toFixed(1)}M agent-steps/s`;
}

type Outcome = {
  readonly backend: string;
  readonly backendDetail: string;
  readonly seed: number;
  readonly steps: number;
  readonly instruments: number;
  readonly agents: number;
  readonly seconds: number;
  readonly agentStepsPerSecond: number;
  readonly finalGlobalState: number;
  readonly stylizedFacts: StylizedFacts;
};

function human(o: Outcome): string {
  const f = o.stylizedFacts;
  const n = (v: number): string => v.toFixed(3);
  return [
    `backend        ${o.backend} (${o.backendDetail})`,
    `model          ${o.instruments} instruments × ${o.agents / o.instruments} agents = ${o.agents} agents, seed ${o.seed}`,
    `steps          ${o.steps} in ${o.seconds.toFixed(2)} s`,
    `throughput     ${(o.agentStepsPerSecond / 1e6).toFixed(1)}M agent-steps/s`,
    `global state Z ${n(o.finalGlobalState)} (last step)`,
    `stylized facts (median over instruments, ${f.steps} steps)`,
    `  excess kurtosis, 1 step     ${n(f.kurtosis)}   (fat tails: > 1)`,
    `  excess kurtosis, 50 steps   ${n(f.kurtosis50)}   (lower than at 1 step)`,
    `  acf |r| mean lags 1-20      ${n(f.absAcfMean)}   (volatility clustering: > 0.05)`,
    `  acf |r| lag 1 / 5 / 20      ${n(f.absAcf1)} / ${n(f.absAcf5)} / ${n(f.absAcf20)}   (slow decay)`,
    `  acf r lag 1                 ${n(f.acf1)}   (no linear predictability: |.| < 0.05)`,
  ].join('\n');
}

/** Runs the command. */
export async function simulateCommand(options: Record<string, unknown>): Promise<void> {
  const steps = parseSteps(text(options['steps']));
  const settings = readSettings(options);
  const csvPath = text(options['returnsCsv']);
  const json = options['json'] === true;
  const csv = csvPath === undefined ? undefined : await openCsv(csvPath);
  const engine = await orUsageAsync(() => SimulationEngine.create({ params: settings.params, backend: settings.backend }));
  const { instruments, totalAgents } = engine.shape;
  const window = Math.min(steps, STATS_WINDOW);
  const series = Array.from({ length: instruments }, () => new Float64Array(window));
  const names = instrumentNames(engine.params.numBaseTickers, engine.params.derivsPerTicker);
  const showProgress = !json && process.stderr.isTTY === true;
  const started = performance.now();
  let lastDraw = 0;
  for (let t = 0; t < steps; t++) {
    engine.step();
    const slot = t % window;
    const returns = engine.returns;
    for (let j = 0; j < instruments; j++) {
      const s = series[j];
      if (s) s[slot] = returns[j] ?? 0;
    }
    if (csv) {
      let chunk = '';
      for (let j = 0; j < instruments; j++) chunk += `${t + 1},${names[j] ?? j},${returns[j] ?? 0}\n`;
      if (!csv.write(chunk)) await once(csv, 'drain');
    }
    const now = performance.now();
    if (showProgress && (now - lastDraw > 100 || t === steps - 1)) {
      lastDraw = now;
      process.stderr.write(progressLine(t + 1, steps, ((t + 1) * totalAgents) / ((now - started) / 1000)));
    }
  }
  const seconds = (performance.now() - started) / 1000;
  if (showProgress) process.stderr.write('\n');
  if (csv) {
    csv.end();
    await once(csv, 'finish');
  }
  // Put the ring in time order so autocorrelations see consecutive steps.
  const start = steps > window ? steps % window : 0;
  const ordered = series.map((s) => Float64Array.from({ length: window }, (_, i) => s[(start + i) % window] ?? 0));
  const outcome: Outcome = {
    backend: engine.backend.name,
    backendDetail: engine.backend.detail,
    seed: engine.params.seed,
    steps,
    instruments,
    agents: totalAgents,
    seconds,
    agentStepsPerSecond: Math.round((steps * totalAgents) / seconds),
    finalGlobalState: engine.step().globalState,
    stylizedFacts: stylizedFacts(ordered),
  };
  engine.dispose();
  process.stdout.write(json ? `${JSON.stringify(outcome)}\n` : `${human(outcome)}\n`);
}
