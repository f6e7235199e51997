/**
 * Exact money arithmetic for the portfolio, on plain JS numbers that are
 * always safe integers (no BigInt or decimal library on the hot path).
 *
 * Units:
 * - money: integer cents;
 * - prices: integer micro-dollars (1e-6 $), the price grid;
 * - quantities: integer micro-units (1e-6 of a share or coin);
 * - fractions (limits, fees, slippage): integer parts per million (ppm).
 *
 * So quantity × price is in 1e-12 $ = 1e-10 cents, and a notional in cents
 * is that product divided by 1e10. Products are never formed when they could
 * pass 2^53: operands are split into limbs and only exact steps are taken
 * (`%` and the division of a multiple are exact in IEEE doubles). A result
 * that would pass Number.MAX_SAFE_INTEGER throws InvariantError.
 */
import { ErrorCode, InvariantError } from '../domain/index.js';

/** How a quotient is rounded to an integer. */
export const Rounding = { floor: 0, ceil: 1, halfEven: 2 } as const;
export type Rounding = (typeof Rounding)[keyof typeof Rounding];

/** Micro-units per whole share or coin, and micro-dollars per dollar. */
export const MICRO = 1_000_000;

/** Highest price accepted, in micro-dollars ($100,000,000 per unit). */
export const MAX_PRICE_MICRO = 100_000_000_000_000;

/** Largest position, in micro-units (900,000,000 shares or coins). */
export const MAX_QUANTITY_MICRO = 900_000_000_000_000;

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

function overflow(what: string): never {
  throw new InvariantError(`${what}: result passes ${MAX_SAFE} (Number.MAX_SAFE_INTEGER)`, {
    code: ErrorCode.invariant,
  });
}

/** Rounds q + r/d (0 <= r < d, d <= ~4.5e15) to an integer. */
function roundQuotient(q: number, r: number, d: number, mode: Rounding): number {
  if (r === 0 || mode === Rounding.floor) return q;
  if (mode === Rounding.ceil) return q + 1;
  const twice = 2 * r;
  return twice > d || (twice === d && q % 2 === 1) ? q + 1 : q;
}

/**
 * round(a × b / 1e6) for safe non-negative integers a and b <= 9e9: fees
 * (cents × ppm), slippage (micro-dollars × ppm) and fractions of an amount.
 */
export function mulDiv1e6(a: number, b: number, mode: Rounding): number {
  const product = a * b;
  if (product <= MAX_SAFE) {
    const r = product % MICRO;
    return roundQuotient((product - r) / MICRO, r, MICRO, mode);
  }
  // a = ah·1e6 + al, so a·b/1e6 = ah·b + al·b/1e6, with al·b < 9e15.
  const al = a % MICRO;
  const low = al * b;
  const r = low % MICRO;
  const q = ((a - al) / MICRO) * b + (low - r) / MICRO;
  if (q > MAX_SAFE) overflow(`${a} × ${b} / 1e6`);
  return roundQuotient(q, r, MICRO, mode);
}

const LIMB = 10_000_000;
const E10 = 10_000_000_000;

/**
 * round(a × b / 1e10) for safe non-negative integers: micro-units ×
 * micro-dollars → cents (notional and market value).
 */
export function mulDiv1e10(a: number, b: number, mode: Rounding): number {
  const product = a * b;
  if (product <= MAX_SAFE) {
    const r = product % E10;
    return roundQuotient((product - r) / E10, r, E10, mode);
  }
  // Limbs of 1e7: a·b = ah·bh·1e14 + (ah·bl + al·bh)·1e7 + al·bl; each
  // cross term is < 2^53 on its own, so each is divided by 1e3 apart.
  const al = a % LIMB;
  const bl = b % LIMB;
  const ah = (a - al) / LIMB;
  const bh = (b - bl) / LIMB;
  const c1 = ah * bl;
  const c2 = al * bh;
  const c1l = c1 % 1000;
  const c2l = c2 % 1000;
  const low = al * bl;
  const lowR = low % E10;
  let rem = (c1l + c2l) * LIMB + lowR;
  let q = ah * bh * 10_000 + (c1 - c1l) / 1000 + (c2 - c2l) / 1000 + (low - lowR) / E10;
  while (rem >= E10) {
    rem -= E10;
    q += 1;
  }
  if (q > MAX_SAFE) overflow(`${a} × ${b} / 1e10`);
  return roundQuotient(q, rem, E10, mode);
}

/**
 * round((hi × 10^digits + lo) / d) by long division, one decimal digit at a
 * time, for safe non-negative hi, 0 <= lo < 10^digits (digits <= 16, lo safe)
 * and 0 < d <= 9e14 (so remainder × 10 stays safe).
 */
export function scaledDiv(hi: number, lo: number, digits: number, d: number, mode: Rounding): number {
  let r = hi % d;
  let q = (hi - r) / d;
  let rest = lo;
  let pow = 10 ** (digits - 1);
  for (let i = 0; i < digits; i += 1) {
    const restLow = rest % pow;
    r = r * 10 + (rest - restLow) / pow;
    rest = restLow;
    pow /= 10;
    const rr = r % d;
    q = q * 10 + (r - rr) / d;
    r = rr;
  }
  if (q > MAX_SAFE) overflow(`(${hi}e${digits} + ${lo}) / ${d}`);
  return roundQuotient(q, r, d, mode);
}

/**
 * round(a × b × 10^k / d) for safe non-negative a, b <= 9e9, k <= 9 and
 * 0 < d <= 9e14, where a × b / 1e6 is safe too: a price level from a cost
 * basis, a factor and a quantity.
 */
export function mulScaleDiv(a: number, b: number, k: number, d: number, mode: Rounding): number {
  // a·b = H·1e6 + L with L < 1e6, so a·b·10^k = H·10^(6+k) + L·10^k.
  const hi = mulDiv1e6(a, b, Rounding.floor);
  const lo = ((a % MICRO) * b) % MICRO;
  return scaledDiv(hi, lo * 10 ** k, 6 + k, d, mode);
}

/**
 * A price in dollars on the micro-dollar grid: Math.round(price × 1e6),
 * exact for any decimal with at most 6 decimals in range. Undefined when
 * the price is not a finite number > 0 or falls outside 1..MAX_PRICE_MICRO.
 */
export function toPriceMicro(price: number): number | undefined {
  if (!(price > 0)) return undefined;
  const micro = Math.round(price * MICRO);
  return micro >= 1 && micro <= MAX_PRICE_MICRO ? micro : undefined;
}

/** Cents as dollars (the nearest double; for display, never for math). */
export function centsToDollars(cents: number): number {
  return cents / 100;
}

/** Micro-units (or micro-dollars) as whole units (the nearest double). */
export function microToUnits(micro: number): number {
  return micro / MICRO;
}

/** Adds safe integers, throwing InvariantError when the sum is not safe. */
export function addCents(a: number, b: number): number {
  const sum = a + b;
  if (sum > MAX_SAFE || sum < -MAX_SAFE) overflow(`${a} + ${b}`);
  return sum;
}
