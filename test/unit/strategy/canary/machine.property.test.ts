// Property tests of the canary machine: random steps and random histories of ticks, pods, analysis results,
// user actions and controller restarts; after every reconcile the machine and the weight it leads to obey
// the rules a release relies on.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import type { CanaryStep, RunPhase } from "../../../../src/api/index.ts";
import { describeStep } from "../../../../src/strategy/canary/describe.ts";
import { drive, startCanary } from "../../../../src/strategy/canary/drive.ts";
import type { CanaryEvent, Env, StepInfo } from "../../../../src/strategy/canary/machine.ts";
import { type CanarySnapshot, dehydrate, hydrate, stateOf } from "../../../../src/strategy/canary/persist.ts";
import { pauseMs, stepKind } from "../../../../src/strategy/canary/steps.ts";
import { gateWeight, inactiveTarget, targetAt } from "../../../../src/traffic/target.ts";
import { runs } from "../../../support/property.ts";

const T0 = Date.parse("2026-01-01T00:00:00Z");
const PHASES: RunPhase[] = ["Pending", "Running", "Successful", "Failed", "Error", "Inconclusive"];

const stepArb: fc.Arbitrary<CanaryStep> = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 100 }).map((w) => ({ setWeight: w })) },
  { weight: 1, arbitrary: fc.constant<CanaryStep>({ pause: {} }) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 300 }).map((s) => ({ pause: { duration: `${s}s` } })) },
  { weight: 2, arbitrary: fc.constant<CanaryStep>({ analysis: { templates: [{ templateName: "t" }] } }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 100 }).map((w) => ({ setCanaryScale: { weight: w } })) },
);

/** What the cluster shows at one reconcile. */
type World = {
  dtMs: number;
  satisfied: number[];
  analysis: [number, RunPhase][];
  background: RunPhase | undefined;
  specPaused: boolean;
  canaryAvailable: number;
  canaryReady: boolean;
  stableReady: boolean;
};
const rare = <T>(arb: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });
const worldArb: fc.Arbitrary<World> = fc.record({
  dtMs: fc.oneof(fc.integer({ min: 0, max: 2_000 }), fc.integer({ min: 0, max: 400_000 })),
  satisfied: fc.uniqueArray(fc.nat(8), { maxLength: 4 }),
  analysis: fc.array(fc.tuple(fc.nat(8), fc.constantFrom(...PHASES)), { maxLength: 3 }),
  background: rare(fc.constantFrom(...PHASES)),
  specPaused: fc.nat(9).map((n) => n === 0),
  canaryAvailable: fc.nat(5),
  canaryReady: fc.boolean(),
  stableReady: fc.nat(3).map((n) => n > 0),
});

type Action =
  | { kind: "TICK" | "PROMOTE_FULL" | "ABORT" | "RETRY" | "PAUSE" | "RESUME"; world: World }
  | { kind: "PROMOTE"; world: World; at: "current" | "stale" | "any" }
  | { kind: "RESTART" };
const user = (kind: Exclude<Action["kind"], "PROMOTE" | "RESTART">) =>
  worldArb.map((world): Action => ({ kind, world }));
const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { weight: 12, arbitrary: user("TICK") },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        worldArb,
        fc.constantFrom("current", "stale", "any") as fc.Arbitrary<"current" | "stale" | "any">,
      )
      .map(([world, at]): Action => ({ kind: "PROMOTE", world, at })),
  },
  { weight: 1, arbitrary: user("PROMOTE_FULL") },
  { weight: 1, arbitrary: user("ABORT") },
  { weight: 2, arbitrary: user("RETRY") },
  { weight: 1, arbitrary: user("PAUSE") },
  { weight: 1, arbitrary: user("RESUME") },
  { weight: 2, arbitrary: fc.constant<Action>({ kind: "RESTART" }) },
);

const infosOf = (steps: CanaryStep[]): StepInfo[] =>
  steps.map((s, i) => ({ kind: stepKind(s), pauseMs: pauseMs(s, i), describe: describeStep(s) }));

const envOf = (infos: StepInfo[], now: number, w: World): Env => {
  const analysis = new Map(w.analysis);
  return {
    now,
    steps: infos,
    progressDeadlineMs: 600_000,
    progressDeadlineAbort: false,
    specPaused: w.specPaused,
    canaryAvailable: w.canaryAvailable,
    stepSatisfied: (i) => w.satisfied.includes(i),
    // Runs exist only for analysis steps (their names carry the step index).
    stepAnalysis: (i) => (infos[i]?.kind === "analysis" ? analysis.get(i) : undefined),
    background: w.background,
  };
};

const eventOf = (a: Exclude<Action, { kind: "RESTART" }>, env: Env, s: CanarySnapshot): CanaryEvent[] => {
  switch (a.kind) {
    case "TICK":
      return [];
    case "PROMOTE": {
      const i = s.context.stepIndex;
      const stepIndex = a.at === "current" ? i : a.at === "stale" ? i - 1 : undefined;
      return [{ type: "PROMOTE", env, stepIndex, by: "alice" }];
    }
    case "ABORT":
      return [{ type: "ABORT", env, reason: "AbortedByUser", message: "stop", by: "bob" }];
    default:
      return [{ type: a.kind, env, by: "carol" }];
  }
};

