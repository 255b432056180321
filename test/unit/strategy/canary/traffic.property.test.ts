// Property tests of the weights written to routes: a step's weight is the last setWeight so far, and the
// gate never gives the canary more than the step asks, nor traffic its pods cannot carry.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import type { CanaryStep } from "../../../../src/api/index.ts";
import { gateWeight, inactiveTarget, targetAt, weightAt } from "../../../../src/traffic/target.ts";
import { runs } from "../../../support/property.ts";

const stepArb: fc.Arbitrary<CanaryStep> = fc.oneof(
  fc.integer({ min: 0, max: 100 }).map((w) => ({ setWeight: w })),
  fc.constant<CanaryStep>({ pause: {} }),
  fc.constant<CanaryStep>({ analysis: { templates: [{ templateName: "t" }] } }),
);
const totalArb = fc.oneof(fc.constant(100), fc.integer({ min: 1, max: 1000 }));

describe("traffic weight properties", () => {
  test("weightAt: the last setWeight up to the step (0 before any), the whole total past the end", () => {
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 8 }), fc.nat(10), totalArb, (steps, index, total) => {
        const w = weightAt(steps, index, total);
        if (index >= steps.length) return assert.equal(w, total);
        const last = steps.slice(0, index + 1).findLast((s) => s.setWeight !== undefined);
        assert.equal(w, last?.setWeight ?? 0);
      }),
      runs(500),
    );
  });

  test("gateWeight: within the step (when stable can carry it), never ahead of the canary's pods", () => {
    const input = fc.record({
      steps: fc.array(stepArb, { maxLength: 6 }),
      index: fc.nat(7),
      aborted: fc.boolean(),
      shown: fc.integer({ min: 0, max: 100 }),
      canaryAvailable: fc.nat(3),
      canaryReady: fc.boolean(),
      stableReady: fc.boolean(),
    });
    fc.assert(
      fc.property(input, ({ steps, index, aborted, shown, ...pods }) => {
        const wanted = aborted
          ? inactiveTarget(100, "s", "c")
          : targetAt({ steps, managed: [], total: 100, stableHash: "s", canaryHash: "c" }, index);
        const out = gateWeight({ target: wanted, shown, ...pods });
        const why = JSON.stringify({ wanted: wanted.weight, shown, ...pods, out: out.weight });
        assert.ok([wanted.weight, shown, 0].includes(out.weight), `a weight from nowhere: ${why}`);
        assert.ok(out.weight <= Math.max(wanted.weight, shown), `above the step and the routes: ${why}`);
        if (pods.stableReady) assert.ok(out.weight <= wanted.weight, `above the step: ${why}`);
        if (out.weight > shown)
          assert.ok(pods.canaryReady && pods.canaryAvailable > 0, `ahead of pods: ${why}`);
        if (pods.canaryAvailable === 0) assert.equal(out.weight, 0, `on a canary with no pod: ${why}`);
        if (out.weight > 0) assert.ok(out.active, `a canary weight routers would drop: ${why}`);
        const again = gateWeight({ target: wanted, shown: out.weight, ...pods });
        assert.equal(again.weight, out.weight, `not a fixed point on the next reconcile: ${why}`);
      }),
      runs(1000),
    );
  });
});
