// The canary machine for one reconcile: resumed from status (or started for a new version or changed
// steps), then advanced with what the cluster shows and what a person asked for.
import type { V1ReplicaSet } from "@kubernetes/client-node";
import { isDone } from "../../analysis/assess.ts";
import type { CanaryStrategy, UserIntent } from "../../api/index.ts";
import type { RolloutContext } from "../../core/context.ts";
import { intentEvent, pendingIntent } from "../../core/intent.ts";
import { currentReplicaSet } from "../../core/plan.ts";
import type { RecordParams } from "../../core/records.ts";
import { atDesired, type Observed } from "../../core/replicas.ts";
import { observe } from "../../core/replicasets.ts";
import { withinRollbackWindow } from "../shared/rollback-window.ts";
import { type RunView, runNameFor } from "../shared/runs.ts";
import { stillDraining } from "../shared/scale-down.ts";
import { describeStep } from "./describe.ts";
import { drive, onlyRecordedStep, startCanary } from "./drive.ts";
import type { CanaryContext, Env, StepInfo } from "./machine.ts";
import { type CanarySnapshot, type CanaryState, hydrate, stateOf } from "./persist.ts";
import type { Counts } from "./plan.ts";
import { pauseMs, stepKind, stepsHash } from "./steps.ts";
import type { Traffic } from "./traffic.ts";

/** The background run of this attempt and round: a new round (promoted past an inconclusive one) is a new run. */
export const backgroundRunName = (ctx: RolloutContext, m: CanaryContext): string =>
  runNameFor(ctx, m, m.backgroundRound ? `bg${m.backgroundRound}` : "bg");

/** `others`: the old versions the plan moves (those waiting out their scale-down delay are left out). */
export type Seen = { canary: Observed | undefined; stable: Observed | undefined; others: Observed[] };

export type Advanced = {
  snapshot: CanarySnapshot;
  state: CanaryState;
  records: RecordParams[];
  /** The current version's ReplicaSet, or as it will be created (no pods yet). */
  current: V1ReplicaSet;
  /** The old versions the plan moves, in `seen.others` order; the draining ones keep their pods. */
  moving: V1ReplicaSet[];
  /** Available pods of the old versions waiting out their scale-down delay. */
  drainingAvailable: number;
  seen: Seen;
  env: Env;
  infos: StepInfo[];
  intent: UserIntent | undefined;
  /** The background analysis runs from spec.strategy.canary.analysis.startingStep on. */
  wantsBackground: (index: number) => boolean;
};

export function advance(
  ctx: RolloutContext,
  spec: CanaryStrategy,
  traffic: Traffic,
  runs: RunView,
  counts: Counts,
): Advanced {
  const steps = spec.steps ?? [];
  const infos: StepInfo[] = steps.map((s, i) => ({
    kind: stepKind(s),
    pauseMs: pauseMs(s, i),
    describe: describeStep(s),
  }));
  const { snapshot, records, recordedStep } = resume(ctx, steps.length, stepsHash(steps));
  // A version's first reconcile measures against its ReplicaSet as it will be created (no pods).
  const current = currentReplicaSet(ctx, 0).rs;
  // An old version waiting out its scale-down delay neither holds a step back nor takes the canary's room.
  const draining = stillDraining(ctx, ctx.versions.others, spec.scaleDownDelayRevisionLimit).held;
  const moving = ctx.versions.others.filter((rs) => !draining.has(rs));
  const drainingAvailable = [...draining].reduce((n, rs) => n + (observe(rs)?.available ?? 0), 0);
  const seen: Seen = {
    canary: observe(current),
    stable: observe(ctx.versions.stable),
    others: moving.map((rs) => observe(rs) ?? { spec: 0, available: 0 }),
  };
  const wantsBackground = (i: number) =>
    spec.analysis !== undefined && i >= (spec.analysis.startingStep ?? 0);
  const m = snapshot.context;
  const failedMessage = [runNameFor(ctx, m, `s${m.stepIndex}`), backgroundRunName(ctx, m)]
    .map((n) => (isDone(runs.phase(n)) && runs.phase(n) !== "Successful" ? runs.message(n) : undefined))
    .find(Boolean);
  const env: Env = {
    now: ctx.now,
    steps: infos,
    progressDeadlineMs: ctx.rollout.spec.progressDeadlineSeconds * 1000,
    progressDeadlineAbort: ctx.rollout.spec.progressDeadlineAbort ?? false,
    specPaused: ctx.rollout.spec.paused ?? false,
    canaryAvailable: seen.canary?.available ?? 0,
    // A step is done when its pods are in place and every router shows its weight and routes.
    stepSatisfied: (i) => atDesired(counts.at(i), seen.canary, seen.stable, seen.others) && traffic.shows(i),
    stepAnalysis: (i) => runs.phase(runNameFor(ctx, m, `s${i}`)),
    background: wantsBackground(m.stepIndex) ? runs.phase(backgroundRunName(ctx, m)) : undefined,
    backgroundRound: m.backgroundRound ?? 0,
    analysisMessage: failedMessage,
  };
  const intent = pendingIntent(ctx.status);
  const observed = onlyRecordedStep(env, recordedStep);
  // A version just started that ran within spec.rollbackWindow skips its steps, as a full promotion.
  const fastTrack =
    recordedStep === undefined &&
    records.some((r) => r.reason === "RolloutStarted") &&
    withinRollbackWindow(ctx)
      ? [{ type: "PROMOTE_FULL" as const, env: observed, by: "rollbackWindow" }]
      : [];
  const result = drive(
    snapshot,
    [...fastTrack, ...(intent ? [intentEvent(intent, observed)] : [])],
    observed,
  );
  return {
    snapshot: result.snapshot,
    state: stateOf(result.snapshot),
    records: [...records, ...result.records],
    current,
    moving,
    drainingAvailable,
    seen,
    env,
    infos,
    intent,
    wantsBackground,
  };
}

/** The machine from status, or a fresh one for a new version or changed steps (with its Event). */
function resume(
  ctx: RolloutContext,
  stepCount: number,
  hashOfSteps: string,
): { snapshot: CanarySnapshot; records: RecordParams[]; recordedStep: number | undefined } {
  const persisted = hydrate(ctx.status.machine);
  if (
    persisted &&
    persisted.context.podHash === ctx.currentHash &&
    persisted.context.stepsHash === hashOfSteps
  )
    // Only the step status holds can be completed by what the cluster shows (see onlyRecordedStep).
    return { snapshot: persisted, records: [], recordedStep: persisted.context.stepIndex };
  const sameVersion = persisted?.context.podHash === ctx.currentHash;
  const snapshot = startCanary({
    podHash: ctx.currentHash,
    stepsHash: hashOfSteps,
    now: ctx.now,
    // Changed steps restart the steps, not the version's rollout (its duration counts from the first).
    startedAt: sameVersion ? persisted?.context.startedAt : undefined,
  }).snapshot;
  const record: RecordParams = {
    type: "Normal",
    reason: sameVersion ? "StepsChanged" : "RolloutStarted",
    message: sameVersion
      ? "the steps changed: starting them again"
      : `shipping version ${ctx.currentHash} in ${stepCount} steps`,
  };
  return { snapshot, records: [record], recordedStep: undefined };
}
