// Hodges-Lehmann: the median of the m·n differences canary − baseline and the distribution-free interval
// [D(k), D(mn+1−k)] (Hollander & Wolfe §4.3), selected without materialising the differences (Monahan).
import { EXACT_MAX_SIZE } from "./mann-whitney.ts";
import { normalSfInverse } from "./normal.ts";
import { lowerCdf } from "./u-distribution.ts";

export type HodgesLehmannResult = {
  /** Median of all differences canary[i] − baseline[j]. */
  shift: number;
  /** Bounds of the interval; ±Infinity when the samples are too small to reach the confidence at all. */
  lower: number;
  upper: number;
};

/** Hodges-Lehmann shift of `canary` over `baseline` with a two-sided `confidence` interval. */
export function hodgesLehmann(
  canary: readonly number[],
  baseline: readonly number[],
  confidence = 0.95,
): HodgesLehmannResult {
  if (canary.length === 0 || baseline.length === 0)
    throw new RangeError("hodgesLehmann: both samples need at least one value");
  if (!canary.every(Number.isFinite) || !baseline.every(Number.isFinite))
    throw new RangeError("hodgesLehmann: samples must be finite (drop NaN and ±Infinity first)");
  if (!(confidence > 0 && confidence < 1))
    throw new RangeError(`hodgesLehmann: confidence must be in (0, 1), got ${confidence}`);
  const x = Float64Array.from(canary).sort();
  const y = Float64Array.from(baseline).sort();
  const total = x.length * y.length;
  const shift =
    total % 2 === 1
      ? kthDifference(x, y, (total + 1) / 2)
      : (kthDifference(x, y, total / 2) + kthDifference(x, y, total / 2 + 1)) / 2;
  const k = criticalRank(x.length, y.length, confidence);
  if (k < 1) return { shift, lower: Number.NEGATIVE_INFINITY, upper: Number.POSITIVE_INFINITY };
  return { shift, lower: kthDifference(x, y, k), upper: kthDifference(x, y, total + 1 - k) };
}

/**
 * The largest k with P(U ≤ k − 1) ≤ (1 − confidence)/2, so [D(k), D(mn+1−k)] covers the true shift with at
 * least `confidence` (coverage is 1 − 2·P(U ≤ k − 1)). Exact law when the smaller sample has at most 8
 * values (SciPy's threshold for the exact test); otherwise the normal law with the ½ continuity correction,
 * k = ⌊mn/2 + ½ − z·√(mn(m+n+1)/12)⌋. 0 means no k reaches the confidence.
 */
export function criticalRank(m: number, n: number, confidence: number): number {
  const tail = (1 - confidence) / 2;
  const total = m * n;
  if (Math.min(m, n) <= EXACT_MAX_SIZE) {
    // P(U ≤ ⌊mn/2⌋) ≥ ½ > tail, so the search never needs the upper half.
    const cdf = lowerCdf(m, n, Math.floor(total / 2));
    let k = 0;
    while (k < cdf.length && (cdf[k] ?? 1) <= tail) k++;
    return k;
  }
  const sigma = Math.sqrt((total * (m + n + 1)) / 12);
  return Math.max(0, Math.floor(total / 2 + 0.5 - normalSfInverse(tail) * sigma));
}

/** The k-th smallest (1-based) of x[i] − y[j] for sorted x and y, as computed in floating point. */
export function kthDifference(x: Float64Array, y: Float64Array, k: number): number {
  const m = x.length;
  const n = y.length;
  if (!(Number.isInteger(k) && k >= 1 && k <= m * n))
    throw new RangeError(`kthDifference: k=${k} out of range`);
  // Row i, column c holds x[i] − y[n−1−c]: ascending along rows and down columns. Columns below lo[i]
  // are known to rank under the answer, columns from hi[i] on to rank over it.
  const lo = new Int32Array(m);
  const hi = new Int32Array(m).fill(n);
  let seed = 0x2545f491;
  for (;;) {
    let active = 0;
    let below = 0;
    for (let i = 0; i < m; i++) {
      active += i32(hi, i) - i32(lo, i);
      below += i32(lo, i);
    }
    if (active <= Math.max(64, m + n)) return finish(x, y, lo, hi, k - below);
    // A fixed-seed xorshift keeps runs reproducible; any sequence gives the same answer.
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    const pivot = randomPivot(x, y, lo, hi, (seed >>> 0) % active);
    const { less, notGreater, lessRow, notGreaterRow } = countAround(x, y, pivot);
    if (k <= less) for (let i = 0; i < m; i++) hi[i] = Math.min(i32(hi, i), i32(lessRow, i));
    else if (k > notGreater) for (let i = 0; i < m; i++) lo[i] = Math.max(i32(lo, i), i32(notGreaterRow, i));
    else return pivot;
  }
}

/**
 * A pseudo-random active entry (Monahan's choice for this selection): on average it halves the active
 * entries, and it costs one pass over the rows, where a weighted median of row medians needs a sort.
 * The pivot only decides how fast the answer is found, never which answer.
 */
function randomPivot(x: Float64Array, y: Float64Array, lo: Int32Array, hi: Int32Array, draw: number): number {
  const n = y.length;
  let left = draw;
  for (let i = 0; i < x.length; i++) {
    const weight = i32(hi, i) - i32(lo, i);
    if (left < weight) return f64(x, i) - f64(y, n - 1 - (i32(lo, i) + left));
    left -= weight;
  }
  throw new Error("kthDifference: pivot outside the active entries (unreachable)");
}

/**
 * Per row and in all, the entries < pivot and ≤ pivot (in columns these are prefixes), by one monotone walk
 * per bound. Comparisons use the computed differences themselves, so the counts agree exactly with the
 * values `finish` sorts.
 */
function countAround(x: Float64Array, y: Float64Array, pivot: number) {
  const m = x.length;
  const n = y.length;
  const lessRow = new Int32Array(m);
  const notGreaterRow = new Int32Array(m);
  let less = 0;
  let notGreater = 0;
  // For row i, x[i] − y[j] falls as j rises, so the entries < pivot are the j from some first index on;
  // that index only moves right as x[i] grows.
  let j = 0;
  let jj = 0;
  for (let i = 0; i < m; i++) {
    const xi = f64(x, i);
    while (j < n && xi - f64(y, j) >= pivot) j++;
    while (jj < n && xi - f64(y, jj) > pivot) jj++;
    lessRow[i] = n - j;
    notGreaterRow[i] = n - jj;
    less += n - j;
    notGreater += n - jj;
  }
  return { less, notGreater, lessRow, notGreaterRow };
}

/** Sorts the few active entries left and picks the one of the wanted rank among them. */
function finish(x: Float64Array, y: Float64Array, lo: Int32Array, hi: Int32Array, rank: number): number {
  const n = y.length;
  const values: number[] = [];
  for (let i = 0; i < x.length; i++)
    for (let c = i32(lo, i); c < i32(hi, i); c++) values.push(f64(x, i) - f64(y, n - 1 - c));
  values.sort((a, b) => a - b);
  const value = values[rank - 1];
  if (value === undefined)
    throw new Error(`kthDifference: rank ${rank} outside ${values.length} active values`);
  return value;
}

// Two monomorphic readers: one shared by both array types made V8 deoptimise the loops tenfold.
function f64(a: Float64Array, i: number): number {
  return a[i] ?? 0;
}

function i32(a: Int32Array, i: number): number {
  return a[i] ?? 0;
}
