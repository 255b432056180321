import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type ScoredMetric, type ScoreVerdict, score } from "../../../../src/analysis/judge/score.ts";

const thresholds = { pass: 95, marginal: 75 };
const m = (verdict: ScoredMetric["verdict"], weight = 1, critical = false): ScoredMetric => ({
  verdict,
  weight,
  critical,
});

describe("score", () => {
  const cases: [string, ScoredMetric[], number, ScoreVerdict][] = [
    ["all pass", [m("Pass"), m("Pass", 3)], 100, "Pass"],
    ["one of two equal metrics fails: 50 is below marginal", [m("Pass"), m("Fail")], 50, "Fail"],
    ["a light failure leaves a marginal score", [m("Pass", 8), m("Pass"), m("Fail")], 90, "Marginal"],
    [
      "a critical failure fails alone, whatever the score",
      [m("Pass", 20), m("Fail", 1, true)],
      100 * (20 / 21),
      "Fail",
    ],
    ["NoData is left out of the share", [m("Pass"), m("NoData", 5)], 100, "Pass"],
    ["a critical NoData holds a passing score at NoData", [m("Pass"), m("NoData", 1, true)], 100, "NoData"],
    ["a failing score fails even with a critical NoData", [m("Fail"), m("NoData", 1, true)], 0, "Fail"],
    ["exactly the pass threshold passes", [m("Pass", 95), m("Fail", 5)], 95, "Pass"],
    ["exactly the marginal threshold is marginal", [m("Pass", 75), m("Fail", 25)], 75, "Marginal"],
  ];
  for (const [name, metrics, want, verdict] of cases)
    test(name, () => {
      const got = score(metrics, thresholds);
      assert.ok(Math.abs(got.score - want) < 1e-9, `score ${got.score}, want ${want}`);
      assert.equal(got.verdict, verdict, got.reason);
    });

  test("nothing measured is NoData with no score", () => {
    for (const metrics of [[], [m("NoData"), m("NoData", 2, true)]]) {
      const got = score(metrics, thresholds);
      assert.equal(got.verdict, "NoData");
      assert.ok(Number.isNaN(got.score));
    }
  });

  test("refuses thresholds out of order and weights that are not positive", () => {
    assert.throws(() => score([m("Pass")], { pass: 70, marginal: 80 }), RangeError);
    assert.throws(() => score([m("Pass")], { pass: 101, marginal: 80 }), RangeError);
    assert.throws(() => score([m("Pass", 0)], thresholds), RangeError);
    assert.throws(() => score([m("Pass", Number.NaN)], thresholds), RangeError);
  });
});
