import { describe, expect, it } from 'vitest';
import { freePort } from '../helpers/net.js';
import { drainEscaped } from './no-internet.js';

async function failure(url: string): Promise<{ message: string; code?: string }> {
  const err: unknown = await fetch(url, { signal: AbortSignal.timeout(5_000) }).then(
    () => undefined,
    (e: unknown) => e,
  );
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : undefined;
  return { message: cause?.message ?? String(err), code: cause && 'code' in cause ? String(cause.code) : undefined };
}

describe('the offline guard', () => {
  it('refuses and records a connection to a host beyond this machine', async () => {
    // 192.0.2.1 is TEST-NET-1 (RFC 5737): never a real host.
    const { message } = await failure('http://192.0.2.1:80/');
    expect(message).toBe('test tried to reach 192.0.2.1: tests run offline');
    // Drained here so this one test passes; any other test would fail in afterEach.
    expect(drainEscaped()).toEqual(['192.0.2.1']);
  });

  it('lets connections to this machine through', async () => {
    const { code } = await failure(`http://127.0.0.1:${await freePort()}/`);
    // Nothing listens there: refused by the OS, not by the guard.
    expect(code).toBe('ECONNREFUSED');
    expect(drainEscaped()).toEqual([]);
  });
});
