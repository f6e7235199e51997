/**
 * The simulation end to end through the built binary: `run` publishes
 * `sim.state` and `signal.<SYM>` to a subscriber in another process, the
 * same replay gives the same signals, `--no-simulation` turns it off, and
 * `simulate` runs the model alone.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, jsonLines, spawnCli } from '../helpers/cli.js';

type Message = Record<string, unknown> & { topic: string };

/** A replay of the bundled sample with a subscriber on sim.state and signals; returns what it received. */
async function replay(extra: readonly string[], count: number, topics = 'sim.state,signal.'): Promise<{ messages: Message[]; workerCode: number; workerOut: string }> {
  const port = await freePort();
  const limit = ['--count', String(count)];
  const subscriber = spawnCli(['subscribe', '--endpoint', `tcp://127.0.0.1:${port}`, '--topics', topics, ...limit]);
  await subscriber.waitFor('subscribed to');
  const worker = spawnCli(
    ['run', '--source', 'replay:sample', '--ticks', '40', '--interval', '0', '--zmq-warmup-ms', '500', '--no-metrics', '--zmq-port', String(port), ...extra],
    { SIM_AGENTS: '200' },
  );
  const workerExit = await worker.exited;
  await subscriber.exited;
  return { messages: jsonLines(subscriber.stdout()) as Message[], workerCode: workerExit.code, workerOut: worker.stdout() };
}

describe('market-intel run with the simulation', () => {
  it('publishes one sim.state per step and a signal per tick for each watched symbol, the same on every run', async () => {
    // 40 ticks of the sample are AAPL bars: 40 sim.state + 40 signal.AAPL.
    const first = await replay([], 80);
    expect(first.workerCode).toBe(0);
    const states = first.messages.filter((m) => m.topic === 'sim.state');
    const signals = first.messages.filter((m) => m.topic === 'signal.AAPL');
    expect(states).toHaveLength(40);
    expect(signals).toHaveLength(40);
    states.forEach((m, i) => {
      expect(m).toMatchObject({ type: 'sim.state', v: 1, step: i + 1, backend: 'wasm' });
      const z = Number(m['globalState']);
      expect(Math.abs(z)).toBeLessThanOrEqual(1);
      expect(m['z3']).toBeCloseTo(z ** 3, 12);
    });
    for (const m of signals) {
      expect(m).toMatchObject({ type: 'signal', symbol: 'AAPL', source: 'simulation' });
      expect(['BUY', 'SELL', 'HOLD']).toContain(m['action']);
      expect(Number(m['confidence'])).toBeGreaterThanOrEqual(0);
      expect(Number(m['confidence'])).toBeLessThanOrEqual(1);
    }
    const started = jsonLines(first.workerOut).find((l) => l['component'] === 'simulation' && l['msg'] === 'started');
    expect(started?.['detail']).toBe('wasm (simd) backend, 24000 agents on 120 instruments, 1 step(s) per tick');

    const second = await replay([], 80);
    const strip = (ms: Message[]): unknown[] => ms.map(({ seq: _seq, ...rest }) => rest);
    expect(strip(second.messages.filter((m) => m.topic.startsWith('signal.')))).toEqual(strip(signals));
    expect(strip(second.messages.filter((m) => m.topic === 'sim.state'))).toEqual(strip(states));
  });

  it('publishes neither with --no-simulation', async () => {
    // Quotes are subscribed too, so the test sees the worker's traffic arrive.
    const run = await replay(['--no-simulation'], 40, 'quote.,sim.state,signal.');
    expect(run.workerCode).toBe(0);
    expect(run.messages.filter((m) => m.topic?.startsWith('quote.'))).toHaveLength(40);
    expect(run.messages.filter((m) => m.topic === 'sim.state' || m.topic?.startsWith('signal.'))).toEqual([]);
    expect(jsonLines(run.workerOut).some((l) => l['msg'] === 'off (--no-simulation): no signals')).toBe(true);
  });

  it('refuses a bad backend or parameter in one line, exit 2, before starting', async () => {
    const bad = spawnCli(['run', '--source', 'replay:sample', '--backend', 'gpu']);
    expect((await bad.exited).code).toBe(2);
    expect(bad.stderr()).toBe('market-intel: --backend "gpu": expected one of auto|node-gpu|node|wasm|cpu\n');
    const eta = spawnCli(['run', '--source', 'replay:sample'], { ETA: '-1' });
    expect((await eta.exited).code).toBe(2);
    expect(eta.stderr()).toBe('market-intel: ETA "-1": expected a number > 0 and <= 5\n');
    const missing = spawnCli(['run', '--source', 'replay:sample', '--backend', 'node', '--no-metrics']);
    expect((await missing.exited).code).toBe(2);
    expect(missing.stderr()).toContain('market-intel: --backend "node": @tensorflow/tfjs-node is not installed');
  });
});

describe('market-intel simulate', () => {
  it('prints throughput, backend and the stylized facts as JSON, and the returns as CSV, the same for the same seed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mi-sim-'));
    const run = async (file: string) => {
      const cli = spawnCli(['simulate', '--steps', '300', '--seed', '5', '--agents', '120', '--backend', 'wasm', '--json', '--returns-csv', join(dir, file)]);
      const exit = await cli.exited;
      return { exit, out: JSON.parse(cli.stdout()) as Record<string, unknown>, csv: readFileSync(join(dir, file), 'utf8') };
    };
    const a = await run('a.csv');
    expect(a.exit.code).toBe(0);
    expect(a.out).toMatchObject({ backend: 'wasm', seed: 5, steps: 300, instruments: 120, agents: 14400 });
    expect(Number(a.out['agentStepsPerSecond'])).toBeGreaterThan(0);
    expect(a.out['stylizedFacts']).toMatchObject({ instruments: 120, steps: 300 });
    const lines = a.csv.trim().split('\n');
    expect(lines[0]).toBe('step,instrument,return');
    expect(lines).toHaveLength(1 + 300 * 120);
    expect(lines[1]).toMatch(/^1,b00,-?\d/);
    expect(lines[120]).toMatch(/^1,b19\.d5,-?\d/);
    expect(lines.at(-1)).toMatch(/^300,b19\.d5,-?\d/);
    const b = await run('b.csv');
    expect(b.csv).toBe(a.csv);
    expect(b.out['stylizedFacts']).toEqual(a.out['stylizedFacts']);
  });

  it('prints a readable table without --json', async () => {
    const cli = spawnCli(['simulate', '--steps', '150', '--agents', '120', '--backend', 'cpu']);
    expect((await cli.exited).code).toBe(0);
    expect(cli.stdout()).toMatch(/^backend {8}cpu \(javascript\)\nmodel {10}120 instruments × 120 agents = 14400 agents, seed 42\n/);
    expect(cli.stdout()).toContain('acf r lag 1');
  });

  it.each([
    [['--steps', '0'], '--steps "0": expected an integer from 1 to 100000000'],
    [['--agents', 'many'], '--agents "many": expected a number'],
    [['--backend', 'tpu'], '--backend "tpu": expected one of auto|node-gpu|node|wasm|cpu'],
    [['--returns-csv', '/nonexistent-dir/r.csv'], '--returns-csv "/nonexistent-dir/r.csv": ENOENT: expected a writable file path'],
  ])('refuses %j with one line and exit 2', async (args, message) => {
    const cli = spawnCli(['simulate', ...args]);
    expect((await cli.exited).code).toBe(2);
    expect(cli.stderr()).toBe(`market-intel: ${message}\n`);
  });
});
