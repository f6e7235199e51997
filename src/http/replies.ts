import { z } from 'zod';
import type { Clock } from '../domain/index.js';
import { assessHealth, assessReadiness } from './assess.js';
import type { HealthProbe } from './probe.js';

/** The endpoints served, in the order the start-up line lists them. */
export const ENDPOINTS = ['/metrics', '/health', '/ready', '/live', '/status'] as const;

/** The request methods every endpoint accepts, as the `Allow` header lists them. */
export const ALLOWED_METHODS = ['GET', 'HEAD'] as const;

const endpointSchema = z.enum(ENDPOINTS);
const methodSchema = z.enum(ALLOWED_METHODS);

/** The Prometheus text source behind `/metrics`. */
export type MetricsSource = {
  /** The exposition text of every metric. */
  render(): Promise<string>;
  /** Its content type, e.g. `text/plain; version=0.0.4; charset=utf-8`. */
  readonly contentType: string;
};

/** A response before secrets are scrubbed and it is written. */
export type Reply = {
  readonly statusCode: number;
  readonly contentType: string;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
};

/** What the endpoints read. */
export type ReplySources = {
  readonly probe: HealthProbe;
  readonly metrics: MetricsSource;
  /** Wall clock against which tick age is judged. */
  readonly clock: Clock;
  /** Told about failures the response hides (a throwing probe, a failed render). */
  readonly onError: (err: unknown, what: string) => void;
};

/** A JSON reply on one line. */
export function jsonReply(statusCode: number, value: unknown): Reply {
  return { statusCode, contentType: 'application/json', body: JSON.stringify(value) };
}

/** The path of a request target, without its query; undefined when it is not a URL path. */
function pathOf(target: string | undefined): string | undefined {
  const base = 'http://localhost';
  if (target === undefined || !URL.canParse(target, base)) return undefined;
  return new URL(target, base).pathname;
}

function isoOrNull(epochMs: number | undefined): string | null {
  return epochMs === undefined ? null : new Date(epochMs).toISOString();
}

function health(sources: ReplySources): Reply {
  const { probe } = sources;
  const components = probe.components();
  const verdict = assessHealth({
    components,
    lastTickMs: probe.lastTickMs(),
    expectedTickMs: probe.expectedTickMs(),
    nowMs: sources.clock.nowMs(),
  });
  return verdict.ok
    ? jsonReply(200, { status: 'ok', components })
    : jsonReply(503, { status: 'unhealthy', reasons: verdict.reasons, components });
}

function ready(probe: HealthProbe): Reply {
  const components = probe.components();
  const verdict = assessReadiness(components, probe.lastTickMs());
  return verdict.ok
    ? jsonReply(200, { status: 'ready', components })
    : jsonReply(503, { status: 'not_ready', reasons: verdict.reasons, components });
}

function status(probe: HealthProbe): Reply {
  return jsonReply(200, { ...probe.status(), components: probe.components(), lastTick: isoOrNull(probe.lastTickMs()) });
}

async function metrics(sources: ReplySources): Promise<Reply> {
  try {
    const body = await sources.metrics.render();
    return { statusCode: 200, contentType: sources.metrics.contentType, body };
  } catch (err) {
    sources.onError(err, 'metrics render failed');
    return jsonReply(500, { error: 'metrics render failed' });
  }
}

/**
 * Answers one request from its method and target. The query string is
 * ignored; an unknown path is 404, another method on a known path 405.
 * Throws only if the probe throws; the caller turns that into a bare 500.
 */
export async function replyTo(method: string | undefined, target: string | undefined, sources: ReplySources): Promise<Reply> {
  const endpoint = endpointSchema.safeParse(pathOf(target));
  if (!endpoint.success) return jsonReply(404, { error: 'not found', endpoints: ENDPOINTS });
  if (!methodSchema.safeParse(method).success) {
    return { ...jsonReply(405, { error: 'method not allowed', allow: ALLOWED_METHODS }), headers: { Allow: ALLOWED_METHODS.join(', ') } };
  }
  switch (endpoint.data) {
    case '/metrics':
      return metrics(sources);
    case '/health':
      return health(sources);
    case '/ready':
      return ready(sources.probe);
    case '/live':
      return jsonReply(200, { status: 'alive' });
    case '/status':
      return status(sources.probe);
  }
}
