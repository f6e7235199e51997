import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENV_ONLY, VALUE_OPTIONS } from './options.js';

const example = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');

describe('.env.example', () => {
  it('lists every environment variable the config reads, and no other', () => {
    const listed = new Set([...example.matchAll(/^#?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
    const read = new Set([...VALUE_OPTIONS.flatMap((o) => (o.env ? [o.env] : [])), ...ENV_ONLY.map((e) => e.env)]);
    expect([...listed].sort()).toEqual([...read].sort());
    // The alias is documented beside MYSQL_DB rather than given a line of its own.
    expect(example).toContain('MYSQL_DATABASE is accepted as an alias');
  });

  it('ships no secret values', () => {
    for (const { env } of ENV_ONLY.filter((e) => e.secret)) {
      const line = example.split('\n').find((l) => l.replace(/^#/, '').startsWith(`${env}=`));
      const value = line?.split('=').slice(1).join('=') ?? '';
      expect(value === '' || value.includes('password@')).toBe(true);
    }
  });
});
