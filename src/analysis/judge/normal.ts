// The standard normal distribution, to double precision in both tails: the judge's asymptotic p-values
// are compared with SciPy's (Cephes `ndtr`) to 1e-6 relative, down to p ≈ 1e-300.

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
const ONE_OVER_SQRT_PI = 1 / Math.sqrt(Math.PI);

/** erf(x) for |x| < 2 from the series 2/√π·e^(−x²)·Σ (2x²)^n·x / (1·3·…·(2n+1)), whose terms are all positive. */
function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
}

/** erfc(x) for x ≥ 2 from Laplace's continued fraction (modified Lentz), accurate relative to erfc itself. */
function erfcFraction(x: number): number {
  // erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))); the partial numerators are k/2.
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let k = 1; k < 500; k++) {
    const a = k / 2;
    d = x + a * d;
    d = d === 0 ? tiny : d;
    c = x + a / c;
    c = c === 0 ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return (ONE_OVER_SQRT_PI * Math.exp(-x * x)) / f;
}

/** The complementary error function, with full relative precision for large positive x. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x === Number.POSITIVE_INFINITY) return 0;
  // Below 2, erfc ≥ 0.0046, so 1 − erf loses at most three digits; above it the fraction converges fast.
  return x < 2 ? 1 - erfSeries(x) : erfcFraction(x);
}

/** P(Z > z) for a standard normal Z (SciPy: `special.ndtr(-z)`). */
export function normalSf(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

/** The z with P(Z > z) = p, by bisection on `normalSf`: exact to the last bits, and called once per interval. */
export function normalSfInverse(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalSfInverse: p must be in (0, 1), got ${p}`);
  let lo = -40;
  let hi = 40;
  for (let i = 0; i < 200 && hi - lo > 1e-15 * Math.max(1, Math.abs(lo)); i++) {
    const mid = (lo + hi) / 2;
    if (normalSf(mid) > p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
