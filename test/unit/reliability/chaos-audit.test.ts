// The crash-anywhere auditor must catch what it claims to: a clean history passes, and each planted fault
// (skipped or repeated step, weight above the step, early pause end, duplicate ReplicaSet or Event) fails.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  auditTimeline,
  type Check,
  type EventView,
  type RouteView,
  type StatusView,
  type Timeline,
} from "../../support/chaos/audit.ts";
import { planRollouts, seeded } from "../../support/chaos/plan.ts";

const T0 = Date.parse("2026-01-01T00:00:00Z");
const iso = (ms: number) => new Date(T0 + ms).toISOString();
const [good, bad] = planRollouts(2, seeded(7), 4) as [Timeline["plan"], Timeline["plan"]];

/** A history as a correct controller writes it: routes first, then the status that records the step. */
function history(plan: Timeline["plan"]): Timeline {
  let rv = 0;
  let now = 0;
  const n = plan.steps.length;
  const statuses: StatusView[] = [
    { rv: ++rv, currentPodHash: "old", stableRS: "old", currentStepIndex: n, phase: "Healthy" },
  ];
  const routes: RouteView[] = [{ rv: ++rv, deleted: false, canaryPercent: 0 }];
  const events: EventView[] = [];
  const status = (i: number, extra: Partial<StatusView> = {}) => {
    const paused = plan.pauseMs[i] !== undefined;
    statuses.push({
      rv: ++rv,
      currentPodHash: "new",
      stableRS: "old",
      currentStepIndex: i,
      phase: paused ? "Paused" : "Progressing",
      pauseStartTime: paused ? iso(now) : null,
      machine: {
        value: "Stepping",
        context: { podHash: "new", stepsHash: "h", attempt: 0, stepStartedAt: iso(now) },
      },
      ...extra,
    });
    if (i > 0)
      events.push({
        reason: i === n ? "Promoting" : "StepStarted",
        message: i === n ? "all steps done: the new version goes to 100%" : `step ${i + 1}/${n}: x`,
        count: 1,
        firstTimestamp: `${iso(now).slice(0, 19)}Z`,
      });
  };
  const route = (percent: number) => routes.push({ rv: ++rv, deleted: false, canaryPercent: percent });
  const last = plan.good ? n : plan.analysisStep;
  for (let i = 0; i <= last; i++) {
    if ((plan.weights[i] ?? 0) !== (plan.weights[i - 1] ?? 0) && i > 0) route(plan.weights[i] ?? 0);
    status(i);
    if (i === 0) route(plan.weights[0] ?? 0);
    now += (plan.pauseMs[i] ?? 0) + 1000;
  }
  if (plan.good) {
    statuses.push({ ...(statuses.at(-1) as StatusView), rv: ++rv, stableRS: "new", phase: "Healthy" });
    route(0);
  } else {
    route(0);
    statuses.push({
      ...(statuses.at(-1) as StatusView),
      rv: ++rv,
      phase: "Degraded",
      abort: { reason: "AnalysisFailed" },
    });
  }
  return {
    plan,
    oldHash: "old",
    statuses,
    routes,
    replicaSets: [
      { type: "ADDED", name: `${plan.name}-old`, uid: "u1", hash: "old" },
      { type: "ADDED", name: `${plan.name}-new`, uid: "u2", hash: "new" },
    ],
    events,
    kills: [],
  };
}

const checks = (t: Timeline): Check[] => auditTimeline(t).findings.map((f) => f.check);
const withStep = (t: Timeline, i: number) =>
  t.statuses.findIndex((s) => s.currentStepIndex === i && s.currentPodHash === "new");

describe("the crash-anywhere auditor", () => {
  test("passes clean histories of a promoted and an aborted version", () => {
    assert.deepEqual(auditTimeline(history(good)).findings, []);
    assert.deepEqual(auditTimeline(history(bad)).findings, []);
  });

  const cases: [string, Check, (t: Timeline) => void][] = [
    ["a skipped step", "steps", (t) => void t.statuses.splice(withStep(t, 2), 1)],
    [
      "a repeated step",
      "steps",
      (t) => void t.statuses.push({ ...(t.statuses[withStep(t, 3)] as StatusView), rv: 999 }),
    ],
    [
      "a canary weight above the step",
      "weight",
      (t) =>
        void t.routes.push({
          rv: (t.statuses[withStep(t, 2)]?.rv ?? 0) + 0.5,
          deleted: false,
          canaryPercent: 61,
        }),
    ],
    [
      "a pause that ends early",
      "pause",
      (t) => {
        const start = Date.parse(t.statuses[withStep(t, 1)]?.pauseStartTime ?? "");
        const next = t.statuses[withStep(t, 2)]?.machine?.context;
        if (next) next.stepStartedAt = new Date(start + (good.pauseMs[1] ?? 0) - 1).toISOString();
      },
    ],
    [
      "a ReplicaSet made twice",
      "replicasets",
      (t) => void t.replicaSets.push({ type: "ADDED", name: `${good.name}-new`, uid: "u3", hash: "new" }),
    ],
    [
      "a step started twice",
      "events",
      (t) => {
        (t.events[1] as EventView).count = 2;
      },
    ],
    ["a lost Event no kill explains", "events", (t) => void t.events.splice(1, 1)],
  ];
  for (const [what, check, plant] of cases) {
    test(`catches ${what}`, () => {
      const t = history(good);
      plant(t);
      assert.ok(checks(t).includes(check), `${what}: ${JSON.stringify(auditTimeline(t).findings)}`);
    });
  }

  test("a weight back above zero after an abort is caught", () => {
    const t = history(bad);
    t.routes.push({ rv: 999, deleted: false, canaryPercent: 40 });
    assert.deepEqual(checks(t), ["weight"]);
  });

  test("an Event lost to a kill after its step began is reported, not failed", () => {
    const t = history(good);
    t.events.splice(1, 1);
    t.kills = [T0 + 60_000];
    const a = auditTimeline(t);
    assert.deepEqual(a.findings, []);
    assert.equal(a.lostEvents.length, 1);
  });
});
