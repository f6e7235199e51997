import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { z } from 'zod';
import { ConfigError, ErrorCode, InvariantError, PermanentError, systemClock, type Clock } from '../domain/index.js';
import type { HealthProbe } from './probe.js';
import { ENDPOINTS, jsonReply, replyTo, type MetricsSource, type Reply, type ReplySources } from './replies.js';
import { secretScrubber } from './scrub.js';

/** Error codes of the HTTP server, beside the shared ones in `domain/errors.ts`. */
export const HttpErrorCode = {
  /** The server could not listen (port in use, no permission, bad host). */
  listen: 'MI_HTTP_LISTEN',
} as const;

/** Where the server logs failures it hides from responses. */
export type HttpLogger = { error(fields: object, msg: string): void };

/** Options of {@link HttpServer}. */
export type HttpServerOptions = {
  /** TCP port, 0-65535; 0 picks a free one (read it back from `port`). */
  readonly port: number;
  /** Interface to listen on; default `0.0.0.0` (all IPv4). */
  readonly host?: string;
  readonly probe: HealthProbe;
  readonly metrics: MetricsSource;
  /** Values that must never leave the process: masked in every body, as a second line of defence. */
  readonly secrets?: readonly string[];
  /** Wall clock for judging tick age (not a replay clock); default the system clock. */
  readonly clock?: Clock;
  readonly logger?: HttpLogger;
};

/** How long in-flight responses may finish after close() before their connections are cut. */
const CLOSE_GRACE_MS = 1_000;

const portSchema = z.number().int().min(0).max(65535);
const NO_LOGGER: HttpLogger = { error: () => undefined };

/**
 * The worker's one HTTP port: `/metrics` (Prometheus text), `/health`,
 * `/ready`, `/live` and `/status`, on node:http. Every body is JSON except
 * `/metrics`, none carries a stack trace, and configured secrets are masked.
 */
export class HttpServer {
  readonly name = 'http';
  private readonly host: string;
  private readonly sources: ReplySources;
  private readonly scrub: (text: string) => string;
  private readonly log: HttpLogger;
  private server: Server | undefined;
  private closing: Promise<void> = Promise.resolve();

  constructor(private readonly options: HttpServerOptions) {
    if (!portSchema.safeParse(options.port).success) {
      throw new ConfigError(`http server port "${options.port}": expected an integer 0-65535`, { code: ErrorCode.config });
    }
    this.host = options.host ?? '0.0.0.0';
    this.log = options.logger ?? NO_LOGGER;
    this.scrub = secretScrubber(options.secrets ?? []);
    this.sources = {
      probe: options.probe,
      metrics: options.metrics,
      clock: options.clock ?? systemClock,
      onError: (err, what) => this.log.error({ err }, what),
    };
  }

  /** The bound port once listening (the real one when configured as 0); the configured port otherwise. */
  get port(): number {
    const address = this.server?.address();
    return typeof address === 'object' && address !== null ? address.port : this.options.port;
  }

  /** Listens; resolves to the URL and endpoints. A taken port rejects with an error naming it. */
  async start(): Promise<string> {
    if (this.server !== undefined) {
      throw new InvariantError('http server: start() called while already listening', { code: ErrorCode.invariant });
    }
    const server = createServer((req, res) => void this.respond(server, req, res));
    try {
      await listen(server, this.options.port, this.host);
    } catch (err) {
      throw listenError(this.host, this.options.port, err);
    }
    server.on('error', (err) => this.log.error({ err }, 'http server error'));
    this.server = server;
    const host = this.host.includes(':') ? `[${this.host}]` : this.host;
    return `http://${host}:${this.port} (${ENDPOINTS.join(' ')})`;
  }

  /**
   * Stops listening and ends idle keep-alive connections at once; in-flight
   * responses finish (and close their connection) within a short grace.
   * Safe to call twice or before start().
   */
  close(): Promise<void> {
    const server = this.server;
    if (server !== undefined) {
      this.server = undefined;
      this.closing = shutDown(server);
    }
    return this.closing;
  }

  private async respond(server: Server, req: IncomingMessage, res: ServerResponse): Promise<void> {
    let reply: Reply;
    try {
      reply = await replyTo(req.method, req.url, this.sources);
    } catch (err) {
      this.log.error({ err, path: req.url }, 'http handler failed');
      reply = jsonReply(500, { error: 'internal error' });
    }
    this.write(req, res, reply, server !== this.server);
  }

  private write(req: IncomingMessage, res: ServerResponse, reply: Reply, closing: boolean): void {
    if (res.destroyed) return;
    const body = this.scrub(reply.body);
    res.statusCode = reply.statusCode;
    res.setHeader('Content-Type', reply.contentType);
    res.setHeader('Content-Length', Buffer.byteLength(body));
    res.setHeader('Cache-Control', 'no-store');
    for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
    // A server that is closing lets no connection linger in keep-alive.
    if (closing) res.setHeader('Connection', 'close');
    res.end(req.method === 'HEAD' ? undefined : body);
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function shutDown(server: Server): Promise<void> {
  return new Promise((resolve) => {
    const cut = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
    server.close(() => {
      clearTimeout(cut);
      resolve();
    });
    server.closeIdleConnections();
  });
}

/** Turns a listen failure into an error that names the host and port. */
function listenError(host: string, port: number, err: unknown): PermanentError {
  const code = err instanceof Error && 'code' in err ? String(err.code) : undefined;
  const message =
    code === 'EADDRINUSE'
      ? `http server port ${port} on ${host}: already in use (EADDRINUSE); expected a free port`
      : `http server ${host}:${port}: listen failed (${code ?? String(err)}); expected a free port on a local interface`;
  return new PermanentError(message, { code: HttpErrorCode.listen, cause: err });
}
