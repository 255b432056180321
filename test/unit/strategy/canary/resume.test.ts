// After a crash the cluster may already show a step whose entry was never written to status (the routes
// are written before the status): a reconcile completes only the step status recorded, so every step
// still appears in the status history, in order (found by test/integration/reliability/crash-anywhere).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { RunPhase } from "../../../../src/api/index.ts";
import { drive, onlyRecordedStep, startCanary } from "../../../../src/strategy/canary/drive.ts";
import type { Env, StepInfo } from "../../../../src/strategy/canary/machine.ts";
import { type CanarySnapshot, stateOf } from "../../../../src/strategy/canary/persist.ts";

const T0 = Date.parse("2026-01-01T00:00:00Z");
const w = (n: number): StepInfo => ({ kind: "setWeight", describe: `setWeight ${n}` });
const pause = (sec: number): StepInfo => ({ kind: "pause", pauseMs: sec * 1000, describe: `pause ${sec}s` });
const analysis: StepInfo = { kind: "analysis", describe: "analysis" };
const steps = [w(20), pause(2), w(40), analysis, w(60)];

const env = (at: number, satisfied: number[], runs: Record<number, RunPhase> = {}): Env => ({
  now: T0 + at * 1000,
  steps,
  progressDeadlineMs: 600_000,
  progressDeadlineAbort: false,
  specPaused: false,
  canaryAvailable: 1,
  stepSatisfied: (i) => satisfied.includes(i),
  stepAnalysis: (i) => runs[i],
});
const where = (s: CanarySnapshot) => `${stateOf(s)}@${s.context.stepIndex}`;
/** Status recorded: in the 2 s pause of step 1, entered at T0 + 1 s. */
const inPause = (): CanarySnapshot => {
  const fresh = startCanary({ podHash: "h", stepsHash: "s", now: T0 }).snapshot;
  return drive(fresh, [], onlyRecordedStep(env(1, [0]), 0)).snapshot;
};

describe("canary machine: a reconcile completes only the step status recorded", () => {
  test("the pause ends into step 2, which waits for its own writes even if the cluster already shows them", () => {
    assert.equal(where(inPause()), "Paused@1");
    // A reconcile killed before its status write left step 2's weight in the routes.
    const leftover = env(3, [2]);
    assert.equal(
      where(drive(inPause(), [], leftover).snapshot),
      "Stepping@3",
      "unguarded, step 2 is skipped",
    );
    const { snapshot, records } = drive(inPause(), [], onlyRecordedStep(leftover, 1));
    assert.equal(where(snapshot), "Stepping@2");
    assert.deepEqual(
      records.map((r) => r.message),
      ["step 3/5: setWeight 40"],
    );
    // The next reconcile, with step 2 recorded, completes it.
    assert.equal(where(drive(snapshot, [], onlyRecordedStep(env(4, [2]), 2)).snapshot), "Stepping@3");
  });

  test("a machine started in this reconcile completes no step yet", () => {
    const fresh = startCanary({ podHash: "h", stepsHash: "s", now: T0 }).snapshot;
    assert.equal(where(drive(fresh, [], onlyRecordedStep(env(0, [0]), undefined)).snapshot), "Stepping@0");
  });

  test("steps that wait on time or analysis, not on writes, still chain in one reconcile", () => {
    const atAnalysis = drive(inPause(), [], onlyRecordedStep(env(3, []), 1)).snapshot;
    assert.equal(where(atAnalysis), "Stepping@2");
    const recorded = drive(atAnalysis, [], onlyRecordedStep(env(4, [2], { 3: "Successful" }), 2));
    assert.equal(where(recorded.snapshot), "Stepping@4", "step 2 done, the analysis already passed");
  });

  test("Promoting recorded completes when 100% is in place", () => {
    let s = startCanary({ podHash: "h", stepsHash: "s", now: T0 }).snapshot;
    s = drive(s, [{ type: "PROMOTE_FULL", env: env(0, []) }], onlyRecordedStep(env(0, [5]), 0)).snapshot;
    assert.equal(where(s), "Promoting@5");
    assert.equal(stateOf(drive(s, [], onlyRecordedStep(env(1, [5]), 5)).snapshot), "Completed");
  });
});
