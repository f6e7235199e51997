/**
 * The deployment files through real linters (npm dev dependencies, offline):
 * dockerfilelint for the Dockerfile (.dockerfilelintrc turns off its two
 * checks that misread it, with the reason), dclint for the compose file
 * (errors fail; its style warnings, key order and the like, are reported only).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

function run(bin: string, args: readonly string[]) {
  const env = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' };
  const result = spawnSync(join(ROOT, 'node_modules/.bin', bin), [...args], { cwd: ROOT, encoding: 'utf8', env });
  // The linters colour their output when they think a terminal (or CI) is there: strip it.
  return { status: result.status, out: stripVTControlCharacters(`${result.stdout}${result.stderr}`) };
}

describe('linters', () => {
  it('dockerfilelint finds no issue in the Dockerfile', () => {
    const lint = run('dockerfilelint', ['Dockerfile']);
    expect(lint.out).toContain('Issues: None found');
    expect(lint.status).toBe(0);
  });

  it('dclint finds no error in docker-compose.yml', () => {
    const lint = run('dclint', ['docker-compose.yml']);
    expect(lint.out).toMatch(/✖ \d+ problems \(0 errors, \d+ warnings\)|^\s*$/);
    expect(lint.status).toBe(0);
  });

  it('dclint does fail a compose file with an error (the check can fail)', () => {
    const lint = run('dclint', ['tests/deploy/fixtures/bad-compose.yml']);
    expect(lint.out).toMatch(/\d+ errors?/);
    expect(lint.out).toContain('no-unbound-port-interfaces');
    expect(lint.status).not.toBe(0);
  });
});
