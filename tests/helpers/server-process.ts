/**
 * A real server binary (Prometheus, VictoriaMetrics) started by a test in a
 * temporary folder on 127.0.0.1: spawned, its log kept, waited for until its
 * ready URL answers 200, killed and its folder removed on close. A missing
 * binary fails the test with what to install, never skips it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Resolves with `check()`'s first defined answer, polling every `everyMs`; fetch errors count as "not yet". */
export async function pollFor<T>(check: () => Promise<T | undefined>, timeoutMs: number, what: string, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  for (;;) {
    try {
      const answer = await check();
      if (answer !== undefined) return answer;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last error: ${last})`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** How to start one server. */
export type ServerSpec = {
  /** The binary, e.g. `prometheus`. */
  readonly command: string;
  /** Arguments that print its version (to check it is installed). */
  readonly versionArgs: readonly string[];
  /** The Debian package that installs it, for the error. */
  readonly debianPackage: string;
  /** Its arguments, given its temporary folder. */
  readonly args: (dir: string) => readonly string[];
  /** The URL that answers 200 once it is ready. */
  readonly readyUrl: string;
  readonly readyTimeoutMs: number;
  readonly pollEveryMs?: number;
  /** Prefix of its temporary folder. */
  readonly dirPrefix: string;
  /** An existing folder to start in instead (a restart on the same data). */
  readonly dir?: string;
};

/** A started server. */
export type ServerProcess = {
  /** Its temporary folder (config, data). */
  readonly dir: string;
  /** Its log so far: for failure messages. */
  readonly log: () => string;
  /** Kills it (SIGKILL), waits for its exit and deletes its folder. Safe to call twice. */
  readonly close: () => Promise<void>;
  /** Kills it (SIGKILL) and waits for its exit, keeping its folder (to start it again on the same data). */
  readonly kill: () => Promise<void>;
};

/** Spawns the server and resolves once it is ready; `before(dir)` may write its config first. */
export async function startServerProcess(spec: ServerSpec, before?: (dir: string) => void): Promise<ServerProcess> {
  const probe = spawnSync(spec.command, [...spec.versionArgs], { encoding: 'utf8' });
  if (probe.error !== undefined || probe.status !== 0) {
    const why = probe.error?.message ?? `exit ${probe.status}`;
    throw new Error(`the \`${spec.command}\` binary is not on PATH: install the Debian package "${spec.debianPackage}" (apt-get install ${spec.debianPackage}) (${why})`);
  }
  const dir = spec.dir ?? mkdtempSync(join(tmpdir(), spec.dirPrefix));
  before?.(dir);
  const child = spawn(spec.command, [...spec.args(dir)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (log += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (log += d));
  const exited = new Promise<void>((resolve) => {
    child.once('close', () => resolve());
    child.once('error', (err) => ((log += `\nspawn failed: ${err.message}`), resolve()));
  });
  const kill = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  const close = async (): Promise<void> => {
    await kill();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // An early exit (bad config, port taken) ends the wait at once rather than at the deadline.
    const outcome = await pollFor(async () => {
      if (child.exitCode !== null || child.signalCode !== null) return 'exited';
      return (await fetch(spec.readyUrl)).status === 200 ? 'ready' : undefined;
    }, spec.readyTimeoutMs, `${spec.command} at ${spec.readyUrl}`, spec.pollEveryMs ?? 100);
    if (outcome === 'exited') throw new Error(`${spec.command} exited (code ${child.exitCode}, signal ${child.signalCode})`);
  } catch (err) {
    await close();
    throw new Error(`${spec.command} did not become ready: ${err instanceof Error ? err.message : String(err)}\nlog:\n${log}`, { cause: err });
  }
  return { dir, log: () => log, close, kill };
}
