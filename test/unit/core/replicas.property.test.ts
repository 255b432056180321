// Property tests of the replica math: any sizes, limits, weights and observed pods; each plan stays within
// replicas + maxSurge, keeps replicas - maxUnavailable available, and repeated plans reach the desired counts.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import {
  atDesired,
  type Desired,
  desiredCounts,
  type Observed,
  type Plan,
  planScaling,
  surgeLimits,
} from "../../../src/core/replicas.ts";
import { runs } from "../../support/property.ts";

const intOrPercent = fc.oneof(
  fc.integer({ min: 0, max: 12 }),
  fc.integer({ min: 0, max: 100 }).map((p) => `${p}%`),
);
const limitsArb = fc
  .record({ replicas: fc.integer({ min: 0, max: 12 }), maxSurge: intOrPercent, maxUnavailable: intOrPercent })
  .map((o) => ({ ...o, ...surgeLimits(o.replicas, o.maxSurge, o.maxUnavailable) }));
const observedArb = (max: number): fc.Arbitrary<Observed> =>
  fc
    .integer({ min: 0, max })
    .chain((spec) => fc.integer({ min: 0, max: spec + 2 }).map((available) => ({ spec, available })));

const avail = (o: Observed | undefined) => (o ? Math.min(o.spec, o.available) : 0);
const total = (p: Plan) => p.canary + p.stable + p.others.reduce((a, b) => a + b, 0);
/** Pods still available after a plan: the ReplicaSet controller removes unready pods first. */
const availableAfter = (p: Plan, canary?: Observed, stable?: Observed, others: Observed[] = []) =>
  Math.min(p.canary, avail(canary)) +
  Math.min(p.stable, avail(stable)) +
  others.reduce((a, o, i) => a + Math.min(p.others[i] ?? 0, avail(o)), 0);

describe("replica math properties", () => {
  test("surgeLimits: never negative, unavailable within replicas, never both zero", () => {
    fc.assert(
      fc.property(limitsArb, ({ replicas, surge, unavailable }) => {
        assert.ok(surge >= 0 && unavailable >= 0 && unavailable <= replicas);
        if (replicas > 0) assert.ok(surge + unavailable > 0, "a rollout that can never move");
      }),
      runs(500),
    );
  });

  test("desiredCounts without a router: the weight's share of pods, within replicas + maxSurge", () => {
    fc.assert(
      fc.property(limitsArb, fc.integer({ min: 0, max: 100 }), ({ replicas, surge }, weight) => {
        const d = desiredCounts({ replicas, weight, trafficRouted: false, surge });
        const why = `${replicas} replicas, surge ${surge}, weight ${weight}: ${JSON.stringify(d)}`;
        assert.ok(d.canary >= 0 && d.stable >= 0 && d.canary <= replicas && d.stable <= replicas, why);
        assert.ok(d.canary + d.stable <= replicas + surge, `more pods than replicas + maxSurge: ${why}`);
        assert.ok(d.canary <= Math.ceil((weight * replicas) / 100), `canary above its weight: ${why}`);
        if (weight >= 100) assert.deepEqual(d, { canary: replicas, stable: 0 }, why);
        if (weight === 0) assert.deepEqual(d, { canary: 0, stable: replicas }, why);
      }),
      runs(500),
    );
  });

  test("planScaling: within replicas + maxSurge, availability kept, counts between current and desired", () => {
    const input = fc.record({
      limits: limitsArb,
      desired: fc.record({ canary: fc.nat(14), stable: fc.nat(14) }),
      canary: fc.option(observedArb(16), { nil: undefined }),
      stable: fc.option(observedArb(16), { nil: undefined }),
      others: fc.array(observedArb(6), { maxLength: 3 }),
    });
    fc.assert(
      fc.property(input, ({ limits, desired, canary, stable, others }) => {
        const { replicas, surge, unavailable } = limits;
        const plan = planScaling({ replicas, surge, unavailable, desired, canary, stable, others });
        const before = (canary?.spec ?? 0) + (stable?.spec ?? 0) + others.reduce((a, o) => a + o.spec, 0);
        const why = JSON.stringify({ limits, desired, canary, stable, others, plan });
        assert.ok(
          total(plan) <= Math.max(before, replicas + surge),
          `scaled up past replicas + maxSurge: ${why}`,
        );
        const availableBefore = avail(canary) + avail(stable) + others.reduce((a, o) => a + avail(o), 0);
        assert.ok(
          availableAfter(plan, canary, stable, others) >= Math.min(availableBefore, replicas - unavailable),
          `below replicas - maxUnavailable available: ${why}`,
        );
        const between = (now: number, want: number, got: number) =>
          got >= Math.min(now, want) && got <= Math.max(now, want);
        assert.ok(between(canary?.spec ?? 0, desired.canary, plan.canary), `canary overshot: ${why}`);
        assert.ok(between(stable?.spec ?? 0, desired.stable, plan.stable), `stable overshot: ${why}`);
        for (const [i, o] of others.entries())
          assert.ok((plan.others[i] ?? 0) <= o.spec, `an old version grew: ${why}`);
      }),
      runs(1000),
    );
  });

  test("repeated plans, as pods become ready, reach the desired counts of any weight", () => {
    const input = fc.record({
      limits: limitsArb,
      weight: fc.integer({ min: 0, max: 100 }),
      routed: fc.boolean(),
      stable: fc.nat(14),
      others: fc.array(fc.nat(4), { maxLength: 2 }),
      ready: fc.array(fc.boolean(), { minLength: 80, maxLength: 80 }),
    });
    fc.assert(
      fc.property(input, ({ limits, weight, routed, stable, others, ready }) => {
        const { replicas, unavailable } = limits;
        // Routed, the canary's pods come on top of a full stable (src/strategy/canary/reconcile.ts does the same).
        const surge = routed ? Math.max(limits.surge, replicas) : limits.surge;
        const desired: Desired = desiredCounts({
          replicas,
          weight,
          trafficRouted: routed,
          surge: limits.surge,
        });
        let c: Observed = { spec: 0, available: 0 };
        let s: Observed = { spec: stable, available: stable };
        let o: Observed[] = others.map((n) => ({ spec: n, available: n }));
        // New pods become available on some reconciles, and at the latest on every third one.
        for (const [n, r] of ready.entries()) {
          const up = r || n % 3 === 2;
          if (atDesired(desired, c, s, o)) return;
          const plan = planScaling({
            replicas,
            surge,
            unavailable,
            desired,
            canary: c,
            stable: s,
            others: o,
          });
          const settle = (spec: number, prev: Observed) => ({
            spec,
            available: up ? spec : Math.min(spec, prev.available),
          });
          c = settle(plan.canary, c);
          s = settle(plan.stable, s);
          o = o.map((x, i) => settle(plan.others[i] ?? 0, x));
        }
        const why = JSON.stringify({ limits, weight, routed, desired, canary: c, stable: s, others: o });
        assert.ok(atDesired(desired, c, s, o), `stuck short of the desired counts: ${why}`);
      }),
      runs(500),
    );
  });
});
