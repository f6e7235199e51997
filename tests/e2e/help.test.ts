import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENV_ONLY, VALUE_OPTIONS } from '../../src/config/index.js';
import { ROOT, spawnCli } from '../helpers/cli.js';

async function output(args: readonly string[]): Promise<{ code: number; text: string }> {
  const cli = spawnCli(args);
  const { code } = await cli.exited;
  // commander wraps help to the terminal width; join the lines back to compare.
  return { code, text: cli.stdout().replace(/\s+/g, ' ') };
}

describe('market-intel help and version', () => {
  it('run --help lists every flag with its default and environment variable', async () => {
    const { code, text } = await output(['run', '--help']);
    expect(code).toBe(0);
    for (const option of VALUE_OPTIONS) {
      expect(text).toContain(option.flag);
      if (option.defaultText) expect(text).toContain(`default: ${option.defaultText}`);
      if (option.env) expect(text).toContain(`env: ${option.env}`);
    }
    for (const flag of ['--no-simulation', '--no-portfolio', '--no-metrics', '--debug']) expect(text).toContain(flag);
    for (const variable of ENV_ONLY) expect(text).toContain(variable.env);
  });

  it('--version prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const { code, text } = await output(['--version']);
    expect(code).toBe(0);
    expect(text.trim()).toBe(pkg.version);
  });

  it('--help names the commands', async () => {
    const { code, text } = await output(['--help']);
    expect(code).toBe(0);
    expect(text).toContain('run [options]');
    expect(text).toContain('subscribe [options]');
  });
});
