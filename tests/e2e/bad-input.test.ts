import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'mi-bad-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const badRow = join(dir, 'bad-row.csv');
writeFileSync(
  badRow,
  'timestamp,symbol,open,high,low,close,volume\n2024-01-02T21:00:00Z,AAPL,1,2,0.5,1.5,100\n2024-01-03T21:00:00Z,AAPL,1,2,0.5,abc,100\n',
);
const badHeader = join(dir, 'bad-header.csv');
writeFileSync(badHeader, 'date,ticker,close\n2024-01-02,AAPL,1.5\n');

const replay = ['--source', 'replay:sample', '--no-metrics'];

/** [case, argv, text the single stderr line must contain] */
const cases: readonly (readonly [string, readonly string[], string])[] = [
  ['negative capital', ['--symbols', 'AAPL', '--capital', '-5'], '--capital "-5": expected a number > 0'],
  ['zero capital', ['--symbols', 'AAPL', '--capital', '0'], '--capital "0": expected a number > 0'],
  ['capital not a number', ['--symbols', 'AAPL', '--capital', 'lots'], '--capital "lots": expected a number > 0'],
  ['negative interval', ['--symbols', 'AAPL', '--interval', '-1'], '--interval "-1": expected a number of seconds >= 0'],
  ['interval 0 live', ['--symbols', 'AAPL', '--interval', '0'], '--interval "0": 0 (as fast as possible) is allowed only with --source replay:<path>'],
  ['metrics port out of range', ['--symbols', 'AAPL', '--metrics-port', '65536'], '--metrics-port "65536": expected an integer port 1-65535'],
  ['zmq port out of range', ['--symbols', 'AAPL', '--zmq-port', '0'], '--zmq-port "0": expected an integer port 1-65535'],
  ['empty symbols', ['--symbols', ''], '--symbols "": expected symbols like AAPL'],
  ['malformed symbol', ['--symbols', 'AAPL,$$$'], '--symbols "AAPL,$$$": expected symbols like AAPL'],
  ['unknown source', ['--symbols', 'AAPL', '--source', 'bloomberg'], '--source "bloomberg": expected auto, yahoo, polygon, alpaca, ccxt'],
  ['missing replay file', ['--source', 'replay:no/such/file.csv'], '--source "replay:no/such/file.csv": replay file or folder not found'],
  ['malformed replay row', ['--source', `replay:${badRow}`, '--no-metrics'], `${badRow}:3: close "abc"`],
  ['bad replay header', ['--source', `replay:${badHeader}`, '--no-metrics'], badHeader],
  ['symbol absent from the replay', [...replay, '--symbols', 'TSLA'], '--symbols "TSLA": not in the replay data (it has AAPL, MSFT)'],
  ['a provider without its credentials', ['--symbols', 'AAPL', '--source', 'polygon'], '--source "polygon": no provider can run (polygon: POLYGON_API_KEY is not set)'],
  ['unknown flag', ['--symbols', 'AAPL', '--capitol', '5'], "unknown option '--capitol'"],
];

describe('market-intel run with bad input', () => {
  it.concurrent.each(cases)('%s: exits 2 with one line naming the value', async (_name, argv, expected) => {
    const cli = spawnCli(['run', ...argv]);
    const { code } = await cli.exited;
    const lines = cli.stderr().trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(expected);
    expect(lines[0]?.startsWith('market-intel: ')).toBe(true);
    expect(cli.stdout()).toBe('');
    expect(code).toBe(2);
  });

  it('names the environment variable when the bad value came from it', async () => {
    const cli = spawnCli(['run', '--symbols', 'AAPL'], { ZMQ_PORT: 'five' });
    expect((await cli.exited).code).toBe(2);
    expect(cli.stderr()).toBe('market-intel: ZMQ_PORT "five": expected an integer port 1-65535\n');
  });
});
