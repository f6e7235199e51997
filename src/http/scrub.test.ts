import { describe, expect, it } from 'vitest';
import { secretScrubber } from './scrub.js';

describe('secretScrubber', () => {
  it('masks every occurrence of each secret', () => {
    const scrub = secretScrubber(['pk_live_123', 'hunter2']);
    expect(scrub('key=pk_live_123 pass=hunter2 again=pk_live_123')).toBe('key=[redacted] pass=[redacted] again=[redacted]');
  });

  it('masks a secret as JSON and Prometheus escape it', () => {
    const secret = 'a"b\\c';
    const scrub = secretScrubber([secret]);
    const json = JSON.stringify({ password: secret });
    expect(json).toBe('{"password":"a\\"b\\\\c"}');
    expect(scrub(json)).toBe('{"password":"[redacted]"}');
  });

  it('masks a URL-encoded secret', () => {
    expect(secretScrubber(['p@ss word'])('redis://u:p%40ss%20word@h')).toBe('redis://u:[redacted]@h');
  });

  it('masks a secret that contains another one whole', () => {
    expect(secretScrubber(['abc', 'xxabcxx'])('1 xxabcxx 2 abc')).toBe('1 [redacted] 2 [redacted]');
  });

  it('ignores empty secrets and leaves text without secrets unchanged', () => {
    expect(secretScrubber(['', 'zzz'])('plain text')).toBe('plain text');
    expect(secretScrubber([])('plain text')).toBe('plain text');
  });
});
