import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root and its built binary (tests/global-setup.ts builds dist/). */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = fileURLToPath(new URL('../../bin/market-intel', import.meta.url));

/** A running `market-intel` child with its output collected as it arrives. */
export type Cli = {
  readonly child: ChildProcessWithoutNullStreams;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Resolves with the exit code (or 128+n for a signal) and the wall time since spawn. */
  readonly exited: Promise<{ code: number; ms: number }>;
  /** Resolves once stdout or stderr contains `text`. */
  readonly waitFor: (text: string, timeoutMs?: number) => Promise<void>;
};

const SIGNAL_CODES: Readonly<Record<string, number>> = { SIGINT: 130, SIGKILL: 137, SIGTERM: 143 };

/** Spawns the built binary with an environment that holds no market-intel settings. */
export function spawnCli(args: readonly string[], env: Readonly<Record<string, string>> = {}): Cli {
  const started = performance.now();
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(ZMQ_|METRICS_|SYMBOLS|CAPITAL|INTERVAL_S|MARKET_SOURCE|MAX_QUOTE_AGE|SENTIMENT_|CNN_|ALTME_|LOG_LEVEL|SIM_|NUM_BASE_TICKERS|DERIVS_PER_TICKER|CROSS_SAMPLE_K|ETA$|PHI_LADDER|UPDATE_INTERVAL|SIGNAL_THRESHOLD|BOOK$|DATA_DIR|EPISODIC_TTL|REDIS_|MYSQL_|INFLUXDB_)/.test(k)));
  // Sentiment indices point at a closed local port unless a test serves them: nothing leaves the machine.
  // Each run gets its own data folder (the archive with the ledger, the spool; flags win), so parallel tests never share state.
  const offline = {
    CNN_FNG_BASE_URL: 'http://127.0.0.1:1',
    ALTME_FNG_BASE_URL: 'http://127.0.0.1:1',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'mi-cli-')),
  };
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...clean, ...offline, ...env } });
  let out = '';
  let err = '';
  const waiters = new Set<() => void>();
  const notify = (): void => waiters.forEach((w) => w());
  child.stdout.setEncoding('utf8').on('data', (d: string) => ((out += d), notify()));
  child.stderr.setEncoding('utf8').on('data', (d: string) => ((err += d), notify()));
  const exited = new Promise<{ code: number; ms: number }>((resolve) => {
    child.on('close', (code, signal) => {
      resolve({ code: code ?? SIGNAL_CODES[signal ?? ''] ?? -1, ms: performance.now() - started });
    });
  });
  const waitFor = (text: string, timeoutMs = 15_000): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (out.includes(text) || err.includes(text)) {
          waiters.delete(check);
          clearTimeout(timer);
          resolve();
        }
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`timed out waiting for ${JSON.stringify(text)}\nstdout:\n${out}\nstderr:\n${err}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  return { child, stdout: () => out, stderr: () => err, exited, waitFor };
}

export { freePort } from './net.js';

/** Parses JSON lines, ignoring blank ones. */
export function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
