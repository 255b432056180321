import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  atDesired,
  desiredCounts,
  type Observed,
  planScaling,
  surgeLimits,
} from "../../../src/core/replicas.ts";

describe("surgeLimits (Deployment rounding)", () => {
  const cases: [number, number | string | undefined, number | string | undefined, number, number][] = [
    [5, undefined, undefined, 2, 1],
    [4, "25%", "25%", 1, 1],
    [1, "25%", "25%", 1, 0],
    [10, 3, "0%", 3, 0],
    [3, 0, 0, 0, 1], // both zero would block: one pod may be unavailable
    [2, "0%", "100%", 0, 2],
  ];
  for (const [r, s, u, surge, unavailable] of cases) {
    test(`replicas ${r}, maxSurge ${s}, maxUnavailable ${u}`, () =>
      assert.deepEqual(surgeLimits(r, s, u), { surge, unavailable }));
  }
});

describe("desiredCounts", () => {
  const basic = (replicas: number, weight: number) =>
    desiredCounts({ replicas, weight, trafficRouted: false, surge: 1 });
  const cases: [string, () => unknown, { canary: number; stable: number }][] = [
    ["20% of 5 pods", () => basic(5, 20), { canary: 1, stable: 4 }],
    ["50% of 5 rounds the canary up", () => basic(5, 50), { canary: 3, stable: 2 }],
    ["1% of 10 still gets one canary pod", () => basic(10, 1), { canary: 1, stable: 9 }],
    ["0% is all stable", () => basic(5, 0), { canary: 0, stable: 5 }],
    ["100% is all canary", () => basic(5, 100), { canary: 5, stable: 0 }],
    ["50% of 1 keeps a stable pod to serve", () => basic(1, 50), { canary: 1, stable: 1 }],
    ["99% of 4 keeps a stable pod", () => basic(4, 99), { canary: 4, stable: 1 }],
    [
      "traffic-routed: stable keeps full capacity",
      () => desiredCounts({ replicas: 4, weight: 50, trafficRouted: true, surge: 1 }),
      { canary: 2, stable: 4 },
    ],
    [
      "dynamicStableScale shrinks stable",
      () =>
        desiredCounts({ replicas: 4, weight: 75, trafficRouted: true, dynamicStableScale: true, surge: 1 }),
      { canary: 3, stable: 1 },
    ],
    [
      "setCanaryScale replicas overrides the weight",
      () =>
        desiredCounts({ replicas: 10, weight: 10, scale: { replicas: 4 }, trafficRouted: true, surge: 1 }),
      { canary: 4, stable: 10 },
    ],
    [
      "setCanaryScale weight overrides the weight",
      () => desiredCounts({ replicas: 10, weight: 10, scale: { weight: 50 }, trafficRouted: true, surge: 1 }),
      { canary: 5, stable: 10 },
    ],
    ["zero replicas", () => basic(0, 50), { canary: 0, stable: 0 }],
    [
      "minPodsPerReplicaSet lifts a routed canary of 1 pod to 2",
      () => desiredCounts({ replicas: 10, weight: 5, trafficRouted: true, minPods: 2, surge: 1 }),
      { canary: 2, stable: 10 },
    ],
    [
      "minPodsPerReplicaSet keeps a shrunk stable at 2 (dynamicStableScale), and a canary at 0 stays 0",
      () =>
        desiredCounts({
          replicas: 4,
          weight: 90,
          trafficRouted: true,
          dynamicStableScale: true,
          minPods: 2,
          surge: 1,
        }),
      { canary: 4, stable: 2 },
    ],
    [
      "minPodsPerReplicaSet: a canary at 0% has no pods",
      () => desiredCounts({ replicas: 4, weight: 0, trafficRouted: true, minPods: 2, surge: 1 }),
      { canary: 0, stable: 4 },
    ],
    [
      "minPodsPerReplicaSet never asks more than replicas",
      () => desiredCounts({ replicas: 1, weight: 50, trafficRouted: true, minPods: 3, surge: 1 }),
      { canary: 1, stable: 1 },
    ],
    [
      "minPodsPerReplicaSet does nothing without a router (the pods are the split)",
      () => desiredCounts({ replicas: 10, weight: 5, trafficRouted: false, minPods: 2, surge: 1 }),
      { canary: 1, stable: 9 },
    ],
  ];
  for (const [name, run, want] of cases) test(name, () => assert.deepEqual(run(), want));
});

