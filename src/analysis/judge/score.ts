// Many metrics' verdicts as one score, the weighted share of measured metrics that passed, and a verdict.
// NoData never helps a judgement pass: a NoData metric is left out of the share (it neither passed nor
// failed), a critical metric with NoData holds the judgement at NoData, and all NoData is NoData.

export type ScoredMetric = {
  verdict: "Pass" | "Fail" | "NoData";
  /** Positive; a metric's share of the score. */
  weight: number;
  /** A critical metric's Fail fails the judgement whatever the score. */
  critical: boolean;
};

/** Scores 0–100: at least `pass` passes, at least `marginal` is Marginal (paused for a person), below fails. */
export type ScoreThresholds = { pass: number; marginal: number };

export type ScoreVerdict = "Pass" | "Marginal" | "Fail" | "NoData";

export type ScoreResult = {
  /** 100 × passed weight / measured weight; NaN when nothing was measured. */
  score: number;
  verdict: ScoreVerdict;
  /** Why the verdict is what it is, in one line. */
  reason: string;
};

/**
 * The order of the rules: a critical Fail → Fail; nothing measured → NoData; a score below `marginal` →
 * Fail (the data we have already fails, whatever is missing); a critical NoData → NoData; then the
 * thresholds give Pass or Marginal.
 */
export function score(metrics: readonly ScoredMetric[], thresholds: ScoreThresholds): ScoreResult {
  validate(metrics, thresholds);
  let measured = 0;
  let passed = 0;
  for (const m of metrics) {
    if (m.verdict === "NoData") continue;
    measured += m.weight;
    if (m.verdict === "Pass") passed += m.weight;
  }
  const value = measured > 0 ? (100 * passed) / measured : Number.NaN;
  const criticalFail = metrics.filter((m) => m.critical && m.verdict === "Fail").length;
  if (criticalFail > 0)
    return { score: value, verdict: "Fail", reason: `${criticalFail} critical metric(s) failed` };
  if (measured === 0) return { score: value, verdict: "NoData", reason: "no metric had data" };
  const shown = value.toFixed(1);
  if (value < thresholds.marginal)
    return { score: value, verdict: "Fail", reason: `score ${shown} below marginal ${thresholds.marginal}` };
  const criticalNoData = metrics.filter((m) => m.critical && m.verdict === "NoData").length;
  if (criticalNoData > 0)
    return { score: value, verdict: "NoData", reason: `${criticalNoData} critical metric(s) had no data` };
  if (value >= thresholds.pass)
    return { score: value, verdict: "Pass", reason: `score ${shown} at or above pass ${thresholds.pass}` };
  return {
    score: value,
    verdict: "Marginal",
    reason: `score ${shown} below pass ${thresholds.pass}, at or above marginal ${thresholds.marginal}`,
  };
}

function validate(metrics: readonly ScoredMetric[], t: ScoreThresholds): void {
  if (!(t.marginal >= 0 && t.marginal <= t.pass && t.pass <= 100))
    throw new RangeError(`score: need 0 ≤ marginal ≤ pass ≤ 100, got marginal ${t.marginal}, pass ${t.pass}`);
  for (const m of metrics)
    if (!(Number.isFinite(m.weight) && m.weight > 0))
      throw new RangeError(`score: every weight must be a finite number > 0, got ${m.weight}`);
}
