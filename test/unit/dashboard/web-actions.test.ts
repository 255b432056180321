// What each action's confirmation says will happen, read from the detail the server pushed.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { RolloutDetail, StepView } from "../../../src/dashboard/contract.ts";
import { DASHBOARD_ACTIONS } from "../../../src/dashboard/contract.ts";
import { describeAction, stepWeight, weightAtStep } from "../../../src/dashboard/web/app/lib/actions.ts";

const steps = (current: number, describes: string[]): StepView[] =>
  describes.map((describe, index) => ({
    index,
    describe,
    state: index < current ? "done" : index === current ? "current" : "next",
  }));

const FIVE = ["setWeight 20", "pause (until promoted)", "setWeight 50", "pause 30s", "setWeight 80"];

const detail = (over: Partial<RolloutDetail> = {}): RolloutDetail => {
  const allowed = { allowed: true };
  return {
    namespace: "shop",
    name: "web",
    labels: {},
    phase: "Paused",
    strategy: "canary",
    step: { index: 2, count: 5 },
    weight: 20,
    images: ["app=web:2"],
    stableImages: ["app=web:1"],
    createdAt: "2026-01-01T00:00:00Z",
    resourceVersion: "7",
    steps: steps(1, FIVE),
    versions: [
      {
        replicaSet: "web-a",
        hash: "a",
        revision: 1,
        role: "stable",
        images: ["app=web:1"],
        replicas: 4,
        readyReplicas: 4,
        pods: [],
      },
      {
        replicaSet: "web-b",
        hash: "b",
        revision: 2,
        role: "canary",
        images: ["app=web:2"],
        replicas: 1,
        readyReplicas: 1,
        pods: [{ name: "web-b-1", ready: true, phase: "Running", restarts: 0 }],
      },
    ],
    routers: [],
    analysisRuns: [],
    conditions: [],
    events: [],
    actions: Object.fromEntries(DASHBOARD_ACTIONS.map((a) => [a, allowed])) as RolloutDetail["actions"],
    ...over,
  };
};

describe("dashboard web: step weights", () => {
  test("stepWeight reads setWeight only", () => {
    assert.equal(stepWeight({ index: 0, describe: "setWeight 25", state: "next" }), 25);
    assert.equal(stepWeight({ index: 0, describe: "pause 30s", state: "next" }), undefined);
  });
  test("weightAtStep is the last setWeight at or before the step", () => {
    const s = steps(0, FIVE);
    assert.equal(weightAtStep(s, 0, 0), 20);
    assert.equal(weightAtStep(s, 1, 0), 20);
    assert.equal(weightAtStep(s, 3, 0), 50);
    assert.equal(weightAtStep(s, 9, 0), 80);
    assert.equal(weightAtStep(steps(0, ["pause 10s"]), 0, 7), 7);
  });
});

describe("dashboard web: describeAction", () => {
  const cases: [string, Partial<RolloutDetail>, (typeof DASHBOARD_ACTIONS)[number], string][] = [
    ["promote, paused at step 2 of 5", {}, "promote", "Promote web: step 2/5 → 3/5, weight 20% → 50%."],
    [
      "promote from the last step finishes",
      { steps: steps(4, FIVE), weight: 80, step: { index: 5, count: 5 } },
      "promote",
      "Promote web: step 5/5 → done, weight 80% → 100%; the new version (app=web:2) becomes stable.",
    ],
    [
      "promote full skips the rest",
      {},
      "promoteFull",
      "Promote web fully: step 2/5 → done, skipping steps 3–5, weight 20% → 100%; the new version (app=web:2) becomes stable.",
    ],
    [
      "promote, canary without steps",
      { steps: [], step: undefined, weight: 0 },
      "promote",
      "Promote web: weight 0% → 100%; the new version (app=web:2) becomes stable.",
    ],
    [
      "promote, blue-green",
      { strategy: "blueGreen", steps: [], step: undefined, weight: undefined },
      "promote",
      "Promote web: the preview version (app=web:2) becomes active and receives all traffic.",
    ],
    [
      "abort",
      {},
      "abort",
      "Abort web: weight 20% → 0%, all traffic back to the stable version (app=web:1); the new version is scaled down and the Rollout becomes Degraded until retried.",
    ],
    [
      "retry",
      { abort: { reason: "AnalysisFailed", message: "error-rate failed", at: "2026-01-01T00:00:00Z" } },
      "retry",
      "Retry web: clear the abort (AnalysisFailed) and start the update (app=web:2) again from step 1/5, weight 20%.",
    ],
    ["pause", {}, "pause", "Pause web at step 2/5: weight stays 20% and no step advances until resumed."],
    ["resume", {}, "resume", "Resume web at step 2/5: steps advance again from weight 20%."],
    [
      "undo names the revision it restores",
      {},
      "undo",
      "Undo web: restore the pod template of revision 1 (app=web:1) as a new update (replacing revision 2); it goes through the steps like any change.",
    ],
    [
      "restart counts the pods",
      {},
      "restart",
      "Restart web: set spec.restartAt to now, so its 1 pod is replaced a few at a time; images and traffic weights do not change.",
    ],
  ];
  for (const [what, over, action, want] of cases)
    test(what, () => assert.equal(describeAction(detail(over), action), want));

  test("every action has a sentence naming the Rollout", () => {
    for (const a of DASHBOARD_ACTIONS) assert.match(describeAction(detail(), a), /\bweb\b/);
  });
});
