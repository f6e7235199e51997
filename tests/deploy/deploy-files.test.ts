/**
 * The deployment files of issue 9, checked offline: the Dockerfile and its
 * .dockerignore, docker-compose.yml (and `docker-compose config -q`), the
 * Prometheus and Grafana files it mounts, the Kubernetes manifests, railway.json,
 * the systemd unit (`systemd-analyze verify`) and docs/deploy.md. Every
 * environment variable these files give the worker must be one the project
 * knows: the names of .env.example.
 *
 * Tools (Debian packages): python3-yaml (YAML parsing: no YAML library is a
 * dependency of the project), docker-compose, systemd (systemd-analyze),
 * prometheus (promtool).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const K8S = join(ROOT, 'deploy', 'kubernetes');
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
function obj(v: unknown, what: string): Obj {
  if (!isObj(v)) throw new Error(`${what}: expected a mapping, got ${JSON.stringify(v)}`);
  return v;
}
function arr(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) throw new Error(`${what}: expected a list, got ${JSON.stringify(v)}`);
  return v;
}
function str(v: unknown, what: string): string {
  if (typeof v !== 'string') throw new Error(`${what}: expected a string, got ${JSON.stringify(v)}`);
  return v;
}

/** Runs a tool; a missing tool fails the test with the Debian package to install. */
function tool(cmd: string, args: string[], pkg: string, options: { env?: NodeJS.ProcessEnv; input?: string } = {}) {
  const run = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', env: options.env ?? process.env, input: options.input });
  if (run.error) throw new Error(`${cmd} could not run (${run.error.message}): install the Debian package "${pkg}"`);
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Every document of each YAML file, parsed by PyYAML's safe loader (one process for all files). */
function parseYamlFiles(paths: string[]): Map<string, unknown[]> {
  const script = [
    'import json, sys, yaml',
    'out = {}',
    'for p in sys.argv[1:]:',
    '    with open(p, encoding="utf-8") as f:',
    '        out[p] = [d for d in yaml.safe_load_all(f) if d is not None]',
    'print(json.dumps(out, default=str))',
  ].join('\n');
  const run = tool('python3', ['-c', script, ...paths.map((p) => join(ROOT, p))], 'python3-yaml');
  if (run.status !== 0) throw new Error(`YAML parse failed (PyYAML: Debian package "python3-yaml"):\n${run.stderr}`);
  const parsed = obj(JSON.parse(run.stdout), 'parser output');
  return new Map(paths.map((p) => [p, arr(parsed[join(ROOT, p)], p)]));
}

const K8S_FILES = readdirSync(K8S)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort()
  .map((f) => `deploy/kubernetes/${f}`);
const YAML_FILES = [
  'docker-compose.yml',
  'deploy/prometheus.compose.yml',
  'deploy/grafana/provisioning/datasources/prometheus.yml',
  'deploy/grafana/provisioning/dashboards/market-intel.yml',
  ...K8S_FILES,
];
const YAML = parseYamlFiles(YAML_FILES);
const yamlDoc = (path: string): Obj => obj(YAML.get(path)?.[0], path);

/** The variable names of .env.example (`NAME=` or `#NAME=` at a line start). */
const KNOWN_VARS = new Set([...read('.env.example').matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1] ?? ''));
/** The secrets among them. */
const SECRET_VARS = [...KNOWN_VARS].filter((n) => /(PASSWORD|TOKEN|SECRET|_KEY)$/.test(n)).sort();
/** Variables every deployment must give the worker: live runs need a watchlist. */
const REQUIRED_VARS = ['SYMBOLS'];
/** Variables docker-compose.yml interpolates that are not the worker's (its images' and compose's own). */
const COMPOSE_ONLY_VARS = ['MYSQL_ROOT_PASSWORD', 'INFLUXDB_ADMIN_USER', 'INFLUXDB_ADMIN_PASSWORD', 'GRAFANA_ADMIN_USER', 'GRAFANA_ADMIN_PASSWORD', 'ENV_FILE'];
/** Railway's own variables the Railway docs may list. */
const RAILWAY_PLATFORM_VARS = ['RAILWAY_RUN_UID'];
const PLACEHOLDER = /^(|change-?me|changeme|placeholder|replace-?me|<[^>]*>)$/i;
const METRICS_PORT = 9090;

