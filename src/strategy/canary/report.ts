// What a canary plan reports: the status fields, the health behind the conditions, and when to look again.
import type { CanaryStrategy } from "../../api/index.ts";
import type { RolloutContext } from "../../core/context.ts";
import { consumed } from "../../core/intent.ts";
import { abortStatus, earliest, pausedHealth, type StrategyOutcome } from "../../core/outcome.ts";
import { revisionOf } from "../../core/replicasets.ts";
import { weightAt } from "../../traffic/target.ts";
import type { Advanced } from "./advance.ts";
import { dehydrate } from "./persist.ts";
import type { World } from "./plan.ts";
import type { Traffic } from "./traffic.ts";

export function report(
  ctx: RolloutContext,
  spec: CanaryStrategy,
  traffic: Traffic,
  a: Advanced,
  world: World,
  runs: { step: string | undefined; background: string | undefined; pingPong?: "ping" | "pong" | undefined },
): StrategyOutcome {
  const steps = spec.steps ?? [];
  const { state, snapshot } = a;
  const c = snapshot.context;
  const { index } = world;
  const completed = state === "Completed";
  const weight = traffic.routed ? world.target.weight : state === "Aborted" ? 0 : weightAt(steps, index);
  const pauseMsNow =
    state === "Paused" && c.pauseReason === "step" ? a.infos[c.stepIndex]?.pauseMs : undefined;
  const message = messageOf(ctx, a, pauseMsNow, steps.length, world.canaryWanted);
  const { canary, stable, others } = a.seen;
  const available =
    (canary?.available ?? 0) +
    (stable?.available ?? 0) +
    others.reduce((n, o) => n + o.available, 0) +
    a.drainingAvailable;
  const stableRS = ctx.versions.stable;
  return {
    records: a.records,
    status: {
      stableRS: completed ? ctx.currentHash : (ctx.stableHash ?? null),
      stableRevision: completed ? revisionOf(a.current) : stableRS ? revisionOf(stableRS) : null,
      canaryRevision: revisionOf(a.current) || null,
      currentStepIndex: index,
      stepCount: steps.length,
      canary: {
        weight,
        stableWeight: traffic.total - weight,
        ...(runs.step ? { currentStepAnalysisRun: runs.step } : {}),
        ...(runs.background ? { currentBackgroundAnalysisRun: runs.background } : {}),
        ...(runs.pingPong ? { stablePingPong: runs.pingPong } : {}),
      },
      pauseStartTime: state === "Paused" ? c.stepStartedAt : null,
      abort: abortStatus(c.abort),
      machine: dehydrate(snapshot),
      ...consumed(a.intent),
    },
    health: {
      aborted: c.abort ? { reason: c.abort.reason, message: c.abort.message } : undefined,
      paused: pausedHealth(
        state === "Paused",
        c.pauseReason === "inconclusive" || c.pauseReason === "backgroundInconclusive",
        c.userPaused,
        a.env.specPaused,
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
      state === "Aborted" ? world.abortEnds : undefined,
      ...world.drainingUntil,
      state === "Stepping" || state === "Promoting"
        ? Date.parse(c.progressAt) + a.env.progressDeadlineMs + 1
        : undefined,
    ),
  };
}

/** One line that says where the rollout is and what it waits for. */
function messageOf(
  ctx: RolloutContext,
  a: Advanced,
  pauseMsNow: number | undefined,
  stepCount: number,
  canaryWanted: number,
): string {
  const c = a.snapshot.context;
  const position = `step ${Math.min(c.stepIndex + 1, stepCount)}/${stepCount}`;
  switch (a.state) {
    case "Aborted":
      return `aborted (${c.abort?.reason}): ${c.abort?.message}`;
    case "Paused":
      if (c.pauseReason === "inconclusive")
        return `${position}: analysis inconclusive, waiting for promote or abort`;
      if (c.pauseReason === "backgroundInconclusive")
        return `${position}: the background analysis was inconclusive, waiting for promote (a new run starts) or abort`;
      return pauseMsNow === undefined
        ? `${position}: paused until promoted`
        : `${position}: paused, resumes at ${new Date(Date.parse(c.stepStartedAt) + pauseMsNow).toISOString()}`;
  }
  if (c.userPaused || a.env.specPaused)
    return `${position}: paused by ${c.userPaused ? "a user" : "spec.paused"}`;
  if (a.state === "Completed") return `version ${ctx.currentHash} promoted to stable`;
  if (a.state === "Promoting") return `all steps done: scaling version ${ctx.currentHash} to 100%`;
  return `${position}: ${a.infos[c.stepIndex]?.describe ?? ""} (waiting for ${canaryWanted} canary pods to be available)`;
}
