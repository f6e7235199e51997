import type { ComponentHealth } from './probe.js';

/** Ticks may be late by this much before `/health` fails, whatever the interval. */
export const MIN_TICK_ALLOWANCE_MS = 10_000;

/** A probe verdict: ok, or the reasons it is not, in a stable order. */
export type Verdict = {
  readonly ok: boolean;
  readonly reasons: readonly string[];
};

/** What `/health` judges: the components, the tick times and the wall-clock now. */
export type HealthInput = {
  readonly components: readonly ComponentHealth[];
  readonly lastTickMs: number | undefined;
  readonly expectedTickMs: number;
  readonly nowMs: number;
};

/** How long after the last tick the worker still counts as ticking: 3 intervals, at least 10 s. */
export function tickAllowanceMs(expectedTickMs: number): number {
  return Math.max(3 * expectedTickMs, MIN_TICK_ALLOWANCE_MS);
}

function failedReason(component: ComponentHealth): string {
  const detail = component.detail === undefined || component.detail === '' ? '' : `: ${component.detail}`;
  return `component "${component.name}" failed${detail}`;
}

/**
 * `/ready`: every component is ready or degraded (a fallback still serves)
 * and a first tick has completed.
 */
export function assessReadiness(components: readonly ComponentHealth[], lastTickMs: number | undefined): Verdict {
  const reasons: string[] = [];
  for (const component of components) {
    if (component.state === 'starting') reasons.push(`component "${component.name}" is starting`);
    if (component.state === 'failed') reasons.push(failedReason(component));
  }
  if (lastTickMs === undefined) reasons.push('no tick completed yet');
  return { ok: reasons.length === 0, reasons };
}

/**
 * `/health`: no component has failed and the last tick is recent. A
 * degraded or starting component does not fail it; a missing first tick does,
 * since the worker is not ticking yet.
 */
export function assessHealth(input: HealthInput): Verdict {
  const reasons = input.components.filter((c) => c.state === 'failed').map(failedReason);
  if (input.lastTickMs === undefined) {
    reasons.push('no tick completed yet');
  } else {
    const ageMs = input.nowMs - input.lastTickMs;
    if (ageMs > tickAllowanceMs(input.expectedTickMs)) reasons.push(`no tick for ${Math.floor(ageMs / 1000)} s`);
  }
  return { ok: reasons.length === 0, reasons };
}
