import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { mannWhitney } from "../../../../src/analysis/judge/mann-whitney.ts";
import { erfc, normalSf, normalSfInverse } from "../../../../src/analysis/judge/normal.ts";
import { arrangements, lowerCounts, ratio } from "../../../../src/analysis/judge/u-distribution.ts";
import { fixtures } from "./fixtures.ts";

function assertRelative(actual: number, expected: number, tolerance: number, what: string): void {
  const error = expected === 0 ? Math.abs(actual) : Math.abs(actual - expected) / Math.abs(expected);
  assert.ok(error <= tolerance, `${what}: got ${actual}, SciPy ${expected} (relative error ${error})`);
}

describe(`mannWhitney matches SciPy ${fixtures.scipy}`, () => {
  for (const c of fixtures.cases)
    for (const row of c.mannWhitney)
      test(`${c.name} (${c.canary.length} vs ${c.baseline.length}): ${row.alternative}, ${row.method}`, () => {
        const got = mannWhitney(c.canary, c.baseline, row.alternative, { method: row.method });
        assert.equal(got.u, row.u);
        assert.equal(got.method, row.chosen);
        assertRelative(got.pValue, row.p, row.chosen === "exact" ? 1e-9 : 1e-6, "p");
      });

  test("the fixtures cover both methods under auto, ties, and p-values below 1e-30", () => {
    const auto = fixtures.cases.flatMap((c) => c.mannWhitney.filter((r) => r.method === "auto"));
    assert.ok(auto.some((r) => r.chosen === "exact"));
    assert.ok(auto.some((r) => r.chosen === "asymptotic"));
    assert.ok(auto.some((r) => r.p < 1e-30));
  });
});

describe("mannWhitney", () => {
  test("canary and baseline swap: U becomes mn − U and greater becomes less", () => {
    const a = [3.1, 4.7, 5.2, 9.9, 10.4, 11.0, 12.5, 13.3, 14.1];
    const b = [1.2, 2.2, 2.9, 4.1, 6.6, 7.7, 8.8, 9.1, 9.5, 15.0];
    const ab = mannWhitney(a, b, "greater");
    const ba = mannWhitney(b, a, "less");
    assert.equal(ab.u + mannWhitney(b, a, "greater").u, a.length * b.length);
    assert.equal(ab.pValue, ba.pValue);
  });

  test("refuses NaN and empty samples, and the exact method for tied samples", () => {
    assert.throws(() => mannWhitney([1, Number.NaN], [2, 3], "two-sided"), RangeError);
    assert.throws(() => mannWhitney([], [2, 3], "two-sided"), RangeError);
    assert.throws(() => mannWhitney([1, 2], [2, 3], "two-sided", { method: "exact" }), /without ties/);
  });

  test("infinities are ranked as the largest and smallest values", () => {
    const got = mannWhitney([Number.POSITIVE_INFINITY, 5], [Number.NEGATIVE_INFINITY, 1], "greater");
    assert.equal(got.u, 4);
    assert.equal(got.method, "exact");
    assert.equal(got.pValue, 1 / 6);
  });
});

describe("exact law of U", () => {
  test("counts match brute-force enumeration and add up to C(m+n, m)", () => {
    for (const [m, n] of [
      [1, 1],
      [2, 3],
      [4, 4],
      [3, 7],
      [6, 5],
    ] as const) {
      const brute = new Array<number>(m * n + 1).fill(0);
      // Every choice of which m of the m+n pooled ranks are the first sample's.
      for (let mask = 0; mask < 1 << (m + n); mask++) {
        if (popcount(mask) !== m) continue;
        let u = 0;
        let seenSecond = 0;
        for (let bit = 0; bit < m + n; bit++)
          if (mask & (1 << bit)) u += seenSecond;
          else seenSecond++;
        brute[u] = (brute[u] ?? 0) + 1;
      }
      const counts = lowerCounts(m, n, m * n).map(Number);
      assert.deepEqual(counts, brute, `${m}×${n}`);
      assert.equal(
        lowerCounts(m, n, m * n).reduce((s, c) => s + c, 0n),
        arrangements(m, n),
      );
    }
  });

  test("ratio rounds exact fractions beyond 2^53 and very small ones", () => {
    assert.equal(ratio(1n, 3n), 1 / 3);
    assert.equal(ratio(10n ** 30n, 3n * 10n ** 30n), 1 / 3);
    assert.equal(ratio(1n, 10n ** 320n), 1e-320);
    assert.equal(ratio(0n, 7n), 0);
  });
});

describe("normal distribution", () => {
  // Values from SciPy 1.17.1 special.ndtr(-z) and special.erfc.
  const sf: [number, number][] = [
    [-3, 0.9986501019683699],
    [0, 0.5],
    [1.9, 0.028716559816001803],
    [2.1, 0.017864420562816542],
    [5, 2.866515718791933e-7],
    [10, 7.61985302416047e-24],
    [20, 2.7536241186061556e-89],
    [37, 5.7255712225239266e-300],
  ];
  for (const [z, want] of sf) test(`P(Z > ${z})`, () => assertRelative(normalSf(z), want, 1e-12, `sf(${z})`));

  test("erfc at the switch between series and continued fraction is continuous", () => {
    assertRelative(erfc(2 - 1e-12), erfc(2), 1e-10, "erfc(2−)");
    assert.equal(erfc(Number.POSITIVE_INFINITY), 0);
    assert.equal(erfc(Number.NEGATIVE_INFINITY), 2);
  });

  test("the inverse returns the z whose tail is p", () => {
    for (const p of [0.5, 0.025, 0.05, 1e-6, 0.975])
      assertRelative(normalSf(normalSfInverse(p)), p, 1e-12, `p=${p}`);
    assertRelative(normalSfInverse(0.025), 1.959963984540054, 1e-14, "z(0.025)");
    assert.throws(() => normalSfInverse(0), RangeError);
  });
});

function popcount(v: number): number {
  let count = 0;
  for (let x = v; x > 0; x >>= 1) count += x & 1;
  return count;
}
