import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { RunPhase } from "../../../../src/api/index.ts";
import { drive, startCanary } from "../../../../src/strategy/canary/drive.ts";
import { CANARY_MACHINE_VERSION, type Env, type StepInfo } from "../../../../src/strategy/canary/machine.ts";
import { type CanarySnapshot, dehydrate, hydrate, stateOf } from "../../../../src/strategy/canary/persist.ts";

const T0 = Date.parse("2026-01-01T00:00:00Z");
const w = (n: number): StepInfo => ({ kind: "setWeight", describe: `setWeight ${n}` });
const pause = (sec?: number): StepInfo => ({
  kind: "pause",
  pauseMs: sec === undefined ? undefined : sec * 1000,
  describe: "pause",
});
const analysis: StepInfo = { kind: "analysis", describe: "analysis" };

type World = {
  at?: number;
  satisfied?: number[];
  analysis?: Record<number, RunPhase>;
  background?: RunPhase;
  available?: number;
  specPaused?: boolean;
  abortOnDeadline?: boolean;
};
const env = (steps: StepInfo[], world: World = {}): Env => ({
  now: T0 + (world.at ?? 0) * 1000,
  steps,
  progressDeadlineMs: 60_000,
  progressDeadlineAbort: world.abortOnDeadline ?? false,
  specPaused: world.specPaused ?? false,
  canaryAvailable: world.available ?? 0,
  stepSatisfied: (i) => (world.satisfied ?? []).includes(i),
  stepAnalysis: (i) => world.analysis?.[i],
  background: world.background,
  analysisMessage: "metric error-rate: value 0.31 met failureCondition",
});

const start = () => startCanary({ podHash: "abc", stepsHash: "s1", now: T0 }).snapshot;
const tick = (s: CanarySnapshot, steps: StepInfo[], world: World = {}) => drive(s, [], env(steps, world));
const where = (s: CanarySnapshot) => `${stateOf(s)}@${s.context.stepIndex}`;

describe("canary machine: stepping", () => {
  const steps = [w(20), pause(3), w(50), pause(3)];
  test("waits on a weight until its pods are in place", () => {
    assert.equal(where(tick(start(), steps).snapshot), "Stepping@0");
  });
  test("a satisfied weight advances into a timed pause, which ends at its deadline, not before", () => {
    let s = tick(start(), steps, { at: 1, satisfied: [0] }).snapshot;
    assert.equal(where(s), "Paused@1");
    assert.equal(s.context.stepStartedAt, new Date(T0 + 1000).toISOString());
    s = tick(s, steps, { at: 3.999 }).snapshot;
    assert.equal(where(s), "Paused@1");
    s = tick(s, steps, { at: 4 }).snapshot;
    assert.equal(where(s), "Stepping@2");
  });
  test("several ready steps complete in one reconcile, stopping at the first unready one", () => {
    const s = tick(start(), [w(10), w(20), w(30)], { satisfied: [0, 1] }).snapshot;
    assert.equal(where(s), "Stepping@2");
  });
  test("after the last step it promotes, and completes when 100% is in place", () => {
    let s = tick(start(), [w(50)], { satisfied: [0] }).snapshot;
    assert.equal(where(s), "Promoting@1");
    s = tick(s, [w(50)], { satisfied: [1] }).snapshot;
    assert.equal(stateOf(s), "Completed");
  });
  test("no steps at all: straight to promoting", () => {
    assert.equal(where(tick(start(), []).snapshot), "Promoting@0");
  });
  test("records an Event per step started", () => {
    const { records } = tick(start(), steps, { satisfied: [0] });
    assert.deepEqual(
      records.map((r) => `${r.reason}: ${r.message}`),
      // The pause step's StepStarted says it all: no separate Paused Event.
      ["StepStarted: step 2/4: pause"],
    );
  });
});

