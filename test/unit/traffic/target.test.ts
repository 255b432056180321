// What the routes should say at a step, and the gate that keeps traffic from outrunning pods.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { CanaryStep } from "../../../src/api/index.ts";
import { pointer } from "../../../src/traffic/json-patch.ts";
import { gateWeight, inactiveTarget, routesAt, targetAt, weightAt } from "../../../src/traffic/target.ts";

const h = (name: string, value?: string): CanaryStep => ({
  setHeaderRoute: { name, ...(value ? { match: [{ headerName: "x", headerValue: { exact: value } }] } : {}) },
});
const steps: CanaryStep[] = [
  { setWeight: 10 },
  h("b", "1"),
  h("a", "2"),
  { setMirrorRoute: { name: "m", match: [{ method: { exact: "GET" } }] } },
  h("b"),
  { setWeight: 40 },
];

describe("routesAt", () => {
  const names = (i: number) => {
    const r = routesAt(steps, i, ["a", "b", "m"]);
    return [r.headerRoutes.map((x) => x.name), r.mirrorRoutes.map((x) => `${x.name}@${x.percentage}`)];
  };
  const cases: [number, string[][]][] = [
    [0, [[], []]],
    [1, [["b"], []]],
    [2, [["a", "b"], []]],
    [3, [["a", "b"], ["m@100"]]],
    [4, [["a"], ["m@100"]]],
    [5, [["a"], ["m@100"]]],
    [6, [[], []]],
  ];
  for (const [i, want] of cases)
    test(`step ${i} (in managedRoutes order; none once the steps are done)`, () =>
      assert.deepEqual(names(i), want));
});

describe("weightAt", () => {
  test("the last setWeight so far, and the whole total past the last step", () => {
    assert.deepEqual(
      [0, 3, 5, 6].map((i) => weightAt(steps, i, 200)),
      [10, 10, 40, 200],
    );
  });
});

describe("gateWeight", () => {
  const t = targetAt({ steps, managed: [], total: 100, stableHash: "s", canaryHash: "c" }, 5);
  const cases: [string, number, number, boolean, boolean, number][] = [
    ["more weight, canary pods ready → the step's weight", 10, 2, true, true, 40],
    ["more weight, canary pods not ready → keep what is shown", 10, 1, false, true, 10],
    ["less weight, stable ready → the step's weight", 60, 2, false, true, 40],
    ["less weight, stable not ready (dynamicStableScale) → keep what is shown", 60, 3, true, false, 60],
    ["no canary pod available (a newer version replaced it) → 0", 40, 0, false, true, 0],
  ];
  for (const [name, shown, canaryAvailable, canaryReady, stableReady, want] of cases)
    test(name, () =>
      assert.equal(gateWeight({ target: t, shown, canaryAvailable, canaryReady, stableReady }).weight, want),
    );
  test("an abort held back by stable stays active (routers must not drop the canary route yet)", () => {
    const held = gateWeight({
      target: inactiveTarget(100, "s", "c"),
      shown: 30,
      canaryAvailable: 2,
      canaryReady: true,
      stableReady: false,
    });
    assert.deepEqual([held.active, held.weight], [true, 30]);
  });
});

describe("pointer", () => {
  test("escapes ~ and / in segments (label keys)", () => {
    assert.equal(
      pointer("spec", "subsets", 0, "labels", "ramp.dev/pod-template-hash"),
      "/spec/subsets/0/labels/ramp.dev~1pod-template-hash",
    );
    assert.equal(pointer("a~b"), "/a~0b");
  });
});
