/**
 * A real Prometheus server (the Debian `prometheus` binary) in a child
 * process, with its config and TSDB in a temporary directory, and a small
 * client for the parts of its HTTP API the tests read.
 * @see https://prometheus.io/docs/prometheus/2.42/querying/api/
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { freePort } from './net.js';

/** What to scrape: one job, one target, every `scrapeIntervalS` seconds; rules evaluated as often. */
export type PrometheusSetup = {
  readonly job: string;
  /** `host:port` of the target; its metrics path is /metrics. */
  readonly target: string;
  /** Absolute paths of rule files to load. */
  readonly ruleFiles: readonly string[];
  readonly scrapeIntervalS: number;
};

/** One series of an instant-query answer: its labels and value. */
export type PromSample = { readonly labels: Readonly<Record<string, string>>; readonly value: number; readonly tsS: number };

const apiSchema = <T extends z.ZodType>(data: T) => z.object({ status: z.literal('success'), data });
const queryAnswer = apiSchema(
  z.object({
    resultType: z.literal('vector'),
    result: z.array(z.object({ metric: z.record(z.string(), z.string()), value: z.tuple([z.number(), z.string()]) })),
  }),
);
const ruleSchema = z.object({ name: z.string(), type: z.string(), health: z.string(), state: z.string().optional(), lastEvaluation: z.string(), lastError: z.string().optional() });
const rulesAnswer = apiSchema(z.object({ groups: z.array(z.object({ name: z.string(), file: z.string(), rules: z.array(ruleSchema) })) }));
const targetsAnswer = apiSchema(
  z.object({
    activeTargets: z.array(z.object({ labels: z.record(z.string(), z.string()), scrapeUrl: z.string(), health: z.string(), lastError: z.string() })),
  }),
);
const alertsAnswer = apiSchema(z.object({ alerts: z.array(z.object({ labels: z.record(z.string(), z.string()), annotations: z.record(z.string(), z.string()), state: z.string() })) }));

/** A rule as `/api/v1/rules` reports it, with the group and file it came from. */
export type PromRule = z.infer<typeof ruleSchema> & { readonly group: string; readonly file: string };
export type PromTarget = z.infer<typeof targetsAnswer>['data']['activeTargets'][number];
export type PromAlert = z.infer<typeof alertsAnswer>['data']['alerts'][number];

/** A running Prometheus and a client for its API on 127.0.0.1. */
export type Prometheus = {
  readonly baseUrl: string;
  /** Its log so far (Prometheus logs to stderr): for failure messages. */
  readonly log: () => string;
  readonly query: (expr: string) => Promise<PromSample[]>;
  readonly rules: () => Promise<PromRule[]>;
  readonly targets: () => Promise<PromTarget[]>;
  readonly alerts: () => Promise<PromAlert[]>;
  /** Kills it (SIGKILL), waits for its exit and deletes its directory. Safe to call twice. */
  readonly close: () => Promise<void>;
};

const MISSING = 'the `prometheus` binary is not on PATH: install the Debian package "prometheus" (apt-get install prometheus)';

/** Throws, saying what to install, unless `prometheus --version` runs. */
function requireBinary(): void {
  const probe = spawnSync('prometheus', ['--version'], { encoding: 'utf8' });
  if (probe.error !== undefined || probe.status !== 0) throw new Error(`${MISSING} (${probe.error?.message ?? `exit ${probe.status}`})`);
}

/** The config file. JSON is YAML, and it quotes the temporary paths safely. */
function configText(setup: PrometheusSetup): string {
  const interval = `${setup.scrapeIntervalS}s`;
  return JSON.stringify({
    // Rules are evaluated every 1m by default: as often as the scrape, so their health shows within seconds.
    global: { scrape_interval: interval, evaluation_interval: interval },
    rule_files: setup.ruleFiles,
    scrape_configs: [{ job_name: setup.job, metrics_path: '/metrics', static_configs: [{ targets: [setup.target] }] }],
  }, null, 2);
}

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

/** Starts Prometheus on a free 127.0.0.1 port and resolves once `/-/ready` answers 200 (up to `readyTimeoutMs`). */
export async function startPrometheus(setup: PrometheusSetup, readyTimeoutMs = 15_000): Promise<Prometheus> {
  requireBinary();
  const dir = mkdtempSync(join(tmpdir(), 'mi-prometheus-'));
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(configFile, configText(setup));
  const baseUrl = `http://127.0.0.1:${await freePort()}`;
  const child = spawn(
    'prometheus',
    [`--config.file=${configFile}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=${baseUrl.slice('http://'.length)}`],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (log += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (log += d));
  const exited = new Promise<void>((resolve) => {
    child.once('close', () => resolve());
    child.once('error', (err) => ((log += `\nspawn failed: ${err.message}`), resolve()));
  });
  let closed = false;
  const close = async (): Promise<void> => {
    if (!closed && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    closed = true;
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  const get = async (path: string): Promise<unknown> => {
    const response = await fetch(`${baseUrl}${path}`, { signal: AbortSignal.timeout(5_000) });
    if (!response.ok) throw new Error(`GET ${path}: HTTP ${response.status} ${await response.text()}`);
    return response.json();
  };
  try {
    // An early exit (bad config, port taken) ends the wait at once rather than at the deadline.
    const outcome = await pollFor(async () => {
      if (child.exitCode !== null || child.signalCode !== null) return 'exited';
      return (await fetch(`${baseUrl}/-/ready`)).status === 200 ? 'ready' : undefined;
    }, readyTimeoutMs, `prometheus at ${baseUrl}/-/ready`, 100);
    if (outcome === 'exited') throw new Error(`prometheus exited (code ${child.exitCode}, signal ${child.signalCode})`);
  } catch (err) {
    await close();
    throw new Error(`prometheus did not become ready: ${err instanceof Error ? err.message : String(err)}\nlog:\n${log}`, { cause: err });
  }
  return {
    baseUrl,
    log: () => log,
    close,
    query: async (expr) =>
      queryAnswer.parse(await get(`/api/v1/query?query=${encodeURIComponent(expr)}`)).data.result.map((r) => ({
        labels: r.metric,
        tsS: r.value[0],
        value: Number(r.value[1]),
      })),
    rules: async () =>
      rulesAnswer.parse(await get('/api/v1/rules')).data.groups.flatMap((g) => g.rules.map((r) => ({ ...r, group: g.name, file: g.file }))),
    targets: async () => targetsAnswer.parse(await get('/api/v1/targets?state=active')).data.activeTargets,
    alerts: async () => alertsAnswer.parse(await get('/api/v1/alerts')).data.alerts,
  };
}
