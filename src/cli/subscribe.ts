import { subscribe } from '../bus/index.js';
import { UsageError } from './usage-error.js';

const DEFAULT_ENDPOINT = 'tcp://127.0.0.1:5555';
const ENDPOINT = /^(tcp:\/\/[^:\s]+:\d{1,5}|ipc:\/\/\S+)$/;

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function parseCount(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = /^\d+$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`--count "${raw}": expected an integer >= 1`);
  return n;
}

/**
 * `market-intel subscribe`: one JSON line per message on stdout (the topic
 * plus the message body); status lines on stderr. PUB/SUB semantics: a
 * subscriber that joins late misses what was published before it joined.
 */
export async function subscribeCommand(options: Record<string, unknown>): Promise<void> {
  const endpoint = text(options['endpoint']) ?? DEFAULT_ENDPOINT;
  if (!ENDPOINT.test(endpoint)) {
    throw new UsageError(`--endpoint "${endpoint}": expected tcp://host:port or ipc://path`);
  }
  const topicsRaw = text(options['topics']);
  const topics = topicsRaw === undefined ? [] : topicsRaw.split(',').map((t) => t.trim()).filter((t) => t !== '');
  const count = parseCount(text(options['count']));
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const result = await subscribe({
    endpoint,
    topics,
    count,
    signal: controller.signal,
    onReady: () => process.stderr.write(`subscribed to ${endpoint} (topics: ${topics.length ? topics.join(', ') : 'all'})\n`),
    onMessage: ({ topic, body }) => process.stdout.write(`${JSON.stringify({ topic, ...body })}\n`),
  });
  process.stderr.write(`received ${result.received} messages, ${result.gaps} missed (sequence gaps)\n`);
}
