/**
 * `npm run bench`: runs every benchmark under bench/ in turn, each in its own
 * process so one cannot warm or pollute another, and passes their JSON
 * figure lines through. Extra arguments go to every benchmark.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const scripts = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && f !== 'run-all.ts')
  .sort();

let failed = 0;
for (const script of scripts) {
  console.error(`== bench/${script}`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', `${dir}${script}`, ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  if (result.status !== 0) failed += 1;
}
process.exit(failed === 0 ? 0 : 1);
