/**
 * A real Prometheus server (Debian `prometheus` 2.42) scrapes the real
 * worker: the built binary in one process, Prometheus in another, both on
 * 127.0.0.1. It loads the shipped alert rules (deploy/prometheus-alerts.yaml),
 * and when the worker stops it sees the target go down and ServiceDown go
 * pending. Timings (first sample about 5.6 s after start, so poll up to
 * 15-20 s) are from ../shared/SERVICES.md section 3.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, ROOT, spawnCli } from '../helpers/cli.js';
import { startPrometheus, type Prometheus } from '../helpers/prometheus.js';
import { pollFor } from '../helpers/server-process.js';

const JOB = 'market-intel';
const ALERTS_FILE = join(ROOT, 'deploy', 'prometheus-alerts.yaml');
/** The six alerts of deploy/prometheus-alerts.yaml (issue 8), in name order. */
const ALERT_NAMES = ['CircuitBreakerOpen', 'HighErrorRate', 'PortfolioLargeDrawdown', 'ServiceDown', 'StaleData', 'StoreBacklogGrowing'];
/**
 * Components `run` starts with these flags, each reporting market_system_service_up = 1 once started.
 * Others may join them (a new stage): they must be up too, but need not be listed here.
 */
const SERVICES = ['bus', 'http', 'market', 'portfolio', 'sentiment', 'simulation'];

/** Waits for the first scrape, checks what it stored, and returns that sample's time (s since the epoch). */
async function expectScraped(prometheus: Prometheus, instance: string): Promise<number> {
  const up = await pollFor(async () => (await prometheus.query(`up{job="${JOB}"}`))[0], 20_000, 'the first scrape of the worker');
  expect(up.labels).toEqual({ __name__: 'up', job: JOB, instance });
  expect(up.value).toBe(1);

  const services = Object.fromEntries((await prometheus.query(`market_system_service_up{job="${JOB}"}`)).map((s) => [s.labels.service, s.value]));
  expect(Object.keys(services)).toEqual(expect.arrayContaining(SERVICES));
  for (const [service, value] of Object.entries(services)) expect(value, `market_system_service_up{service="${service}"}`).toBe(1);

  const quotes = await prometheus.query(`market_system_data_points_published_total{job="${JOB}",topic="quote"}`);
  expect(quotes).toHaveLength(1);
  expect(quotes[0]?.value).toBeGreaterThan(0);

  // The target's health is set as its scrape ends; poll past "unknown" rather than race it.
  const target = await pollFor(async () => (await prometheus.targets()).find((t) => t.labels.job === JOB && t.health !== 'unknown'), 5_000, 'the target health');
  expect(target).toMatchObject({ scrapeUrl: `http://${instance}/metrics`, health: 'up', lastError: '' });
  return up.tsS;
}

/** Waits for an evaluation of every rule after `sampleTsS` (plus a scrape interval), then checks all six are healthy and quiet. */
async function expectRulesLoaded(prometheus: Prometheus, sampleTsS: number): Promise<void> {
  const after = (sampleTsS + 1) * 1000;
  const rules = await pollFor(async () => {
    const all = await prometheus.rules();
    return all.length > 0 && all.every((r) => Date.parse(r.lastEvaluation) > after) ? all : undefined;
  }, 15_000, 'every rule to be evaluated after the first scrape');
  expect(rules.map((r) => r.name).sort()).toEqual(ALERT_NAMES);
  for (const rule of rules) {
    expect(rule, rule.name).toMatchObject({ type: 'alerting', health: 'ok', state: 'inactive', group: 'market-intel', file: ALERTS_FILE });
    expect(rule.lastError ?? '', rule.name).toBe('');
  }
  // A healthy worker trips nothing, not even a pending alert.
  expect(await prometheus.alerts()).toEqual([]);
}

/** Waits for a failed scrape after the worker stopped, then for ServiceDown to go pending (its `for` is 1m). */
async function expectSeenDown(prometheus: Prometheus, instance: string): Promise<void> {
  const down = await pollFor(async () => (await prometheus.query(`up{job="${JOB}"} == 0`))[0], 15_000, 'up == 0 after the worker stopped');
  expect(down.labels).toEqual({ __name__: 'up', job: JOB, instance });
  expect(down.value).toBe(0);
  const alerts = await pollFor(async () => {
    const all = await prometheus.alerts();
    return all.length > 0 ? all : undefined;
  }, 10_000, 'the ServiceDown alert');
  // The annotations are the rule's templates as this server renders them: the worker branch, as no `service` label is set.
  expect(alerts).toEqual([
    {
      labels: { alertname: 'ServiceDown', job: JOB, instance, severity: 'critical' },
      annotations: {
        summary: `market-intel worker is down on ${instance}`,
        description: 'Prometheus cannot scrape /metrics for more than 1 minute.',
      },
      state: 'pending',
    },
  ]);
}

describe('a real Prometheus server scraping the worker', () => {
  it('stores its metrics, loads the shipped alert rules, and sees the worker down once it stops', async () => {
    const metricsPort = await freePort();
    const instance = `127.0.0.1:${metricsPort}`;
    // The sample replay is 301 ticks: at 0.2 s a tick, the worker runs for about 60 s unless stopped.
    // Its own data folder (archive and book): a replay resumes the book it finds, so the default (data/ in the checkout) would carry state between runs.
    const scratch = mkdtempSync(join(tmpdir(), 'mi-prometheus-scrape-'));
    const worker = spawnCli(
      ['run', '--source', 'replay:sample', '--interval', '0.2', '--metrics-port', String(metricsPort), '--zmq-port', String(await freePort())],
      { DATA_DIR: scratch },
    );
    let prometheus: Prometheus | undefined;
    try {
      await worker.waitFor('"component":"http"');
      prometheus = await startPrometheus({ job: JOB, target: instance, ruleFiles: [ALERTS_FILE], scrapeIntervalS: 1 });
      const sampleTsS = await expectScraped(prometheus, instance);
      await expectRulesLoaded(prometheus, sampleTsS);

      expect(worker.child.exitCode, 'the worker stopped before it was told to').toBeNull();
      worker.child.kill('SIGTERM');
      expect((await worker.exited).code).toBe(0);
      await expectSeenDown(prometheus, instance);
    } catch (err) {
      console.error(`prometheus log:\n${prometheus?.log() ?? '(not started)'}\nworker output:\n${worker.stdout()}${worker.stderr()}`);
      throw err;
    } finally {
      worker.child.kill('SIGKILL');
      await Promise.all([worker.exited, prometheus?.close()]);
      rmSync(scratch, { recursive: true, force: true });
    }
  }, 90_000);
});