describe('environment variable names', () => {
  it('reads the known names from .env.example', () => {
    for (const name of ['SYMBOLS', 'METRICS_PORT', 'PORT', 'REDIS_HOST', 'MYSQL_HOST', 'INFLUXDB_TOKEN', 'SHARD_COUNT', 'SHARD_INDEX', 'LOG_LEVEL']) {
      expect(KNOWN_VARS, name).toContain(name);
    }
    expect(SECRET_VARS).toEqual(['ALPACA_KEY', 'ALPACA_SECRET', 'INFLUXDB_TOKEN', 'MYSQL_PASSWORD', 'POLYGON_API_KEY', 'REDIS_PASSWORD']);
  });
});

// ---------------------------------------------------------------- Dockerfile

/** Instructions of a Dockerfile, continuation lines joined, comments dropped. */
function dockerInstructions(text: string): { op: string; args: string }[] {
  const joined = text
    .split('\n')
    .filter((l) => !/^\s*#/.test(l))
    .join('\n')
    .replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .map((l) => {
      const m = /^(\S+)\s*(.*)$/.exec(l);
      return { op: (m?.[1] ?? '').toUpperCase(), args: m?.[2] ?? '' };
    });
}

/** Whether .dockerignore excludes a path of the build context (last matching pattern wins, `!` re-includes). */
function dockerIgnored(patterns: string[], path: string): boolean {
  let ignored = false;
  for (const raw of patterns) {
    const negate = raw.startsWith('!');
    const pattern = (negate ? raw.slice(1) : raw).replace(/^\/+|\/+$/g, '');
    const re = new RegExp(
      `^${pattern
        .split(/(\*\*|\*)/)
        .map((part) => (part === '**' ? '.*' : part === '*' ? '[^/]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
        .join('')}(/.*)?$`,
    );
    if (re.test(path)) ignored = !negate;
  }
  return ignored;
}

describe('Dockerfile', () => {
  const text = read('Dockerfile');
  const ins = dockerInstructions(text);
  const args = new Map(ins.filter((i) => i.op === 'ARG' && i.args.includes('=')).map((i) => [i.args.split('=')[0] ?? '', i.args.split('=')[1] ?? '']));
  const froms = ins.filter((i) => i.op === 'FROM').map((i) => i.args.replace(/\$\{(\w+)\}/g, (_, n: string) => args.get(n) ?? ''));
  const lastFrom = ins.map((i) => i.op).lastIndexOf('FROM');
  const runtime = ins.slice(lastFrom);
  const ignore = read('.dockerignore')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));

  it('is multi-stage on node:22-bookworm-slim', () => {
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const from of froms) expect(from).toMatch(/^node:22-bookworm-slim(\s|$)/);
    // the runtime stage takes the compiled node_modules and dist from the build stage
    expect(runtime.some((i) => i.op === 'COPY' && /--from=\w+\s+\S*node_modules/.test(i.args))).toBe(true);
    expect(runtime.some((i) => i.op === 'COPY' && /--from=\w+\s+\S*dist/.test(i.args))).toBe(true);
    // dev dependencies are pruned before node_modules is copied
    expect(text).toMatch(/npm prune --omit=dev/);
    expect(text).toMatch(/npm run build/);
  });

  it('runs as a non-root user', () => {
    const users = runtime.filter((i) => i.op === 'USER').map((i) => i.args.split(':')[0]);
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^(root|0)$/);
  });

  it('checks /health with node fetch, no curl', () => {
    const hc = runtime.find((i) => i.op === 'HEALTHCHECK');
    expect(hc?.args).toMatch(/CMD \["node", "-e", ".*fetch\(.*\/health/);
    expect(hc?.args).toMatch(/process\.env\.METRICS_PORT \|\| process\.env\.PORT \|\| 9090/);
    expect(hc?.args).not.toMatch(/curl|wget/);
  });

  it('runs `market-intel run`, with market-intel on PATH', () => {
    expect(runtime.find((i) => i.op === 'ENTRYPOINT')?.args).toBe('["market-intel"]');
    expect(runtime.find((i) => i.op === 'CMD')?.args).toBe('["run"]');
    expect(text).toMatch(/ln -s \/app\/bin\/market-intel \/usr\/local\/bin\/market-intel/);
  });

  it('takes configuration from the environment only, leaving PORT to platforms', () => {
    const envNames = runtime.filter((i) => i.op === 'ENV').flatMap((i) => [...i.args.matchAll(/(\w+)=/g)].map((m) => m[1] ?? ''));
    for (const name of envNames) expect([...KNOWN_VARS, 'NODE_ENV'], name).toContain(name);
    // METRICS_PORT set in the image would win over Railway's PORT
    expect(envNames).not.toContain('METRICS_PORT');
    expect(dockerIgnored(ignore, '.env')).toBe(true);
  });

  it('copies only files that exist and that .dockerignore keeps', () => {
    const sources = ins
      .filter((i) => i.op === 'COPY' && !i.args.includes('--from='))
      .flatMap((i) => i.args.split(/\s+/).filter((a) => !a.startsWith('--')).slice(0, -1));
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      expect(existsSync(join(ROOT, source)), source).toBe(true);
      expect(dockerIgnored(ignore, source), `${source} is excluded by .dockerignore`).toBe(false);
    }
    for (const path of ['node_modules', 'dist', 'data', '.git', '.env', 'tests/fixtures', 'src/config/load.test.ts']) {
      expect(dockerIgnored(ignore, path), path).toBe(true);
    }
  });

  it('matches .node-version', () => {
    expect(read('.node-version').trim()).toBe('22');
  });
});

