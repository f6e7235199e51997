import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Bar } from '../../../domain/index.js';
import { formatReplayCsv } from './csv.js';
import { loadReplay, loadReplayBars } from './load.js';

const ROOT = new URL('../../../../', import.meta.url);
const SAMPLE = fileURLToPath(new URL('assets/replay/sample.csv', ROOT));
const CHART_DIR = fileURLToPath(new URL('tests/fixtures/vendors/yahoo/', ROOT));

function closesOf(data: Awaited<ReturnType<typeof loadReplay>>, symbol: string): number[] {
  return data.ticks.flatMap((t) => t.quotes.filter((q) => q.symbol === symbol).map((q) => q.price));
}

describe('bundled sample assets/replay/sample.csv', () => {
  it('holds the two recorded Yahoo charts, one tick per bar', async () => {
    const data = await loadReplay(SAMPLE, {});
    expect(data.symbols).toEqual(['AAPL', 'MSFT']);
    // 49 AAPL bars (2020-08-31..2020-11-06) + 252 MSFT bars (2021-02-01..2022-01-28); the ranges do not overlap.
    expect(data.ticks).toHaveLength(301);
    expect(data.ticks.every((t) => t.quotes.length === 1)).toBe(true);
    const aapl = closesOf(data, 'AAPL');
    const msft = closesOf(data, 'MSFT');
    expect(aapl).toHaveLength(49);
    expect(msft).toHaveLength(252);
    // chart.result[0].indicators.quote[0].close, first and last entries of each recorded chart.
    expect([aapl[0], aapl.at(-1)]).toEqual([129.0399932861328, 118.69000244140625]);
    expect([msft[0], msft.at(-1)]).toEqual([239.64999389648438, 308.260009765625]);
    expect(data.ticks[0]?.tsMs).toBe(Date.UTC(2020, 7, 31, 13, 30));
    expect(data.ticks.at(-1)?.tsMs).toBe(Date.UTC(2022, 0, 28, 14, 30));
  });

  it('is what scripts/build-sample.ts builds from the recorded charts', async () => {
    const charts = (await readdir(CHART_DIR)).filter((name) => /^chart-.*\.json$/.test(name)).sort();
    const bars: Bar[] = [];
    for (const name of charts) bars.push(...(await loadReplayBars(`${CHART_DIR}${name}`, {})).bars);
    bars.sort((a, b) => a.tsMs - b.tsMs || (a.symbol < b.symbol ? -1 : 1));
    expect(await readFile(SAMPLE, 'utf8')).toBe(formatReplayCsv(bars));
  });
});