describe("canary machine: user actions", () => {
  const steps = [w(20), pause(), w(50)];
  const paused = () => tick(start(), steps, { satisfied: [0] }).snapshot;
  test("an indefinite pause waits for promote", () => {
    const s = tick(paused(), steps, { at: 3600 * 24 }).snapshot;
    assert.equal(where(s), "Paused@1");
    const promoted = drive(s, [{ type: "PROMOTE", env: env(steps), stepIndex: 1, by: "alice" }], env(steps));
    assert.equal(where(promoted.snapshot), "Stepping@2");
    assert.ok(promoted.records.some((r) => r.reason === "Promoted" && r.message === "promoted by alice"));
  });
  test("a promote issued at an earlier step is ignored", () => {
    const s = drive(paused(), [{ type: "PROMOTE", env: env(steps), stepIndex: 0 }], env(steps)).snapshot;
    assert.equal(where(s), "Paused@1");
  });
  test("promote while waiting for pods skips to the next step", () => {
    const s = drive(start(), [{ type: "PROMOTE", env: env(steps) }], env(steps)).snapshot;
    assert.equal(where(s), "Paused@1");
  });
  test("promote --full skips every remaining step", () => {
    const s = drive(paused(), [{ type: "PROMOTE_FULL", env: env(steps) }], env(steps)).snapshot;
    assert.equal(where(s), "Promoting@3");
    assert.equal(s.context.fullPromotion, true);
  });
  test("abort, then retry starts the steps again", () => {
    const ab = drive(
      paused(),
      [{ type: "ABORT", env: env(steps), reason: "AbortedByUser", message: "by bob", by: "bob" }],
      env(steps),
    );
    assert.equal(stateOf(ab.snapshot), "Aborted");
    assert.equal(ab.snapshot.context.abort?.reason, "AbortedByUser");
    assert.ok(ab.records.some((r) => r.type === "Warning" && r.reason === "Aborted"));
    const again = drive(ab.snapshot, [{ type: "RETRY", env: env(steps) }], env(steps)).snapshot;
    assert.equal(where(again), "Stepping@0");
    assert.equal(again.context.abort, undefined);
  });
  test("retry means nothing unless aborted", () => {
    const s = drive(paused(), [{ type: "RETRY", env: env(steps) }], env(steps)).snapshot;
    assert.equal(where(s), "Paused@1");
  });
  test("a user pause holds a timed pause past its deadline; resume releases it", () => {
    const timed = [w(20), pause(5), w(50)];
    let s = tick(start(), timed, { satisfied: [0] }).snapshot;
    s = drive(s, [{ type: "PAUSE", env: env(timed) }], env(timed, { at: 10 })).snapshot;
    assert.equal(where(s), "Paused@1");
    assert.equal(s.context.userPaused, true);
    s = drive(s, [{ type: "RESUME", env: env(timed, { at: 11 }) }], env(timed, { at: 11 })).snapshot;
    assert.equal(where(s), "Stepping@2");
  });
  test("spec.paused (Git) holds the rollout like a user pause", () => {
    const s = tick(start(), steps, { satisfied: [0], specPaused: true }).snapshot;
    assert.equal(where(s), "Stepping@0");
  });
});

describe("canary machine: progress deadline", () => {
  const steps = [w(50)];
  test("no progress past the deadline marks it exceeded but keeps going without abort", () => {
    const s = tick(start(), steps, { at: 61 }).snapshot;
    assert.equal(where(s), "Stepping@0");
    assert.equal(s.context.deadlineExceeded, true);
  });
  test("progress (more canary pods available) resets the clock", () => {
    let s = tick(start(), steps, { at: 50, available: 1 }).snapshot;
    s = tick(s, steps, { at: 100, available: 1 }).snapshot;
    assert.equal(s.context.deadlineExceeded, false);
    s = tick(s, steps, { at: 111, available: 1 }).snapshot;
    assert.equal(s.context.deadlineExceeded, true);
  });
  test("with progressDeadlineAbort it aborts with ProgressDeadlineExceeded", () => {
    const s = tick(start(), steps, { at: 61, abortOnDeadline: true }).snapshot;
    assert.equal(stateOf(s), "Aborted");
    assert.equal(s.context.abort?.reason, "ProgressDeadlineExceeded");
  });
  test("time spent paused does not count", () => {
    const withPause = [pause(), w(50)];
    let s = tick(start(), withPause, { at: 0 }).snapshot;
    s = drive(
      s,
      [{ type: "PROMOTE", env: env(withPause, { at: 600 }) }],
      env(withPause, { at: 600, abortOnDeadline: true }),
    ).snapshot;
    assert.equal(where(s), "Stepping@1");
    s = tick(s, withPause, { at: 650, abortOnDeadline: true }).snapshot;
    assert.equal(where(s), "Stepping@1");
  });
  test("a hold in Git is marked once, not re-stamped every tick, and the clock restarts on release", () => {
    const held = tick(start(), steps, { at: 10, specPaused: true }).snapshot;
    assert.equal(held.context.held, true);
    // Later ticks while held leave the context as it was: no status write per reconcile.
    const later = tick(held, steps, { at: 500, specPaused: true }).snapshot;
    assert.deepEqual(later.context, held.context);
    // Released long after the deadline: the clock starts again from the release, nothing is exceeded.
    let s = tick(later, steps, { at: 900, abortOnDeadline: true }).snapshot;
    assert.equal(where(s), "Stepping@0");
    assert.equal(s.context.held, false);
    assert.equal(s.context.progressAt, new Date(T0 + 900_000).toISOString());
    s = tick(s, steps, { at: 961, abortOnDeadline: true }).snapshot;
    assert.equal(stateOf(s), "Aborted");
  });
});

