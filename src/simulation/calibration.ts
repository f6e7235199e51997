/**
 * The agent model's calibration: constants chosen so that, with the default
 * parameters, simulated returns show the stylized facts of real markets
 * (fat tails, volatility clustering, no linear predictability; Cont 2001).
 * How they were found and what each does is in docs/simulation.md; the test
 * in stylized-facts.test.ts holds them to it.
 */

/** The model's calibration constants. */
export type Calibration = {
  /** Price impact: log return per unit of mean stance (excess demand). */
  readonly kappa: number;
  /** Trend horizons are PHI_LADDER × this many steps. */
  readonly trendBaseSteps: number;
  /** Weight of the trend (in units of the instrument's typical move) for trend followers. */
  readonly wTrend: number;
  /** Weight of (anchor − price)/price for fundamentalists. */
  readonly wFundamental: number;
  /** γ: weight of the mean stance of the cross-sampled instruments. */
  readonly gammaHerd: number;
  /** λ: weight of the sentiment mood in [-1, 1]. */
  readonly lambdaMood: number;
  /** Share of an agent's noise it takes from its herd cluster when markets are calm… */
  readonly rhoCalm: number;
  /** …and at most, when the cross-sampled instruments are turbulent. */
  readonly rhoMax: number;
  /** How fast herding rises with turbulence above normal. */
  readonly herdGain: number;
  /** Per-step weight of the newest turbulence reading in the herding heat. */
  readonly heatDecay: number;
  /** Per-step weight of the newest |return| in an instrument's normal move size. */
  readonly baselineDecay: number;
};

/** The calibration every run uses unless a test or experiment overrides it. */
export const CALIBRATION: Calibration = {
  kappa: 0.03,
  trendBaseSteps: 10,
  wTrend: 0.005,
  wFundamental: 10,
  gammaHerd: 0.1,
  lambdaMood: 0.3,
  rhoCalm: 0.02,
  rhoMax: 0.9,
  herdGain: 1,
  heatDecay: 0.05,
  baselineDecay: 0.005,
};

/** Exposure of derivative d (0-based) to its base: 0.5, 1, 1.5, … */
export function derivativeExposure(d: number): number {
  return (d + 1) / 2;
}