// ------------------------------------------------------------ docker-compose

describe('docker-compose.yml', () => {
  const compose = yamlDoc('docker-compose.yml');
  const services = obj(compose.services, 'services');
  const service = (name: string): Obj => obj(services[name], name);
  const text = read('docker-compose.yml');

  it('runs the worker with redis, mysql, influxdb, prometheus and grafana, each health-checked', () => {
    expect(Object.keys(services).sort()).toEqual(['grafana', 'influxdb', 'mysql', 'prometheus', 'redis', 'worker']);
    for (const [name, svc] of Object.entries(services)) {
      const hc = obj(obj(svc, name).healthcheck, `${name}.healthcheck`);
      expect(arr(hc.test, `${name}.healthcheck.test`).length, name).toBeGreaterThan(0);
    }
    expect(service('mysql').image).toMatch(/^mysql:8/);
    expect(service('influxdb').image).toMatch(/^influxdb:2/);
    expect(obj(service('worker'), 'worker').build).toBe('.');
  });

  it('starts services after their dependencies are healthy', () => {
    const deps = obj(service('worker').depends_on, 'worker.depends_on');
    expect(Object.keys(deps).sort()).toEqual(['influxdb', 'mysql', 'redis']);
    for (const [name, svc] of Object.entries(services)) {
      const dependsOn = obj(svc, name).depends_on;
      if (dependsOn === undefined) continue;
      for (const [dep, cond] of Object.entries(obj(dependsOn, `${name}.depends_on`))) {
        expect(obj(cond, dep).condition, `${name} -> ${dep}`).toBe('service_healthy');
        expect(Object.keys(services)).toContain(dep);
      }
    }
  });

  it('gives the worker a health check on /health, an init and time to stop', () => {
    const worker = service('worker');
    expect(JSON.stringify(obj(worker.healthcheck, 'hc').test)).toContain(`127.0.0.1:${METRICS_PORT}/health`);
    expect(worker.init).toBe(true);
    const grace = /^(\d+)s$/.exec(str(worker.stop_grace_period, 'stop_grace_period'));
    expect(Number(grace?.[1])).toBeGreaterThan(4.5);
    expect(worker.env_file).toEqual(['${ENV_FILE:-.env}']);
  });

  it('mounts init-db.sql into MySQL and the Prometheus and Grafana files', () => {
    const volumes = (name: string): string[] => arr(service(name).volumes, `${name}.volumes`).map((v) => str(v, 'volume'));
    expect(volumes('mysql')).toContain('./init-db.sql:/docker-entrypoint-initdb.d/10-init-db.sql:ro');
    // rule_files is resolved beside the config file
    expect(volumes('prometheus')).toContain('./deploy/prometheus.compose.yml:/etc/prometheus/prometheus.yml:ro');
    expect(volumes('prometheus')).toContain('./deploy/prometheus-alerts.yaml:/etc/prometheus/prometheus-alerts.yaml:ro');
    expect(volumes('grafana')).toContain('./deploy/grafana/provisioning:/etc/grafana/provisioning:ro');
    // every bind mount exists; every named volume is declared
    const declared = Object.keys(obj(compose.volumes, 'volumes'));
    for (const name of Object.keys(services)) {
      for (const v of arr(service(name).volumes ?? [], name).map((x) => str(x, 'volume'))) {
        const source = v.split(':')[0] ?? '';
        if (source.startsWith('./')) expect(existsSync(join(ROOT, source)), v).toBe(true);
        else expect(declared, v).toContain(source);
      }
    }
  });

  it('keeps secrets out of the file: every password or token is a ${...} from .env', () => {
    for (const [name, svc] of Object.entries(services)) {
      const env = obj(obj(svc, name).environment ?? {}, `${name}.environment`);
      for (const [key, value] of Object.entries(env)) {
        if (/PASSWORD|TOKEN|SECRET|_KEY$/.test(key)) expect(String(value), `${name}.${key}`).toMatch(/^\$\{\w+(:?[-?][^}]*)?\}$/);
      }
    }
    expect(text).not.toMatch(/change-?me/i);
  });

  it('names only variables the project knows, and the compose-only ones are documented', () => {
    const workerEnv = obj(service('worker').environment, 'worker.environment');
    for (const key of Object.keys(workerEnv)) expect(KNOWN_VARS, key).toContain(key);
    for (const key of REQUIRED_VARS) expect(Object.keys(workerEnv), key).toContain(key);
    const uncommented = text.replace(/^\s*#.*$/gm, '');
    const interpolated = new Set([...uncommented.matchAll(/(?<!\$)\$\{(\w+)/g)].map((m) => m[1] ?? ''));
    expect(interpolated.size).toBeGreaterThan(5);
    const docs = read('docs/deploy.md');
    for (const name of interpolated) {
      if (KNOWN_VARS.has(name)) continue;
      expect(COMPOSE_ONLY_VARS, `${name} is neither in .env.example nor a compose-only variable`).toContain(name);
      expect(docs, `${name} is not documented in docs/deploy.md`).toContain(`\`${name}\``);
    }
    // the worker's store credentials are the ones the stores are set up with
    expect(obj(service('influxdb').environment, 'influxdb').DOCKER_INFLUXDB_INIT_ADMIN_TOKEN).toMatch(/^\$\{INFLUXDB_TOKEN/);
    expect(obj(service('mysql').environment, 'mysql').MYSQL_PASSWORD).toMatch(/^\$\{MYSQL_PASSWORD/);
    expect(obj(service('redis').environment, 'redis').REDIS_PASSWORD).toMatch(/^\$\{REDIS_PASSWORD/);
    expect(workerEnv).toMatchObject({ REDIS_HOST: 'redis', MYSQL_HOST: 'mysql', INFLUXDB_URL: 'http://influxdb:8086', METRICS_PORT: String(METRICS_PORT) });
  });

  it('passes `docker-compose config -q`', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mi-compose-'));
    try {
      const envFile = join(dir, 'test.env');
      const names = ['REDIS_PASSWORD', 'MYSQL_ROOT_PASSWORD', 'MYSQL_PASSWORD', 'INFLUXDB_ADMIN_PASSWORD', 'INFLUXDB_TOKEN', 'GRAFANA_ADMIN_PASSWORD'];
      writeFileSync(envFile, names.map((n) => `${n}=change-me\n`).join(''));
      const env = { ...process.env, ENV_FILE: envFile };
      const ok = tool('docker-compose', ['--env-file', envFile, '-f', 'docker-compose.yml', 'config', '-q'], 'docker-compose', { env });
      expect(ok.stderr).toBe('');
      expect(ok.status).toBe(0);
      // a missing secret stops compose before anything starts
      writeFileSync(envFile, names.filter((n) => n !== 'MYSQL_PASSWORD').map((n) => `${n}=change-me\n`).join(''));
      const missing = tool('docker-compose', ['--env-file', envFile, '-f', 'docker-compose.yml', 'config', '-q'], 'docker-compose', { env });
      expect(missing.status).not.toBe(0);
      expect(missing.stderr).toContain('set MYSQL_PASSWORD in .env');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('compose Prometheus and Grafana files', () => {
  it('scrapes worker:9090 with the same job and rules as deploy/prometheus.yml, and passes promtool', () => {
    const prom = yamlDoc('deploy/prometheus.compose.yml');
    const job = obj(arr(prom.scrape_configs, 'scrape_configs')[0], 'job');
    expect(job.job_name).toBe('market-intel');
    expect(JSON.stringify(job.static_configs)).toBe(JSON.stringify([{ targets: [`worker:${METRICS_PORT}`] }]));
    expect(prom.rule_files).toEqual(['prometheus-alerts.yaml']);
    const run = tool('promtool', ['check', 'config', 'deploy/prometheus.compose.yml'], 'prometheus');
    expect(run.status, run.stdout + run.stderr).toBe(0);
  });

  it('provisions the Prometheus data source and the dashboard the grafana service renders', () => {
    const ds = obj(arr(yamlDoc('deploy/grafana/provisioning/datasources/prometheus.yml').datasources, 'datasources')[0], 'datasource');
    expect(ds).toMatchObject({ type: 'prometheus', url: 'http://prometheus:9090', uid: 'prometheus' });
    const provider = obj(arr(yamlDoc('deploy/grafana/provisioning/dashboards/market-intel.yml').providers, 'providers')[0], 'provider');
    const dir = str(obj(provider.options, 'options').path, 'path');
    // the grafana entrypoint binds ${DS_PROMETHEUS} to that uid and writes the dashboard into the provider's folder
    const grafana = obj(obj(yamlDoc('docker-compose.yml').services, 'services').grafana, 'grafana');
    const entry = arr(grafana.entrypoint, 'entrypoint').join(' ');
    expect(entry).toContain(`s/[$$]{DS_PROMETHEUS}/${str(ds.uid, 'uid')}/g`);
    expect(entry).toContain(`> ${dir}/market-intel.json`);
    expect(entry).toMatch(/exec \/run\.sh$/);
    expect(read('deploy/grafana_dashboard.json')).toContain('${DS_PROMETHEUS}');
    // the sed expression (compose turns $$ into $) really binds every reference
    const sed = tool('sed', ['s/[$]{DS_PROMETHEUS}/prometheus/g'], 'sed', { input: read('deploy/grafana_dashboard.json') });
    expect(sed.stdout).not.toContain('DS_PROMETHEUS}');
    expect(sed.stdout).toContain('"uid": "prometheus"');
  });
});

// ---------------------------------------------------------------- Kubernetes

const K8S_DOCS = K8S_FILES.flatMap((file) => (YAML.get(file) ?? []).map((doc, i) => ({ file, doc: obj(doc, `${file}#${i}`) })));
function k8s(kind: string, name: string): Obj {
  const found = K8S_DOCS.find(({ doc }) => doc.kind === kind && obj(doc.metadata, 'metadata').name === name);
  if (!found) throw new Error(`no ${kind} ${name} in deploy/kubernetes/`);
  return found.doc;
}
const podSpec = (workload: Obj): Obj => obj(obj(obj(workload.spec, 'spec').template, 'template').spec, 'pod spec');
const containers = (spec: Obj, key = 'containers'): Obj[] => arr(spec[key], key).map((c) => obj(c, 'container'));

describe('deploy/kubernetes', () => {
  const sts = k8s('StatefulSet', 'market-intel');
  const spec = podSpec(sts);
  const worker = containers(spec).find((c) => c.name === 'worker');
  if (!worker) throw new Error('no worker container');
  const configMap = obj(k8s('ConfigMap', 'market-intel-config').data, 'configmap data');

  it('gives every document apiVersion, kind and metadata, in namespace market-system', () => {
    expect(K8S_DOCS.length).toBeGreaterThanOrEqual(10);
    for (const { file, doc } of K8S_DOCS) {
      expect(doc.apiVersion, file).toEqual(expect.any(String));
      expect(doc.kind, file).toEqual(expect.any(String));
      const meta = obj(doc.metadata, `${file} metadata`);
      expect(meta.name, file).toEqual(expect.any(String));
      if (doc.kind === 'Namespace') expect(meta.name).toBe('market-system');
      else expect(meta.namespace, `${file} ${String(doc.kind)} ${String(meta.name)}`).toBe('market-system');
    }
    expect(K8S_DOCS.map(({ doc }) => doc.kind).sort()).toEqual(
      expect.arrayContaining(['ConfigMap', 'Deployment', 'HorizontalPodAutoscaler', 'Ingress', 'Namespace', 'PersistentVolumeClaim', 'Secret', 'Service', 'StatefulSet']),
    );
  });

  it('probes /live and /ready on the container metrics port 9090, which the worker listens on', () => {
    const ports = arr(worker.ports, 'ports').map((p) => obj(p, 'port'));
    const metrics = ports.find((p) => p.name === 'metrics');
    expect(metrics?.containerPort).toBe(METRICS_PORT);
    expect(configMap.METRICS_PORT).toBe(String(METRICS_PORT));
    const resolve = (port: unknown): unknown => (typeof port === 'string' ? ports.find((p) => p.name === port)?.containerPort : port);
    const live = obj(obj(worker.livenessProbe, 'livenessProbe').httpGet, 'liveness httpGet');
    const ready = obj(obj(worker.readinessProbe, 'readinessProbe').httpGet, 'readiness httpGet');
    expect(live.path).toBe('/live');
    expect(ready.path).toBe('/ready');
    expect(resolve(live.port)).toBe(METRICS_PORT);
    expect(resolve(ready.port)).toBe(METRICS_PORT);
  });

  it('gives the worker resources, a grace period beyond its 4.5 s shutdown, and no service links', () => {
    const resources = obj(worker.resources, 'resources');
    for (const key of ['requests', 'limits']) {
      const r = obj(resources[key], key);
      expect(r.cpu, key).toBeDefined();
      expect(r.memory, key).toBeDefined();
    }
    expect(Number(spec.terminationGracePeriodSeconds)).toBeGreaterThan(4.5);
    expect(spec.enableServiceLinks).toBe(false);
    expect(obj(spec.securityContext, 'securityContext').runAsNonRoot).toBe(true);
  });

  it('takes its environment from the ConfigMap and the Secret, with names the project knows', () => {
    const refs = (c: Obj) => arr(c.envFrom, 'envFrom').map((e) => obj(e, 'envFrom'));
    for (const c of [worker, ...containers(spec, 'initContainers')]) {
      expect(refs(c)).toEqual([{ configMapRef: { name: 'market-intel-config' } }, { secretRef: { name: 'market-intel-secrets' } }]);
      expect(c.image).toBe(worker.image);
    }
    const secret = k8s('Secret', 'market-intel-secrets');
    const secretKeys = Object.keys({ ...obj(secret.stringData ?? {}, 'stringData'), ...obj(secret.data ?? {}, 'data') });
    for (const key of [...Object.keys(configMap), ...secretKeys]) expect(KNOWN_VARS, key).toContain(key);
    expect(secretKeys.sort()).toEqual(SECRET_VARS);
    for (const key of SECRET_VARS) expect(Object.keys(configMap), `${key} belongs in the Secret`).not.toContain(key);
    for (const key of REQUIRED_VARS) expect(Object.keys(configMap), key).toContain(key);
  });

  it('keeps only placeholder values in Secrets', () => {
    const secrets = K8S_DOCS.filter(({ doc }) => doc.kind === 'Secret');
    expect(secrets.length).toBeGreaterThan(0);
    for (const { doc } of secrets) {
      for (const [key, value] of Object.entries(obj(doc.stringData ?? {}, 'stringData'))) expect(String(value), key).toMatch(PLACEHOLDER);
      for (const [key, value] of Object.entries(obj(doc.data ?? {}, 'data'))) {
        expect(Buffer.from(String(value), 'base64').toString('utf8'), key).toMatch(PLACEHOLDER);
      }
    }
  });

  it('sets SHARD_INDEX from the pod ordinal when SHARD_COUNT > 1, BOOK to the pod name, and keeps replicas = SHARD_COUNT when sharding', () => {
    const command = arr(worker.command, 'command').map((c) => str(c, 'command'));
    expect(command.slice(0, 2)).toEqual(['sh', '-c']);
    const script = command[2] ?? '';
    expect(script).toMatch(/exec market-intel run$/);
    const probe = script.replace(/exec market-intel run$/, 'echo "${SHARD_INDEX:-unset}"');
    const shardOf = (hostname: string, count: string): string =>
      tool('sh', ['-c', probe], 'dash', { env: { PATH: process.env.PATH, HOSTNAME: hostname, SHARD_COUNT: count } }).stdout.trim();
    expect(shardOf('market-intel-0', '4')).toBe('0');
    expect(shardOf('market-intel-3', '4')).toBe('3');
    expect(shardOf('market-intel-12', '16')).toBe('12');
    expect(shardOf('market-intel-3', '1')).toBe('unset');
    // Each pod its own book in a shared archive, unless BOOK is set.
    const bookProbe = script.replace(/exec market-intel run$/, 'echo "$BOOK"');
    const bookOf = (env: Record<string, string>): string => tool('sh', ['-c', bookProbe], 'dash', { env: { PATH: process.env.PATH, HOSTNAME: 'market-intel-2', ...env } }).stdout.trim();
    expect(bookOf({})).toBe('market-intel-2');
    expect(bookOf({ BOOK: 'desk' })).toBe('desk');
    const count = Number(configMap.SHARD_COUNT);
    expect(Number.isInteger(count) && count >= 1).toBe(true);
    if (count > 1) expect(obj(sts.spec, 'spec').replicas).toBe(count);
  });

  it('exposes the metrics port on a Service annotated for Prometheus', () => {
    const svc = k8s('Service', 'market-intel');
    const annotations = obj(obj(svc.metadata, 'metadata').annotations, 'annotations');
    expect(annotations).toMatchObject({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(METRICS_PORT), 'prometheus.io/path': '/metrics' });
    const selector = obj(obj(svc.spec, 'spec').selector, 'selector');
    const labels = obj(obj(obj(obj(sts.spec, 'spec').template, 'template').metadata, 'metadata').labels, 'labels');
    expect(labels).toMatchObject(selector);
    expect(obj(sts.spec, 'spec').serviceName).toBe('market-intel-pods');
    expect(obj(k8s('Service', 'market-intel-pods').spec, 'spec').clusterIP).toBe('None');
  });

  it('autoscales the worker from 2 to 10 pods on 70% CPU and 80% memory', () => {
    const hpa = k8s('HorizontalPodAutoscaler', 'market-intel');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    const hs = obj(hpa.spec, 'hpa spec');
    expect(hs.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'market-intel' });
    expect(hs.minReplicas).toBe(2);
    expect(hs.maxReplicas).toBe(10);
    const targets = Object.fromEntries(
      arr(hs.metrics, 'metrics').map((m) => {
        const r = obj(obj(m, 'metric').resource, 'resource');
        return [r.name, obj(r.target, 'target')];
      }),
    );
    expect(targets).toEqual({ cpu: { type: 'Utilization', averageUtilization: 70 }, memory: { type: 'Utilization', averageUtilization: 80 } });
    // the trade-off with sharding is spelled out beside it
    expect(read('deploy/kubernetes/hpa.yaml')).toMatch(/SHARD_COUNT/);
  });

  it('runs Redis and MySQL on their PVCs', () => {
    for (const name of ['redis', 'mysql']) {
      k8s('PersistentVolumeClaim', `${name}-data`);
      k8s('Service', name);
      const volumes = arr(podSpec(k8s('Deployment', name)).volumes, 'volumes').map((v) => obj(v, 'volume'));
      expect(volumes.map((v) => v.persistentVolumeClaim), name).toContainEqual({ claimName: `${name}-data` });
    }
    expect(configMap).toMatchObject({ REDIS_HOST: 'redis', MYSQL_HOST: 'mysql' });
  });
});

// ------------------------------------------------------------------- Railway

describe('railway.json', () => {
  const railway = obj(JSON.parse(read('railway.json')), 'railway.json');

  it('builds the Dockerfile, starts `market-intel run` and checks /health', () => {
    expect(railway.build).toEqual({ builder: 'DOCKERFILE', dockerfilePath: 'Dockerfile' });
    const deploy = obj(railway.deploy, 'deploy');
    expect(deploy.startCommand).toBe('market-intel run');
    expect(deploy.healthcheckPath).toBe('/health');
    expect(deploy.restartPolicyType).toBe('ON_FAILURE');
    // a number: Railway's parser refuses a string
    expect(typeof deploy.drainingSeconds).toBe('number');
    expect(Number(deploy.drainingSeconds)).toBeGreaterThan(4.5);
  });

  it('documents only variables the project knows, SYMBOLS included, and no METRICS_PORT', () => {
    const docs = read('docs/deploy.md');
    const table = /<!-- railway-variables:start -->([\s\S]*?)<!-- railway-variables:end -->/.exec(docs)?.[1] ?? '';
    const names = [...table.matchAll(/^\| `(\w+)` \|/gm)].map((m) => m[1] ?? '');
    expect(names.length).toBeGreaterThan(5);
    for (const name of names) expect([...KNOWN_VARS, ...RAILWAY_PLATFORM_VARS], name).toContain(name);
    for (const name of REQUIRED_VARS) expect(names).toContain(name);
    // Railway's PORT must reach the worker: METRICS_PORT would win over it
    expect(names).not.toContain('METRICS_PORT');
  });
});

// ------------------------------------------------------------------- systemd

/** `[Section]` → key → values (a key may repeat). */
function parseUnit(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (t === '' || t.startsWith('#') || t.startsWith(';')) continue;
    const section = /^\[(.+)\]$/.exec(t);
    if (section) {
      current = new Map();
      sections.set(section[1] ?? '', current);
      continue;
    }
    const eq = t.indexOf('=');
    const key = t.slice(0, eq);
    current.set(key, [...(current.get(key) ?? []), t.slice(eq + 1)]);
  }
  return sections;
}

describe('deploy/market-intel.service', () => {
  const text = read('deploy/market-intel.service');
  const unit = parseUnit(text);
  const service = unit.get('Service') ?? new Map<string, string[]>();
  const one = (key: string): string | undefined => service.get(key)?.at(-1);

  it('has the keys issue 9 asks for', () => {
    expect(unit.get('Unit')?.get('Description')?.[0]).toBeTruthy();
    expect(unit.get('Install')?.get('WantedBy')).toEqual(['multi-user.target']);
    expect(one('ExecStart')).toMatch(/\/bin\/market-intel run$/);
    expect(one('User')).toBe('market-intel');
    expect(one('EnvironmentFile')).toBe('/etc/market-intel/env');
    expect(one('WorkingDirectory')).toMatch(/^\//);
    expect(one('Restart')).toBe('on-failure');
    expect(Number(one('TimeoutStopSec'))).toBeGreaterThan(4.5);
    expect(one('KillSignal')).toBe('SIGTERM');
    expect(one('RestartPreventExitStatus')).toBe('2');
    for (const key of ['NoNewPrivileges', 'PrivateTmp', 'ProtectHome', 'PrivateDevices']) expect(one(key), key).toBe('yes');
    expect(one('ProtectSystem')).toBe('strict');
    // the only writable path is the data dir the worker is given
    const env = Object.fromEntries((service.get('Environment') ?? []).map((e) => e.split('=') as [string, string]));
    for (const name of Object.keys(env)) expect([...KNOWN_VARS, 'NODE_ENV'], name).toContain(name);
    expect(env.DATA_DIR).toBeTruthy();
    expect(one('ReadWritePaths')?.split(/\s+/)).toContain(env.DATA_DIR);
  });

  it('passes `systemd-analyze verify` without a warning', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mi-unit-'));
    try {
      const path = join(dir, 'market-intel.service');
      copyFileSync(join(ROOT, 'deploy/market-intel.service'), path);
      // verify checks that ExecStart's binary exists: point it at this Node
      writeFileSync(path, text.replace(/^ExecStart=\S+/m, `ExecStart=${process.execPath}`));
      const run = tool('systemd-analyze', ['verify', path], 'systemd');
      expect(run.stderr + run.stdout).toBe('');
      expect(run.status).toBe(0);
      // and it does catch a bad value (guards against a verify that checks nothing)
      writeFileSync(path, readFileSync(path, 'utf8').replace('TimeoutStopSec=10', 'TimeoutStopSec=ten'));
      expect(tool('systemd-analyze', ['verify', path], 'systemd').stderr).toMatch(/Failed to parse .*: ten/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// ---------------------------------------------------------------------- docs

describe('docs/deploy.md', () => {
  const docs = read('docs/deploy.md');

  it('has a Deploy section per target and the troubleshooting list', () => {
    for (const heading of ['## Deploy: docker-compose', '## Deploy: Kubernetes', '## Deploy: Railway', '## Deploy: systemd', '## Troubleshooting']) {
      expect(docs).toContain(heading);
    }
    const trouble = docs.slice(docs.indexOf('## Troubleshooting'));
    for (const topic of ['Redis', 'MySQL', 'InfluxDB', 'GPU not detected', 'Circuit breaker open', 'Debug mode', '--debug', 'LOG_LEVEL=debug', 'tfjs-node-gpu']) {
      expect(trouble, topic).toContain(topic);
    }
  });

  it('names only environment variables the project (or a documented platform) knows', () => {
    const named = new Set([...docs.matchAll(/`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)`/g)].map((m) => m[1] ?? ''));
    const allowed = new Set([...KNOWN_VARS, ...COMPOSE_ONLY_VARS, ...RAILWAY_PLATFORM_VARS, 'WITH_TFJS_NODE', 'NODE_ENV']);
    for (const name of named) expect(allowed, name).toContain(name);
  });
});
