import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { RolloutStatus } from "../../../src/api/index.ts";
import { type Health, mergeConditions, phaseOf, wantedConditions } from "../../../src/core/conditions.ts";
import { asWritten, type StatusFields } from "../../../src/core/outcome.ts";
import { isObject } from "../../../src/json.ts";
import { mergePatchDiff } from "../../../src/kube/merge-patch.ts";
import { selectorMatches, selectorString } from "../../../src/kube/selector.ts";

describe("mergePatchDiff", () => {
  const cases: [
    string,
    Record<string, unknown> | undefined,
    Record<string, unknown>,
    Record<string, unknown>,
  ][] = [
    ["nothing changed → empty", { a: 1, b: { c: 2 } }, { a: 1, b: { c: 2 } }, {}],
    ["a changed scalar", { a: 1 }, { a: 2 }, { a: 2 }],
    ["null removes a present key", { a: 1, b: 2 }, { b: null }, { b: null }],
    ["null for an absent key is no change", { a: 1 }, { b: null }, {}],
    ["nested objects are diffed", { m: { x: 1, y: 2 } }, { m: { x: 1, y: 3 } }, { m: { y: 3 } }],
    [
      "keys dropped from a nested object are removed",
      { m: { x: 1, y: 2 } },
      { m: { x: 1 } },
      { m: { y: null } },
    ],
    ["arrays are replaced whole", { l: [1, 2] }, { l: [1, 3] }, { l: [1, 3] }],
    ["key order does not matter", { m: { x: 1, y: 2 } }, { m: { y: 2, x: 1 } }, {}],
    ["keys it does not name are left alone", { intent: { id: "1" }, a: 1 }, { a: 1 }, {}],
    ["from nothing", undefined, { a: { b: 1 } }, { a: { b: 1 } }],
  ];
  for (const [name, before, after, want] of cases)
    test(name, () => assert.deepEqual(mergePatchDiff(before, after), want));
});

/** RFC 7386: what the apiserver does with a merge patch. */
function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = applyMergePatch(out[k], v);
  }
  return out;
}

describe("asWritten: the status the next reconcile reads after a write", () => {
  const before = {
    phase: "Paused",
    intent: { id: "7", action: "promote" },
    canary: { weight: 50, stableWeight: 50, currentStepAnalysisRun: "r-s1" },
    pauseStartTime: "t",
    stableRS: "old",
  } as unknown as RolloutStatus;
  const fields: StatusFields = {
    phase: "Healthy",
    intent: null,
    lastIntentId: "7",
    canary: { weight: 0, stableWeight: 100 },
    pauseStartTime: null,
    stableRS: "new",
    message: undefined,
  };
  test("is what the apiserver makes of the diff ramp writes", () =>
    assert.deepEqual(asWritten(before, fields), applyMergePatch(before, mergePatchDiff(before, fields))));
  test("null removes, undefined keeps, nested objects are replaced whole", () =>
    assert.deepEqual(asWritten(before, fields), {
      phase: "Healthy",
      lastIntentId: "7",
      canary: { weight: 0, stableWeight: 100 },
      stableRS: "new",
    }));
});

describe("selectors", () => {
  const sel = {
    matchLabels: { app: "web" },
    matchExpressions: [
      { key: "tier", operator: "In" as const, values: ["b", "a"] },
      { key: "legacy", operator: "DoesNotExist" as const },
    ],
  };
  test("matches", () => assert.equal(selectorMatches(sel, { app: "web", tier: "a" }), true));
  test("a missing In label does not match", () => assert.equal(selectorMatches(sel, { app: "web" }), false));
  test("a present DoesNotExist label does not match", () =>
    assert.equal(selectorMatches(sel, { app: "web", tier: "a", legacy: "1" }), false));
  test("string form", () => assert.equal(selectorString(sel), "app=web,tier in (a,b),!legacy"));
});

describe("phase and conditions", () => {
  const base: Health = {
    deadlineExceeded: false,
    rollingOut: false,
    settled: true,
    available: true,
    message: "ok",
  };
  const cases: [string, Health, string, Record<string, string>][] = [
    ["healthy", base, "Healthy", { Ready: "True", Reconciling: "False", Stalled: "False" }],
    [
      "rolling out",
      { ...base, rollingOut: true },
      "Progressing",
      { Ready: "False", Reconciling: "True", Stalled: "False" },
    ],
    [
      "paused",
      { ...base, rollingOut: true, paused: { reason: "PausedStep", message: "m" } },
      "Paused",
      { Reconciling: "True", Paused: "True" },
    ],
    [
      "aborted",
      { ...base, aborted: { reason: "AbortedByUser", message: "m" } },
      "Degraded",
      { Ready: "False", Stalled: "True", Aborted: "True" },
    ],
    [
      "deadline",
      { ...base, rollingOut: true, deadlineExceeded: true },
      "Degraded",
      { Progressing: "False", Stalled: "True" },
    ],
    [
      "invalid",
      { ...base, invalid: { reason: "ServiceNotFound", message: "m" } },
      "Degraded",
      { Stalled: "True", Progressing: "False" },
    ],
  ];
  for (const [name, health, phase, conditions] of cases) {
    test(name, () => {
      assert.equal(phaseOf(health), phase);
      const got = Object.fromEntries(wantedConditions(health).map((c) => [c.type, c.status]));
      for (const [type, status] of Object.entries(conditions)) assert.equal(got[type], status, type);
    });
  }
  test("the reason of a stall is the error code", () => {
    const stalled = wantedConditions({ ...base, invalid: { reason: "ServiceNotFound", message: "m" } }).find(
      (c) => c.type === "Stalled",
    );
    assert.equal(stalled?.reason, "ServiceNotFound");
  });
  test("lastTransitionTime moves only when the status changes", () => {
    const first = mergeConditions(undefined, wantedConditions(base), "t1", 1);
    const same = mergeConditions(first, wantedConditions(base), "t2", 2);
    assert.equal(same.find((c) => c.type === "Ready")?.lastTransitionTime, "t1");
    const flipped = mergeConditions(first, wantedConditions({ ...base, rollingOut: true }), "t3", 3);
    assert.equal(flipped.find((c) => c.type === "Ready")?.lastTransitionTime, "t3");
    assert.equal(flipped.find((c) => c.type === "Ready")?.observedGeneration, 3);
  });
});
