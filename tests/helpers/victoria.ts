/**
 * A private VictoriaMetrics (the Debian `victoria-metrics` binary, 1.79) in a
 * child process, with its storage in a temporary directory, and a reader for
 * its export API. It takes the InfluxDB line protocol on `/api/v2/write`
 * (org, bucket and token ignored) and stores each field as the series
 * `<measurement>_<field>`, tags as labels (../shared/SERVICES.md section 1).
 * @see https://docs.victoriametrics.com/single-server-victoriametrics/#how-to-send-data-from-influxdb-compatible-agents-such-as-telegraf
 * @see https://docs.victoriametrics.com/single-server-victoriametrics/#how-to-export-data-in-json-line-format
 */
import { z } from 'zod';
import { freePort } from './net.js';
import { startServerProcess } from './server-process.js';

/** One exported series: its labels (with `__name__`) and its raw samples, oldest first. */
export type VictoriaSeries = {
  readonly metric: Readonly<Record<string, string>>;
  readonly values: readonly number[];
  readonly timestamps: readonly number[];
};

/** A running VictoriaMetrics on 127.0.0.1. */
export type Victoria = {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** Its log so far: for failure messages. */
  readonly log: () => string;
  /**
   * Every series matching the selector (`{__name__=~"market_data_.*"}`), sorted by name then labels.
   * It first flushes what was written: otherwise samples show only after about 10 s.
   */
  readonly exportSeries: (selector: string) => Promise<VictoriaSeries[]>;
  /** Kills it (SIGKILL), waits for its exit and deletes its storage. Safe to call twice. */
  readonly close: () => Promise<void>;
  /** Kills it (SIGKILL) and keeps its storage: `startVictoria(…, { url, dir })` brings it back. */
  readonly kill: () => Promise<void>;
  /** Its storage folder. */
  readonly dir: string;
};

/**
 * The flags, besides the storage path and listen address:
 * - a 100-year retention, so that tests may write fixed past timestamps (samples older than the retention are dropped);
 * - no search latency offset: the default 30 s hides fresh samples from queries;
 * - deduplication at 1 ms: a sample written twice at one timestamp is kept once,
 *   as InfluxDB overwrites a point (without it VictoriaMetrics keeps both).
 */
export const VICTORIA_FLAGS = ['-retentionPeriod=100y', '-search.latencyOffset=0s', '-dedup.minScrapeInterval=1ms'] as const;


const exportLine = z.object({
  metric: z.record(z.string(), z.string()),
  values: z.array(z.number()),
  timestamps: z.array(z.number()),
});

function seriesKey(series: VictoriaSeries): string {
  return JSON.stringify(Object.entries(series.metric).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Starts VictoriaMetrics on a free 127.0.0.1 port and resolves once `/health` answers 200 (up to `readyTimeoutMs`). */
export async function startVictoria(readyTimeoutMs = 10_000, again?: { readonly url: string; readonly dir: string }): Promise<Victoria> {
  const url = again?.url ?? `http://127.0.0.1:${await freePort()}`;
  const server = await startServerProcess({
    dir: again?.dir,
    command: 'victoria-metrics',
    versionArgs: ['-version'],
    debianPackage: 'victoria-metrics',
    args: (dir) => [`-storageDataPath=${dir}`, `-httpListenAddr=${url.slice('http://'.length)}`, ...VICTORIA_FLAGS],
    readyUrl: `${url}/health`,
    readyTimeoutMs,
    pollEveryMs: 50,
    dirPrefix: 'mi-victoria-',
  });
  const exportSeries = async (selector: string): Promise<VictoriaSeries[]> => {
    const flushed = await fetch(`${url}/internal/force_flush`, { signal: AbortSignal.timeout(5_000) });
    if (!flushed.ok) throw new Error(`force_flush: HTTP ${flushed.status} ${await flushed.text()}`);
    const response = await fetch(`${url}/api/v1/export`, {
      method: 'POST',
      body: new URLSearchParams({ 'match[]': selector }),
      signal: AbortSignal.timeout(5_000),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`export ${selector}: HTTP ${response.status} ${text}`);
    const series = text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => exportLine.parse(JSON.parse(line)));
    return series.sort((a, b) => (seriesKey(a) < seriesKey(b) ? -1 : seriesKey(a) > seriesKey(b) ? 1 : 0));
  };
  return { url, dir: server.dir, log: server.log, close: server.close, kill: server.kill, exportSeries };
}
