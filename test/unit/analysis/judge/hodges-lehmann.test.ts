import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { criticalRank, hodgesLehmann, kthDifference } from "../../../../src/analysis/judge/hodges-lehmann.ts";
import { runs } from "../../../support/property.ts";
import { fixtures } from "./fixtures.ts";

describe(`hodgesLehmann matches the brute-force reference (SciPy ${fixtures.scipy} critical values)`, () => {
  for (const c of fixtures.cases)
    for (const want of c.hodgesLehmann.intervals)
      test(`${c.name} (${c.canary.length} vs ${c.baseline.length}), confidence ${want.confidence}`, () => {
        const got = hodgesLehmann(c.canary, c.baseline, want.confidence);
        assert.equal(got.shift, c.hodgesLehmann.shift);
        assert.equal(criticalRank(c.canary.length, c.baseline.length, want.confidence), want.k);
        assert.equal(got.lower, want.lower ?? Number.NEGATIVE_INFINITY);
        assert.equal(got.upper, want.upper ?? Number.POSITIVE_INFINITY);
      });
});

describe("hodgesLehmann", () => {
  test("a constant shift is recovered exactly, inside its interval", () => {
    const baseline = [101, 95, 130, 88, 120, 99, 104, 150, 97, 111, 93, 108];
    const got = hodgesLehmann(
      baseline.map((v) => v + 25),
      baseline,
    );
    assert.equal(got.shift, 25);
    assert.ok(got.lower <= 25 && 25 <= got.upper && got.lower < got.upper);
  });

  test("a wider confidence gives a wider interval", () => {
    const canary = [5.1, 6.3, 7.7, 5.9, 6.6, 8.1, 5.5, 7.2, 6.9, 6.0];
    const baseline = [5.0, 5.8, 6.1, 4.9, 5.3, 6.4, 5.6, 5.2, 6.8, 5.7];
    const narrow = hodgesLehmann(canary, baseline, 0.8);
    const wide = hodgesLehmann(canary, baseline, 0.99);
    assert.ok(wide.lower < narrow.lower && narrow.upper < wide.upper);
  });

  test("refuses empty or non-finite samples and a confidence outside (0, 1)", () => {
    assert.throws(() => hodgesLehmann([], [1]), RangeError);
    assert.throws(() => hodgesLehmann([1, Number.POSITIVE_INFINITY], [1]), RangeError);
    assert.throws(() => hodgesLehmann([1], [1], 1), RangeError);
  });

  test("criticalRank: 5 vs 5 at 95% is 3 (P(U ≤ 2) = 4/252 ≤ 2.5% < P(U ≤ 3) = 7/252)", () => {
    assert.equal(criticalRank(5, 5, 0.95), 3);
    assert.equal(criticalRank(3, 3, 0.95), 0);
  });
});

describe("kthDifference", () => {
  const sample = fc.array(
    fc.oneof(
      fc.integer({ min: -5, max: 5 }),
      fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }),
    ),
    { minLength: 1, maxLength: 60 },
  );
  test("equals the k-th of all sorted differences, ties and mixed magnitudes included", () => {
    fc.assert(
      fc.property(sample, sample, fc.double({ min: 0, max: 1, noNaN: true }), (a, b, at) => {
        const x = Float64Array.from(a).sort();
        const y = Float64Array.from(b).sort();
        const all: number[] = [];
        for (const xi of x) for (const yj of y) all.push(xi - yj);
        all.sort((p, q) => p - q);
        const k = 1 + Math.min(all.length - 1, Math.floor(at * all.length));
        for (const rank of [1, k, all.length]) assert.equal(kthDifference(x, y, rank), all[rank - 1]);
      }),
      runs(300),
    );
  });
});
