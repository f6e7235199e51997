import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ZmqPublisher } from '../../src/bus/index.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export { freePort } from './net.js';

/** Resolves once `check()` is true, polling every 10 ms; rejects after `timeoutMs`. */
export async function waitUntil(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Beats the slow joiner: publishes a probe on `health` every 20 ms until the
 * subscriber reports one, so what follows is not lost to a subscription
 * still on its way. Uses its own topic, so other topics' seq start at 1.
 */
export async function handshake(publisher: ZmqPublisher, probeSeen: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!probeSeen()) {
    if (Date.now() > deadline) throw new Error('subscriber never saw a probe');
    publisher.publish('health', 'health', { service: 'probe', up: true }, Date.now());
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A line the helper subscriber printed. */
export type SubLine = { ready?: boolean; done?: boolean; topic?: string; body?: Record<string, unknown>; received?: number; gaps?: number };

/** tests/helpers/zmq-sub.ts running in another process, with its lines parsed as they arrive. */
export type SubProcess = {
  readonly lines: SubLine[];
  /** Closes its stdin, which ends its subscription; resolves with its exit code. */
  readonly stop: () => Promise<number | null>;
};

/** Spawns the subscriber helper and resolves once it is subscribed. */
export async function spawnSubscriber(endpoint: string, topics: readonly string[]): Promise<SubProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/helpers/zmq-sub.ts', endpoint, ...topics], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines: SubLine[] = [];
  let partial = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    for (const part of parts) lines.push(JSON.parse(part) as SubLine);
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const stop = (): Promise<number | null> => (child.stdin.end(), exited);
  try {
    await waitUntil(() => lines.some((l) => l.ready === true), 20_000, 'the subscriber process to be ready');
  } catch (err) {
    child.kill();
    throw err;
  }
  return { lines, stop };
}
