export { createWorker, type Worker, type WorkerDeps, type RunSummary, type StopReason } from './worker.js';
export { INPROC_ENDPOINT } from './build.js';
export type { Component } from './component.js';
