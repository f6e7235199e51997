/**
 * `--shard i/n` through the built binary: two workers replaying the same data
 * split its symbols, each publishing only its own.
 */
import { describe, expect, it } from 'vitest';
import { shardOf } from '../../src/domain/shard.js';
import { freePort, spawnCli } from '../helpers/cli.js';
import { spawnSubscriber } from '../helpers/zmq.js';

describe('market-intel run --shard i/n', () => {
  it('publishes only the quotes of its own symbols; the shards together cover every symbol once', { timeout: 60_000 }, async () => {
    // With 5 shards the sample's two symbols land apart (AAPL in 0, MSFT in 3); shard 1 gets neither.
    const count = 5;
    const shards = [0, 1, 3];
    expect(shards.map((i) => ['AAPL', 'MSFT'].filter((s) => shardOf(s, count) === i).length)).toEqual([1, 0, 1]);
    const seen: string[][] = [];
    for (const index of shards) {
      const port = await freePort();
      const sub = await spawnSubscriber(`tcp://127.0.0.1:${port}`, ['quote.']);
      const worker = spawnCli(['run', '--source', 'replay:sample', '--interval', '0', '--zmq-warmup-ms', '500', '--no-metrics', '--no-simulation', '--zmq-port', String(port), '--shard', `${index}/${count}`]);
      expect((await worker.exited).code).toBe(0);
      await new Promise((r) => setTimeout(r, 300));
      await sub.stop();
      seen.push([...new Set(sub.lines.filter((l) => l.topic).map((l) => String(l.body?.['symbol'])))].sort());
    }
    const expected = shards.map((i) => ['AAPL', 'MSFT'].filter((s) => shardOf(s, count) === i));
    expect(seen).toEqual(expected);
  });
});
