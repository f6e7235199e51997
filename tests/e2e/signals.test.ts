import { describe, expect, it } from 'vitest';
import { freePort, jsonLines, spawnCli } from '../helpers/cli.js';
import { startSilentServer } from '../helpers/net.js';

async function startSlowReplay() {
  const port = await freePort();
  // One tick a second over the 301-tick sample: it would run five minutes.
  const worker = spawnCli(['run', '--source', 'replay:sample', '--interval', '1', '--no-metrics', '--zmq-port', String(port)]);
  await worker.waitFor('"component":"bus"');
  await new Promise((r) => setTimeout(r, 1_200));
  return worker;
}

describe('market-intel run and signals', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('on %s finishes the tick, closes and exits 0 within 5 s', async (signal) => {
    const worker = await startSlowReplay();
    const sentAt = performance.now();
    worker.child.kill(signal);
    const { code } = await worker.exited;
    const elapsedMs = performance.now() - sentAt;
    expect(code).toBe(0);
    expect(elapsedMs).toBeLessThan(5_000);
    const lines = jsonLines(worker.stdout());
    expect(lines.find((l) => l['msg'] === 'stopping: finishing the current tick')).toMatchObject({ signal });
    const finished = lines.find((l) => l['msg'] === 'run finished');
    expect(finished).toMatchObject({ reason: 'signal' });
    expect(Number(finished?.['ticks'])).toBeGreaterThanOrEqual(1);
  });

  it('on a second SIGTERM during shutdown exits at once with 143', async () => {
    // A provider that never answers keeps the current tick in flight, so the
    // first SIGTERM waits for it (up to its grace) and the second one lands
    // while the worker is still shutting down.
    const server = await startSilentServer();
    const { requests } = server;
    try {
      const worker = spawnCli(['run', '--symbols', 'AAPL', '--source', 'yahoo', '--no-metrics', '--zmq-port', String(await freePort())], {
        YAHOO_BASE_URL: server.baseUrl,
      });
      await worker.waitFor('"component":"bus"');
      while (requests.length === 0) await new Promise((r) => setTimeout(r, 20));
      worker.child.kill('SIGTERM');
      await worker.waitFor('stopping: finishing the current tick');
      const sentAt = performance.now();
      worker.child.kill('SIGTERM');
      const { code } = await worker.exited;
      expect(code).toBe(143);
      expect(performance.now() - sentAt).toBeLessThan(1_000);
    } finally {
      server.close();
    }
  });

  it('on SIGTERM with a fetch hanging cuts it off and still exits 0 within 5 s', async () => {
    const server = await startSilentServer();
    try {
      const worker = spawnCli(['run', '--symbols', 'AAPL', '--source', 'yahoo', '--no-metrics', '--zmq-port', String(await freePort())], {
        YAHOO_BASE_URL: server.baseUrl,
      });
      await worker.waitFor('"component":"bus"');
      await new Promise((r) => setTimeout(r, 300));
      const sentAt = performance.now();
      worker.child.kill('SIGTERM');
      const { code } = await worker.exited;
      expect(code).toBe(0);
      expect(performance.now() - sentAt).toBeLessThan(5_000);
    } finally {
      server.close();
    }
  });
});
