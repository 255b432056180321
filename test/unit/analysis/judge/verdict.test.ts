import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { normalSfInverse } from "../../../../src/analysis/judge/normal.ts";
import {
  type Direction,
  judgeMetric,
  type MetricJudgement,
  type MetricSamples,
  percent,
} from "../../../../src/analysis/judge/verdict.ts";

/** 100 latencies spread exactly like a log-normal around 200 ms (σ 0.2 in log space), no randomness. */
const baseline = Array.from(
  { length: 100 },
  (_, i) => 200 * Math.exp(0.2 * -normalSfInverse((i + 0.5) / 100)),
);
const scaled = (factor: number): number[] => baseline.map((v) => v * factor);

const judge = (canary: number[], direction: Direction, extra: Partial<MetricSamples> = {}): MetricJudgement =>
  judgeMetric({
    name: "latency p99",
    canary,
    baseline,
    direction,
    tolerance: 0.1,
    minSamples: 30,
    confidence: 0.95,
    ...extra,
  });

describe("judgeMetric", () => {
  const cases: [string, number[], Direction, MetricJudgement["verdict"]][] = [
    ["identical samples pass", scaled(1), "increase", "Pass"],
    ["+25% fails when an increase is bad", scaled(1.25), "increase", "Fail"],
    ["+25% fails when either change is bad", scaled(1.25), "either", "Fail"],
    ["+25% passes when only a decrease is bad", scaled(1.25), "decrease", "Pass"],
    ["a 25% faster canary passes when an increase is bad", scaled(0.75), "increase", "Pass"],
    ["a 25% lower canary fails when a decrease is bad", scaled(0.75), "decrease", "Fail"],
    ["a 25% lower canary fails when either change is bad", scaled(0.75), "either", "Fail"],
    ["+8% is significant but within the 10% tolerance: pass", scaled(1.08), "increase", "Pass"],
  ];
  for (const [name, canary, direction, want] of cases)
    test(name, () => assert.equal(judge(canary, direction).verdict, want));

  test("+8% is significant, so only the tolerance keeps it from failing", () => {
    const got = judge(scaled(1.08), "increase");
    assert.ok(got.verdict === "Pass" && got.pValue < 0.01, JSON.stringify(got));
    assert.ok(got.shift.lower > 0 && got.shift.lower < 0.1);
    assert.equal(judge(scaled(1.08), "increase", { tolerance: 0.01 }).verdict, "Fail");
  });

  test("a fail reports medians, the relative shift with its interval, p and one line", () => {
    const got = judge(scaled(1.25), "increase");
    if (got.verdict !== "Fail") assert.fail(got.explanation);
    assert.equal(got.baselineMedian, ((baseline[49] ?? 0) + (baseline[50] ?? 0)) / 2);
    assert.ok(Math.abs(got.canaryMedian / got.baselineMedian - 1.25) < 1e-12);
    assert.ok(
      got.shift.lower > 0.1 && got.shift.lower < got.shift.relative && got.shift.relative < got.shift.upper,
    );
    assert.match(
      got.explanation,
      /^latency p99: canary \+2\d% \(CI \+\d+%…\+\d+%\) vs baseline, p<0\.001, tolerance 10% → FAIL$/,
    );
  });

  test("a significant change that does not clear the tolerance with its whole interval passes", () => {
    // +14%: the estimate is past 10% but the interval reaches below it.
    const got = judge(scaled(1.14), "increase");
    assert.ok(
      got.verdict === "Pass" && got.shift.relative > 0.1 && got.shift.lower < 0.1,
      JSON.stringify(got),
    );
  });

  test("fewer than minSamples on either side is NoData, never a pass", () => {
    const few = judge(scaled(1).slice(0, 29), "increase");
    assert.equal(few.verdict, "NoData");
    assert.equal(
      few.explanation,
      "latency p99: 29 canary and 100 baseline samples, need 30 on each side → NO DATA",
    );
    assert.equal(judge(scaled(1), "increase", { baseline: baseline.slice(0, 3) }).verdict, "NoData");
  });

  test("NaN and ±Infinity are dropped before counting", () => {
    const noisy = [...scaled(1.25), Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
    const got = judge(noisy, "increase");
    assert.deepEqual(got.samples, { canary: 100, baseline: 100, dropped: 3 });
    assert.deepEqual(
      { ...got, samples: undefined },
      { ...judge(scaled(1.25), "increase"), samples: undefined },
    );
    const mostlyNaN = [...scaled(1).slice(0, 20), ...Array.from({ length: 40 }, () => Number.NaN)];
    const empty = judge(mostlyNaN, "increase");
    assert.equal(empty.verdict, "NoData");
    assert.match(empty.explanation, /20 canary and 100 baseline samples \(40 non-finite dropped\)/);
  });

  test("against a baseline median of 0, any increase is infinite: an error rate from 0 fails", () => {
    const zeros = Array.from({ length: 40 }, () => 0);
    const errors = Array.from({ length: 40 }, (_, i) => 0.02 + i / 1000);
    const got = judgeMetric({
      name: "error rate",
      canary: errors,
      baseline: zeros,
      direction: "increase",
      tolerance: 0.1,
      minSamples: 30,
      confidence: 0.95,
    });
    assert.equal(got.verdict, "Fail");
    assert.match(got.explanation, /canary \+inf% \(CI \+inf%…\+inf%\)/);
    const same = judgeMetric({
      ...{ canary: zeros, baseline: zeros },
      direction: "either",
      tolerance: 0.1,
      minSamples: 30,
      confidence: 0.95,
    });
    assert.equal(same.verdict, "Pass");
  });

  test("refuses a negative tolerance, a fractional minSamples and a confidence of 1", () => {
    assert.throws(() => judge(scaled(1), "increase", { tolerance: -0.1 }), RangeError);
    assert.throws(() => judge(scaled(1), "increase", { minSamples: 2.5 }), RangeError);
    assert.throws(() => judge(scaled(1), "increase", { confidence: 1 }), RangeError);
  });
});

describe("percent", () => {
  const cases: [number, string][] = [
    [0.18, "+18%"],
    [-0.035, "-3.5%"],
    [0, "0%"],
    [0.1, "+10%"],
    [Number.POSITIVE_INFINITY, "+inf%"],
    [Number.NEGATIVE_INFINITY, "-inf%"],
  ];
  for (const [fraction, want] of cases)
    test(`${fraction} → ${want}`, () => assert.equal(percent(fraction), want));
});