/** A controller restart: status.machine written as JSON and read back. */
function restart(s: CanarySnapshot): CanarySnapshot {
  const back = hydrate(JSON.parse(JSON.stringify(dehydrate(s))));
  assert.ok(back, "a persisted snapshot hydrates");
  return back;
}
/** The persisted form with keys sorted: key order in status is not state. */
const fingerprint = (s: CanarySnapshot) =>
  JSON.stringify(dehydrate(s), (_, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort()) : v,
  );

/** Replays `actions`, checking every reconcile; returns nothing, throws on the first broken rule. */
function replay(steps: CanaryStep[], actions: Action[]): void {
  const infos = infosOf(steps);
  const target = { steps, managed: [], total: 100, stableHash: "s", canaryHash: "c" };
  let s = startCanary({ podHash: "abc", stepsHash: "h", now: T0 }).snapshot;
  let now = T0;
  let shown = 0;
  for (const a of actions) {
    if (a.kind === "RESTART") {
      s = restart(s);
      continue;
    }
    now += a.world.dtMs;
    const env = envOf(infos, now, a.world);
    const events = eventOf(a, env, s);
    const next = drive(s, events, env).snapshot;
    // Restarting right before this reconcile would have changed nothing, and persisting is lossless.
    assert.equal(fingerprint(drive(restart(s), events, env).snapshot), fingerprint(next), "restart-safe");
    assert.equal(fingerprint(restart(next)), fingerprint(next), "dehydrate → hydrate is lossless");
    checkSteps(infos, s, next, a.kind, env);

    // The weight the reconcile writes for this state (src/strategy/canary/traffic.ts: target, then gateWeight).
    const state = stateOf(next);
    const index = Math.min(next.context.stepIndex, steps.length);
    const wanted = state === "Aborted" ? inactiveTarget(100, "s", "c") : targetAt(target, index);
    const written = gateWeight({ target: wanted, shown, ...a.world }).weight;
    const where = `${state}@${index}, wanted ${wanted.weight}, shown ${shown}, world ${JSON.stringify(a.world)}`;
    assert.ok(written <= Math.max(wanted.weight, shown), `weight ${written} above step and shown: ${where}`);
    if (a.world.stableReady)
      assert.ok(written <= wanted.weight, `weight ${written} above the step: ${where}`);
    if (written > shown)
      assert.ok(a.world.canaryReady && a.world.canaryAvailable > 0, `weight rose without pods: ${where}`);
    if (a.world.canaryAvailable === 0) assert.equal(written, 0, `weight on a canary with no pod: ${where}`);
    shown = written;
    s = next;
  }
}

function checkSteps(
  infos: StepInfo[],
  before: CanarySnapshot,
  after: CanarySnapshot,
  kind: Action["kind"],
  env: Env,
) {
  // The step as the reconcile reads it: a promote once no step is left moves the raw index past the end.
  const from = Math.min(before.context.stepIndex, infos.length);
  const to = Math.min(after.context.stepIndex, infos.length);
  const was = stateOf(before);
  const is = stateOf(after);
  const why = `${kind}: ${was}@${from} → ${is}@${to}`;
  if (is === "Aborted") assert.ok(after.context.abort, `aborted without a reason: ${why}`);
  if (was === "Completed") assert.equal(is, "Completed", `left Completed: ${why}`);
  if (is === "Completed" && was !== "Completed") {
    const asked = after.context.stepIndex;
    assert.ok(to === infos.length && env.stepSatisfied(asked), `completed early: ${why}`);
  }
  if (kind === "RETRY" && was === "Aborted") {
    assert.equal(after.context.attempt, before.context.attempt + 1, `retry is a new attempt: ${why}`);
    return;
  }
  assert.ok(to >= from, `the step index went back: ${why}`);
  if (kind === "PROMOTE_FULL") return;
  const promotes = kind === "PROMOTE" ? 1 : 0;
  // A step completes on its own only when its world is in place: pods, analysis, or the pause's end.
  const earned = (i: number) => {
    const info = infos[i];
    if (info?.kind === "pause") {
      const started = i === from ? Date.parse(before.context.stepStartedAt) : env.now;
      return info.pauseMs !== undefined && env.now >= started + info.pauseMs;
    }
    if (info?.kind === "analysis") return env.stepAnalysis(i) === "Successful";
    return env.stepSatisfied(i);
  };
  let unearned = 0;
  for (let i = from; i < to; i++) if (!earned(i)) unearned++;
  assert.ok(unearned <= promotes, `skipped ${unearned} step(s) with ${promotes} promote(s): ${why}`);
  if (was === "Paused" && before.context.pauseReason === "step" && promotes === 0 && to > from) {
    const pause = infos[from]?.pauseMs;
    assert.ok(pause !== undefined, `an indefinite pause ended without promote: ${why}`);
    assert.ok(env.now >= Date.parse(before.context.stepStartedAt) + pause, `a pause ended early: ${why}`);
  }
  const held = env.specPaused || ((before.context.userPaused || kind === "PAUSE") && kind !== "RESUME");
  if (held && promotes === 0) assert.equal(to, from, `moved while paused: ${why}`);
}

describe("canary machine properties", () => {
  test("any history: steps in order, none skipped, pauses to their deadline, restarts harmless, weight within the step", () => {
    fc.assert(
      fc.property(
        fc.array(stepArb, { maxLength: 7 }),
        fc.array(actionArb, { minLength: 1, maxLength: 40 }),
        (steps, actions) => replay(steps, actions),
      ),
      runs(500),
    );
  });
});
