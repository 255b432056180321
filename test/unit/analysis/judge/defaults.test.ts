// The judge's defaults meet their targets on the benchmark's model of latency samples (seeded, so the same
// figures every run): identical versions fail at most 1% of the time, a +20% regression is caught at least
// 95% of the time (docs/analysis.md quotes npm run bench:judge, which runs 2,000 per row).
import assert from "node:assert/strict";
import { test } from "node:test";
import { failRates } from "../../../../scripts/bench/judge.ts";
import { JUDGE_DEFAULTS } from "../../../../src/analysis/judge/defaults.ts";

const defaults = {
  samples: JUDGE_DEFAULTS.samplesPerSide,
  confidence: JUDGE_DEFAULTS.confidence,
  tolerance: JUDGE_DEFAULTS.tolerance,
  minSamples: JUDGE_DEFAULTS.minSamples,
};

test("defaults: ≤ 1% false positives, ≥ 95% of +20% regressions caught (p99 alone, 1,000 judgements each)", () => {
  const identical = failRates(1000, 1000, 1, defaults, false);
  const regressed = failRates(1003, 1000, 1.2, defaults, false);
  assert.ok(identical.single <= 0.01, `false positives ${identical.single}`);
  assert.ok(regressed.single >= 0.95, `+20% caught ${regressed.single}`);
});
