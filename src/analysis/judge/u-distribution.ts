// The exact null law of U for untied samples: the counts are the coefficients of the Gaussian binomial
// [m+n choose m]_q, kept in BigInt (they pass 2^53) so a tail probability is one exact fraction, rounded once.

/** Arrangements of samples of sizes m and n with U = 0…maxK (the lower tail; U is symmetric about mn/2). */
export function lowerCounts(m: number, n: number, maxK: number): bigint[] {
  const small = Math.min(m, n);
  const large = Math.max(m, n);
  const top = Math.min(maxK, small * large);
  if (top < 0) return [];
  const c: bigint[] = new Array<bigint>(top + 1).fill(0n);
  c[0] = 1n;
  for (let i = 1; i <= small; i++) {
    // Multiply by (1 − q^(large+i)), high degrees first so each step reads the previous polynomial.
    for (let k = top; k >= large + i; k--) c[k] = at(c, k) - at(c, k - large - i);
    // Divide by (1 − q^i): the quotient's coefficient k is c[k] plus the quotient's coefficient k − i.
    for (let k = i; k <= top; k++) c[k] = at(c, k) + at(c, k - i);
  }
  return c;
}

/** C(m+n, m), the number of arrangements. */
export function arrangements(m: number, n: number): bigint {
  const small = Math.min(m, n);
  let result = 1n;
  for (let i = 1; i <= small; i++) result = (result * BigInt(m + n - small + i)) / BigInt(i);
  return result;
}

/** P(U ≤ k) for k in 0…maxK, each as an exact fraction's nearest double. */
export function lowerCdf(m: number, n: number, maxK: number): number[] {
  const counts = lowerCounts(m, n, maxK);
  const total = arrangements(m, n);
  const cdf: number[] = [];
  let running = 0n;
  for (const count of counts) {
    running += count;
    cdf.push(ratio(running, total));
  }
  return cdf;
}

/** num/den for non-negative BigInts, to within one ulp even when both exceed 2^53. */
export function ratio(num: bigint, den: bigint): number {
  if (den <= 0n) throw new RangeError("ratio: the denominator must be positive");
  if (num === 0n) return 0;
  // Scale so the integer quotient has at least 64 significant bits before it becomes a double.
  const shift = Math.max(0, den.toString(2).length - num.toString(2).length + 64);
  const quotient = (num << BigInt(shift)) / den;
  // Two halves, so a shift past 1023 does not pass through a subnormal factor.
  const half = Math.floor(shift / 2);
  return Number(quotient) * 2 ** -half * 2 ** -(shift - half);
}

function at(c: bigint[], k: number): bigint {
  return c[k] ?? 0n;
}
