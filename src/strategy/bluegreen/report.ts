// What a blue-green plan reports: the status fields, the health behind the conditions, and when to look again.
import type { BlueGreenStrategy } from "../../api/index.ts";
import type { RolloutContext } from "../../core/context.ts";
import { consumed } from "../../core/intent.ts";
import { abortStatus, earliest, pausedHealth, type StrategyOutcome } from "../../core/outcome.ts";
import { observe, revisionOf } from "../../core/replicasets.ts";
import type { BlueGreenAdvanced } from "./advance.ts";
import { dehydrateBlueGreen } from "./persist.ts";
import { SWITCHED } from "./plan.ts";

export function reportBlueGreen(
  ctx: RolloutContext,
  spec: BlueGreenStrategy,
  a: BlueGreenAdvanced,
  extra: {
    abortEnds: number | undefined;
    /** When old versions inside their scale-down delay may go. */
    drainingUntil: number[];
    pre: string | undefined;
    post: string | undefined;
  },
): StrategyOutcome {
  const { state } = a;
  const c = a.snapshot.context;
  const completed = state === "Completed";
  const paused = state === "Paused" || state === "PostPaused";
  const autoAt =
    c.availableAt && spec.autoPromotionEnabled
      ? Date.parse(c.availableAt) + (spec.autoPromotionSeconds ?? 0) * 1000
      : undefined;
  const message = messageOf(ctx, a, autoAt);
  const stable = ctx.versions.stable;
  return {
    records: a.records,
    status: {
      stableRS: completed ? ctx.currentHash : (ctx.stableHash ?? null),
      stableRevision: completed ? revisionOf(a.current) : stable ? revisionOf(stable) : null,
      canaryRevision: revisionOf(a.current) || null,
      blueGreen: {
        activeSelector: SWITCHED.has(state) ? ctx.currentHash : ctx.stableHash,
        previewSelector: ctx.currentHash,
        ...(extra.pre ? { prePromotionAnalysisRun: extra.pre } : {}),
        ...(extra.post ? { postPromotionAnalysisRun: extra.post } : {}),
      },
      pauseStartTime: paused ? (c.availableAt ?? new Date(ctx.now).toISOString()) : null,
      abort: abortStatus(c.abort),
      machine: dehydrateBlueGreen(a.snapshot),
      ...consumed(a.intent),
    },
    health: {
      aborted: c.abort ? { reason: c.abort.reason, message: c.abort.message } : undefined,
      paused: pausedHealth(paused, c.pauseReason === "inconclusive", c.userPaused, a.env.specPaused, message),
      deadlineExceeded: false,
      rollingOut: !completed,
      settled: false,
      available: (observe(stable)?.available ?? 0) >= ctx.replicas - ctx.unavailable,
      message,
    },
    requeueAfterMs: earliest(
      ctx.now,
      state === "Gate" || state === "Promotable" ? autoAt : undefined,
      state === "Aborted" ? extra.abortEnds : undefined,
      ...extra.drainingUntil,
    ),
  };
}

/** One line that says where the rollout is and what it waits for. */
function messageOf(ctx: RolloutContext, a: BlueGreenAdvanced, autoAt: number | undefined): string {
  const { state } = a;
  const c = a.snapshot.context;
  const v = ctx.currentHash;
  if (state === "Aborted") return `aborted (${c.abort?.reason}): ${c.abort?.message}`;
  if (state === "Paused" || state === "PostPaused")
    return c.pauseReason === "inconclusive"
      ? `${state === "PostPaused" ? "post" : "pre"}-promotion analysis inconclusive: waiting for promote or abort`
      : `version ${v} is ready in preview: waiting for promote`;
  if (c.userPaused || a.env.specPaused) return `paused by ${c.userPaused ? "a user" : "spec.paused"}`;
  switch (state) {
    case "Completed":
      return `version ${v} promoted to active`;
    case "Preview":
      return `previewing version ${v}: ${a.seen.available}/${a.previewCount} available`;
    case "ScalingUp":
      return `scaling version ${v} to ${ctx.replicas} before the switch (${a.seen.available} available)`;
    case "PrePromotion":
    case "PostPromotion":
      return `${state === "PrePromotion" ? "pre" : "post"}-promotion analysis running`;
  }
  return autoAt !== undefined
    ? `version ${v} switches at ${new Date(autoAt).toISOString()}`
    : `version ${v} is being promoted`;
}