describe("planScaling", () => {
  const o = (spec: number, available = spec): Observed => ({ spec, available });
  test("first step: canary surges up, stable gives one pod within maxUnavailable", () => {
    const plan = planScaling({
      replicas: 5,
      surge: 2,
      unavailable: 1,
      desired: { canary: 1, stable: 4 },
      stable: o(5),
      others: [],
    });
    assert.deepEqual(plan, { canary: 1, stable: 4, others: [] });
  });
  test("stable waits for the canary to be available before shrinking further", () => {
    const plan = planScaling({
      replicas: 5,
      surge: 2,
      unavailable: 1,
      desired: { canary: 3, stable: 2 },
      canary: o(1, 0),
      stable: o(4),
      others: [],
    });
    // 1 canary pod not ready: availability budget is 4 - 4 = 0, so stable holds.
    assert.deepEqual(plan, { canary: 3, stable: 4, others: [] });
  });
  test("with the canary ready, stable shrinks to desired", () => {
    const plan = planScaling({
      replicas: 5,
      surge: 2,
      unavailable: 1,
      desired: { canary: 3, stable: 2 },
      canary: o(3),
      stable: o(4),
      others: [],
    });
    assert.deepEqual(plan, { canary: 3, stable: 2, others: [] });
  });
  test("never exceeds replicas + surge", () => {
    const plan = planScaling({
      replicas: 4,
      surge: 1,
      unavailable: 0,
      desired: { canary: 4, stable: 0 },
      stable: o(4),
      others: [],
    });
    assert.deepEqual(plan, { canary: 1, stable: 4, others: [] });
  });
  test("never raises the canary above desired, and shrinks an over-scaled canary", () => {
    const plan = planScaling({
      replicas: 4,
      surge: 4,
      unavailable: 4,
      desired: { canary: 1, stable: 3 },
      canary: o(3),
      stable: o(3),
      others: [],
    });
    assert.deepEqual(plan, { canary: 1, stable: 3, others: [] });
  });
  test("intermediate versions go to zero, unready pods first and at no cost", () => {
    const plan = planScaling({
      replicas: 4,
      surge: 1,
      unavailable: 0,
      desired: { canary: 1, stable: 3 },
      canary: o(0),
      stable: o(3),
      others: [o(2, 0)],
    });
    assert.deepEqual(plan, { canary: 0, stable: 3, others: [0] });
  });
  test("abort: stable back to full before the canary leaves", () => {
    const first = planScaling({
      replicas: 4,
      surge: 1,
      unavailable: 0,
      desired: { canary: 0, stable: 4 },
      canary: o(2),
      stable: o(2),
      others: [],
    });
    assert.deepEqual(first, { canary: 2, stable: 3, others: [] });
    const second = planScaling({
      replicas: 4,
      surge: 1,
      unavailable: 0,
      desired: { canary: 0, stable: 4 },
      canary: o(2),
      stable: o(3),
      others: [],
    });
    assert.deepEqual(second, { canary: 1, stable: 3, others: [] });
  });
  test("is idempotent at the desired state", () => {
    const plan = planScaling({
      replicas: 5,
      surge: 2,
      unavailable: 1,
      desired: { canary: 3, stable: 2 },
      canary: o(3),
      stable: o(2),
      others: [o(0)],
    });
    assert.deepEqual(plan, { canary: 3, stable: 2, others: [0] });
  });
  test("atDesired needs counts, availability and no other version", () => {
    assert.equal(atDesired({ canary: 1, stable: 4 }, o(1), o(4), []), true);
    assert.equal(atDesired({ canary: 1, stable: 4 }, o(1, 0), o(4), []), false);
    assert.equal(atDesired({ canary: 1, stable: 4 }, o(1), o(5), []), false);
    assert.equal(atDesired({ canary: 1, stable: 4 }, o(1), o(4), [o(1)]), false);
    assert.equal(atDesired({ canary: 0, stable: 4 }, undefined, o(4), []), true);
  });
});
