// The judge's defaults, chosen with `npm run bench:judge -- --sweep` so that identical versions fail at
// most 1% of the time and a +20% latency regression is caught at least 95% of the time (docs/adr/0013).

export const JUDGE_DEFAULTS = {
  /** How far back each side's samples reach. */
  window: "20m",
  /** One sample per step per side: 20m / 10s = 120 samples. */
  step: "10s",
  samplesPerSide: 120,
  /** Below three quarters of the window (after dropping NaN and ±Inf) either side is NoData: at 90
   * samples a +20% regression is still caught ~93% of the time, at 60 only ~78%. */
  minSamples: 90,
  /** A 90% interval: a canary whose true change is within the tolerance fails at most 5% of the time. */
  confidence: 0.9,
  /** Changes up to 5% are never worth failing for; past about 20% they are caught. */
  tolerance: 0.05,
  /** Kayenta's usual thresholds: Pass from 95, Marginal from 75. */
  thresholds: { pass: 95, marginal: 75 },
} as const;
