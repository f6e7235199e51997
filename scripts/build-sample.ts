/**
 * Rebuilds assets/replay/sample.csv, the bundled replay data set, from the
 * recorded Yahoo charts in tests/fixtures/vendors/yahoo/ (chart-*.json),
 * read with the project's own replay loader: every non-null bar, values
 * unchanged, timestamps as ISO-8601 UTC, sorted by time then symbol.
 *
 * Run: node --import tsx scripts/build-sample.ts
 */
import { readdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Bar } from '../src/domain/index.js';
import { formatReplayCsv, loadReplayBars } from '../src/market/sources/replay/index.js';

const ROOT = new URL('..', import.meta.url);
const CHART_DIR = fileURLToPath(new URL('tests/fixtures/vendors/yahoo/', ROOT));
const OUTPUT = fileURLToPath(new URL('assets/replay/sample.csv', ROOT));

function byTimeThenSymbol(a: Bar, b: Bar): number {
  if (a.tsMs !== b.tsMs) return a.tsMs - b.tsMs;
  return a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0;
}

async function main(): Promise<void> {
  const charts = (await readdir(CHART_DIR)).filter((name) => /^chart-.*\.json$/.test(name)).sort();
  const bars: Bar[] = [];
  for (const name of charts) {
    const loaded = await loadReplayBars(`${CHART_DIR}${name}`, {});
    bars.push(...loaded.bars);
    process.stdout.write(`${name}: ${loaded.bars.length} bars\n`);
  }
  await writeFile(OUTPUT, formatReplayCsv(bars.sort(byTimeThenSymbol)));
  process.stdout.write(`wrote ${bars.length} bars to ${OUTPUT}\n`);
}

await main();
