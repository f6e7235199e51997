/**
 * A real Prometheus server (the Debian `prometheus` binary) in a child
 * process, with its config and TSDB in a temporary directory, and a small
 * client for the parts of its HTTP API the tests read.
 * @see https://prometheus.io/docs/prometheus/2.42/querying/api/
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { freePort } from './net.js';
import { startServerProcess } from './server-process.js';


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

/** Starts Prometheus on a free 127.0.0.1 port and resolves once `/-/ready` answers 200 (up to `readyTimeoutMs`). */
export async function startPrometheus(setup: PrometheusSetup, readyTimeoutMs = 15_000): Promise<Prometheus> {
  const baseUrl = `http://127.0.0.1:${await freePort()}`;
  const server = await startServerProcess(
    {
      command: 'prometheus',
      versionArgs: ['--version'],
      debianPackage: 'prometheus',
      args: (dir) => [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=${baseUrl.slice('http://'.length)}`],
      readyUrl: `${baseUrl}/-/ready`,
      readyTimeoutMs,
      dirPrefix: 'mi-prometheus-',
    },
    (dir) => writeFileSync(join(dir, 'prometheus.yml'), configText(setup)),
  );
  const get = async (path: string): Promise<unknown> => {
    const response = await fetch(`${baseUrl}${path}`, { signal: AbortSignal.timeout(5_000) });
    if (!response.ok) throw new Error(`GET ${path}: HTTP ${response.status} ${await response.text()}`);
    return response.json();
  };
  return {
    baseUrl,
    log: server.log,
    close: server.close,
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
