/** The HTTP port of the worker: metrics, probes and status. */
export { HttpServer, HttpErrorCode, type HttpServerOptions, type HttpLogger } from './server.js';
export type { MetricsSource } from './replies.js';
export { componentStates, type ComponentState, type ComponentHealth, type HealthProbe } from './probe.js';
export { tickAllowanceMs } from './assess.js';
