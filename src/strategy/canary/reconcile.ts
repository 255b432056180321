// The canary strategy, as a list of steps that each return early (after Argo's rolloutCanary).

import { isDone } from "../../analysis/assess.ts";
import type { CanaryStrategy } from "../../api/index.ts";
import type { RolloutContext } from "../../core/context.ts";
import { drive, onlyRecordedStep, startCanary } from "../../core/drive.ts";
import {
  ensureCurrentReplicaSet,
  newReplicaSet,
  pinService,
  pruneHistory,
  scaleTo,
} from "../../core/effects.ts";
import { consumed, intentEvent, pendingIntent } from "../../core/intent.ts";
import { abortStatus, asWritten, earliest, pausedHealth, type StrategyOutcome } from "../../core/outcome.ts";
import type { Deps } from "../../core/ports.ts";
import { atDesired, type Desired, desiredCounts, planScaling } from "../../core/replicas.ts";
import { observe, partition, revisionOf, specReplicas } from "../../core/replicasets.ts";
import { ensureRun, pruneRuns, runNameFor, terminateOthers, viewRuns } from "../shared/runs.ts";
import { steady } from "../shared/steady.ts";
import { describeStep } from "./describe.ts";
import type { CanaryContext, Env, StepInfo } from "./machine.ts";
import { type CanarySnapshot, dehydrate, hydrate, stateOf } from "./persist.ts";
import { canaryScaleAt, pauseMs, stepKind, stepsHash, weightAt } from "./steps.ts";
import { trafficFor } from "./traffic.ts";

const ABORT_DELAY_ROUTED_S = 30;