describe("canary machine: analysis", () => {
  const steps = [w(20), analysis, w(50)];
  const at = (phase: RunPhase) => tick(start(), steps, { satisfied: [0], analysis: { 1: phase } }).snapshot;
  test("waits while the run is running, even past the pods' deadline", () => {
    const s = tick(start(), steps, {
      at: 500,
      satisfied: [0],
      analysis: { 1: "Running" },
      abortOnDeadline: true,
    }).snapshot;
    assert.equal(where(s), "Stepping@1");
  });
  test("a running analysis leaves the context still, tick after tick", () => {
    const s = tick(start(), steps, { satisfied: [0], analysis: { 1: "Running" } }).snapshot;
    const later = tick(s, steps, { at: 30, satisfied: [0], analysis: { 1: "Running" } }).snapshot;
    assert.deepEqual(later.context, s.context);
  });
  test("Successful → next step", () => assert.equal(where(at("Successful")), "Stepping@2"));
  test("Failed → abort naming the metric", () => {
    const s = at("Failed");
    assert.equal(stateOf(s), "Aborted");
    assert.equal(s.context.abort?.reason, "AnalysisFailed");
    assert.match(s.context.abort?.message ?? "", /error-rate: value 0\.31/);
  });
  test("Error → abort with AnalysisError", () =>
    assert.equal(at("Error").context.abort?.reason, "AnalysisError"));
  test("Inconclusive → paused until a person decides", () => {
    const s = at("Inconclusive");
    assert.equal(where(s), "Paused@1");
    assert.equal(s.context.pauseReason, "inconclusive");
    const p = drive(
      s,
      [{ type: "PROMOTE", env: env(steps) }],
      env(steps, { analysis: { 1: "Inconclusive" } }),
    ).snapshot;
    assert.equal(where(p), "Stepping@2");
  });
  test("a failed background analysis aborts at whatever step", () => {
    const s = tick(tick(start(), steps, { satisfied: [0] }).snapshot, steps, {
      background: "Failed",
    }).snapshot;
    assert.equal(stateOf(s), "Aborted");
    assert.equal(s.context.abort?.by, "analysis");
  });
});

describe("canary machine: persistence", () => {
  test("dehydrate → hydrate is the same snapshot, and it keeps running", () => {
    const steps = [w(20), pause(30), w(50)];
    const s = tick(start(), steps, { satisfied: [0], at: 1 }).snapshot;
    const persisted = dehydrate(s);
    assert.equal(persisted.version, CANARY_MACHINE_VERSION);
    assert.equal(persisted.value, "Paused");
    const back = hydrate(JSON.parse(JSON.stringify(persisted)));
    assert.ok(back);
    assert.deepEqual(back.context, s.context);
    assert.equal(where(tick(back, steps, { at: 31 }).snapshot), "Stepping@2");
  });
  test("another version or a malformed context is not hydrated", () => {
    const persisted = dehydrate(start());
    assert.equal(hydrate({ ...persisted, version: "canary/v0" }), undefined);
    assert.equal(hydrate({ ...persisted, value: "Nowhere" }), undefined);
    assert.equal(hydrate({ ...persisted, context: { ...persisted.context, stepIndex: -1 } }), undefined);
    assert.equal(hydrate(undefined), undefined);
  });
});