export async function reconcileCanary(ctx: RolloutContext, deps: Deps): Promise<StrategyOutcome> {
  const spec = ctx.rollout.spec.strategy.canary as CanaryStrategy;
  // 0. Traffic routers are verified up front: a missing route makes the Rollout Degraded, nothing moves.
  const traffic = trafficFor(ctx, deps);
  // 1. First deploy, or the spec asks for the stable version again (a rollback in Git): no steps.
  // Also where a promoted version goes at the end of step 9.
  const services = { stableService: spec.stableService, canaryService: spec.canaryService };
  if (!ctx.stableHash || ctx.currentHash === ctx.stableHash) return steady(ctx, deps, services, traffic);

  // 2. A new version: resume its machine from status, or start one (new version or changed steps).
  const steps = spec.steps ?? [];
  const infos: StepInfo[] = steps.map((s, i) => ({
    kind: stepKind(s),
    pauseMs: pauseMs(s, i),
    describe: describeStep(s),
  }));
  const hashOfSteps = stepsHash(steps);
  const records: StrategyOutcome["records"] = [];
  let snapshot: CanarySnapshot | undefined = hydrate(ctx.status.machine);
  // Only the step status holds can be completed by what the cluster shows (see onlyRecordedStep).
  let recordedStep = snapshot?.context.stepIndex;
  if (
    !snapshot ||
    snapshot.context.podHash !== ctx.currentHash ||
    snapshot.context.stepsHash !== hashOfSteps
  ) {
    recordedStep = undefined;
    const sameVersion = snapshot?.context.podHash === ctx.currentHash;
    snapshot = startCanary({
      podHash: ctx.currentHash,
      stepsHash: hashOfSteps,
      now: ctx.now,
      // Changed steps restart the steps, not the version's rollout (its duration counts from the first).
      startedAt: sameVersion ? snapshot?.context.startedAt : undefined,
    }).snapshot;
    records.push({
      type: "Normal",
      reason: sameVersion ? "StepsChanged" : "RolloutStarted",
      message: sameVersion
        ? "the steps changed: starting them again"
        : `shipping version ${ctx.currentHash} in ${steps.length} steps`,
    });
  }

  // 3. The new version's ReplicaSet. A version's first reconcile measures against it as created (no pods)
  // and creates it in step 7 with the replicas the plan gives it: one write, not a create at 0 and a scale.
  const unborn = ctx.versions.current === undefined;
  const current = unborn ? newReplicaSet(ctx, 0) : await ensureCurrentReplicaSet(ctx, deps, 0);
  const { stable, others } = ctx.versions;
  const seen = {
    canary: observe(current),
    stable: observe(stable),
    others: others.map((rs) => observe(rs) ?? { spec: 0, available: 0 }),
  };
  const routed = traffic.routed;
  const desiredFor = (percent: number, index: number): Desired =>
    desiredCounts({
      replicas: ctx.replicas,
      weight: percent,
      scale: canaryScaleAt(steps, index),
      trafficRouted: routed,
      dynamicStableScale: spec.dynamicStableScale,
      surge: ctx.surge,
    });
  const desiredAt = (index: number): Desired => desiredFor(traffic.percentAt(index), index);

  // 4. Analysis runs read back as phases; their names are fixed by version, steps and attempt.
  const runs = viewRuns(ctx, deps);
  const bgName = (m: CanaryContext) => runNameFor(ctx, m, "bg");
  const wantsBackground = (i: number) =>
    spec.analysis !== undefined && i >= (spec.analysis.startingStep ?? 0);
  const failedRunMessage = () => {
    const names = [
      runNameFor(ctx, snapshot.context, `s${snapshot.context.stepIndex}`),
      bgName(snapshot.context),
    ];
    return names
      .map((n) => (isDone(runs.phase(n)) && runs.phase(n) !== "Successful" ? runs.message(n) : undefined))
      .find(Boolean);
  };

  // 5. Advance the machine with what the cluster shows and what a person asked for.
  const env: Env = {
    now: ctx.now,
    steps: infos,
    progressDeadlineMs: ctx.rollout.spec.progressDeadlineSeconds * 1000,
    progressDeadlineAbort: ctx.rollout.spec.progressDeadlineAbort ?? false,
    specPaused: ctx.rollout.spec.paused ?? false,
    canaryAvailable: seen.canary?.available ?? 0,
    // A step is done when its pods are in place and every router shows its weight and routes.
    stepSatisfied: (i) => atDesired(desiredAt(i), seen.canary, seen.stable, seen.others) && traffic.shows(i),
    stepAnalysis: (i) => runs.phase(runNameFor(ctx, snapshot.context, `s${i}`)),
    background: wantsBackground(snapshot.context.stepIndex)
      ? runs.phase(bgName(snapshot.context))
      : undefined,
    analysisMessage: failedRunMessage(),
  };
  const intent = pendingIntent(ctx.status);
  const observed = onlyRecordedStep(env, recordedStep);
  const result = drive(snapshot, intent ? [intentEvent(intent, observed)] : [], observed);
  records.push(...result.records);
  const state = stateOf(result.snapshot);
  const c = result.snapshot.context;

  // 6. The world that state asks for: an aborted canary holds its pods for the delay, then leaves.
  const abortDelayMs = (spec.abortScaleDownDelaySeconds ?? (routed ? ABORT_DELAY_ROUTED_S : 0)) * 1000;
  const abortEnds = c.abort ? Date.parse(c.abort.at) + abortDelayMs : undefined;
  const index = Math.min(c.stepIndex, steps.length);
  // With routers, the canary leaves only once they show it no traffic (the 0% write went through).
  const canaryHeld =
    (abortEnds !== undefined && ctx.now < abortEnds) ||
    !traffic.showsInactive(ctx.stableHash, ctx.currentHash);
  const desired: Desired =
    state === "Aborted"
      ? {
          canary: canaryHeld ? Math.min(specReplicas(current), desiredAt(index).canary) : 0,
          stable: ctx.replicas,
        }
      : desiredAt(index);
  const target = traffic.target({
    state,
    index,
    canaryAvailable: seen.canary?.available ?? 0,
    canaryReady: (seen.canary?.available ?? 0) >= desiredAt(index).canary,
    stableReady: (seen.stable?.available ?? 0) >= desired.stable,
  });
  // Stable keeps the pods for the weight the routes still give it (dynamicStableScale).
  if (routed)
    desired.stable = Math.max(desired.stable, desiredFor(traffic.percentOf(target.weight), index).stable);

  // 7. Routes, then Services, then scale within surge limits: no pod goes before traffic has left it, a
  // canary Service re-pinned to a version without pods has no weight, and stable is back up before the
  // canary goes, never the reverse.
  await traffic.write(target);
  await pinService(ctx, deps, spec.stableService, ctx.stableHash);
  await pinService(ctx, deps, spec.canaryService, ctx.currentHash);
  const plan = planScaling({
    replicas: ctx.replicas,
    // Routed, the canary's pods come on top of a full stable (as Argo does): maxSurge cannot bound them.
    surge: routed ? Math.max(ctx.surge, ctx.replicas) : ctx.surge,
    unavailable: ctx.unavailable,
    desired,
    ...seen,
  });
  if (unborn) await ensureCurrentReplicaSet(ctx, deps, plan.canary);
  await scaleTo(ctx, deps, [
    [unborn ? undefined : current, plan.canary],
    [stable, plan.stable],
    ...others.map((rs, i) => [rs, plan.others[i] ?? 0] as const),
  ]);
  await pruneHistory(ctx, deps);

  // 8. Analysis: the current step's run and the background run exist while wanted; every other run ends.
  const keep = new Set<string>();
  const analysisStep = steps[c.stepIndex]?.analysis;
  if (state === "Stepping" && analysisStep) {
    keep.add(runNameFor(ctx, c, `s${c.stepIndex}`));
    await ensureRun(ctx, deps, runs, runNameFor(ctx, c, `s${c.stepIndex}`), analysisStep, {
      kind: "step",
      stepIndex: c.stepIndex,
    });
  }
  if (
    spec.analysis &&
    (state === "Stepping" || state === "Paused" || state === "Promoting") &&
    wantsBackground(c.stepIndex)
  ) {
    keep.add(bgName(c));
    await ensureRun(ctx, deps, runs, bgName(c), spec.analysis, { kind: "background" });
  }
  await terminateOthers(ctx, deps, runs, keep);
  await pruneRuns(ctx, deps, runs);

  // 9. Report.
  const completed = state === "Completed";
  const weight = routed ? target.weight : state === "Aborted" ? 0 : weightAt(steps, index);
  const pauseMsNow = state === "Paused" && c.pauseReason === "step" ? infos[c.stepIndex]?.pauseMs : undefined;
  const position = `step ${Math.min(c.stepIndex + 1, steps.length)}/${steps.length}`;
  const message =
    state === "Aborted"
      ? `aborted (${c.abort?.reason}): ${c.abort?.message}`
      : state === "Paused"
        ? c.pauseReason === "inconclusive"
          ? `${position}: analysis inconclusive, waiting for promote or abort`
          : pauseMsNow === undefined
            ? `${position}: paused until promoted`
            : `${position}: paused, resumes at ${new Date(Date.parse(c.stepStartedAt) + pauseMsNow).toISOString()}`
        : c.userPaused || env.specPaused
          ? `${position}: paused by ${c.userPaused ? "a user" : "spec.paused"}`
          : state === "Completed"
            ? `version ${ctx.currentHash} promoted to stable`
            : state === "Promoting"
              ? `all steps done: scaling version ${ctx.currentHash} to 100%`
              : `${position}: ${infos[c.stepIndex]?.describe ?? ""} (waiting for ${desiredAt(index).canary} canary pods to be available)`;
  const available =
    (seen.canary?.available ?? 0) +
    (seen.stable?.available ?? 0) +
    seen.others.reduce((a, o) => a + o.available, 0);
  const outcome: StrategyOutcome = {
    records,
    status: {
      stableRS: completed ? ctx.currentHash : (ctx.stableHash ?? null),
      stableRevision: completed ? revisionOf(current) : stable ? revisionOf(stable) : null,
      canaryRevision: revisionOf(current) || null,
      currentStepIndex: index,
      stepCount: steps.length,
      canary: {
        weight,
        stableWeight: traffic.total - weight,
        ...(analysisStep ? { currentStepAnalysisRun: runNameFor(ctx, c, `s${c.stepIndex}`) } : {}),
        ...(keep.has(bgName(c)) ? { currentBackgroundAnalysisRun: bgName(c) } : {}),
      },
      pauseStartTime: state === "Paused" ? c.stepStartedAt : null,
      abort: abortStatus(c.abort),
      machine: dehydrate(result.snapshot),
      ...consumed(intent),
    },
    health: {
      aborted: c.abort ? { reason: c.abort.reason, message: c.abort.message } : undefined,
      paused: pausedHealth(
        state === "Paused",
        c.pauseReason === "inconclusive",
        c.userPaused,
        env.specPaused,
        message,
      ),
      deadlineExceeded: c.deadlineExceeded && state !== "Aborted",
      rollingOut: !completed,
      settled: false,
      available: available >= ctx.replicas - ctx.unavailable,
      message,
    },
    requeueAfterMs: earliest(
      ctx.now,
      pauseMsNow === undefined ? undefined : Date.parse(c.stepStartedAt) + pauseMsNow,
      state === "Aborted" ? abortEnds : undefined,
      state === "Stepping" || state === "Promoting"
        ? Date.parse(c.progressAt) + env.progressDeadlineMs + 1
        : undefined,
    ),
  };
  if (!completed) return outcome;
  // The promoted version is stable now: its steady state follows in this reconcile, from the status this
  // one would have written, so one status write says Healthy instead of Completed and then Healthy.
  const promoted = {
    ...ctx,
    status: asWritten(ctx.status, outcome.status),
    stableHash: ctx.currentHash,
    versions: partition(ctx.all, ctx.currentHash, ctx.currentHash),
  };
  const settled = await steady(promoted, deps, services, traffic);
  return { ...settled, records: [...records, ...settled.records] };
}
