// The blue-green strategy, as a list of steps that each return early: preview, check, switch, check, keep.

import { isDone } from "../../analysis/assess.ts";
import type { BlueGreenStrategy } from "../../api/index.ts";
import { SCALE_DOWN_AT_ANNOTATION } from "../../api/labels.ts";
import type { RolloutContext } from "../../core/context.ts";
import { ensureCurrentReplicaSet, pinService, pruneHistory, scaleTo } from "../../core/effects.ts";
import { consumed, intentEvent, pendingIntent } from "../../core/intent.ts";
import { abortStatus, earliest, pausedHealth, type StrategyOutcome } from "../../core/outcome.ts";
import type { Deps } from "../../core/ports.ts";
import { observe, revisionOf, specReplicas } from "../../core/replicasets.ts";
import { ensureRun, pruneRuns, runNameFor, terminateOthers, viewRuns } from "../shared/runs.ts";
import { steady } from "../shared/steady.ts";
import type { BlueGreenEnv } from "./machine.ts";
import {
  type BlueGreenSnapshot,
  blueGreenState,
  dehydrateBlueGreen,
  driveBlueGreen,
  hydrateBlueGreen,
  startBlueGreen,
} from "./persist.ts";

const DEFAULT_DELAY_S = 30;
const SWITCHED = new Set(["Switched", "PostPromotion", "PostPaused", "Completed"]);

export async function reconcileBlueGreen(ctx: RolloutContext, deps: Deps): Promise<StrategyOutcome> {
  const spec = ctx.rollout.spec.strategy.blueGreen as BlueGreenStrategy;
  // 1. First deploy, steady state, or back to the stable version: active and preview select it.
  if (!ctx.stableHash || ctx.currentHash === ctx.stableHash) {
    const out = await steady(ctx, deps, {
      stableService: spec.activeService,
      canaryService: spec.previewService,
      scaleDownDelaySeconds: spec.scaleDownDelaySeconds ?? DEFAULT_DELAY_S,
    });
    const selectors = { activeSelector: ctx.currentHash, previewSelector: ctx.currentHash };
    return {
      ...out,
      status: { ...out.status, canary: null, currentStepIndex: null, stepCount: null, blueGreen: selectors },
    };
  }

  // 2. A new version: resume its machine from status, or start one.
  const records: StrategyOutcome["records"] = [];
  let snapshot: BlueGreenSnapshot | undefined = hydrateBlueGreen(ctx.status.machine);
  if (!snapshot || snapshot.context.podHash !== ctx.currentHash) {
    snapshot = startBlueGreen(ctx.currentHash, ctx.now);
    records.push({
      type: "Normal",
      reason: "RolloutStarted",
      message: `previewing version ${ctx.currentHash}`,
    });
  }
  const current = await ensureCurrentReplicaSet(ctx, deps, 0);
  const { stable, others } = ctx.versions;
  const previewCount = Math.min(spec.previewReplicaCount ?? ctx.replicas, ctx.replicas);
  const seen = observe(current) ?? { spec: 0, available: 0 };

  // 3. Analysis runs are named per version and attempt; their phases feed the machine.
  const runs = viewRuns(ctx, deps);
  const names = (attempt: number) => ({
    pre: runNameFor(ctx, { stepsHash: "bgpr", attempt }, "pre"),
    post: runNameFor(ctx, { stepsHash: "bgpo", attempt }, "post"),
  });
  const before = names(snapshot.context.attempt);
  const failedMessage = [before.pre, before.post]
    .map((n) => (isDone(runs.phase(n)) && runs.phase(n) !== "Successful" ? runs.message(n) : undefined))
    .find(Boolean);
  const env: BlueGreenEnv = {
    now: ctx.now,
    specPaused: ctx.rollout.spec.paused ?? false,
    autoPromotionEnabled: spec.autoPromotionEnabled,
    autoPromotionSeconds: spec.autoPromotionSeconds ?? 0,
    hasPrePromotion: spec.prePromotionAnalysis !== undefined,
    hasPostPromotion: spec.postPromotionAnalysis !== undefined,
    previewReady: seen.available >= previewCount,
    // The switch needs every pod of the new version available: spec at full scale and available.
    fullyReady: seen.spec === ctx.replicas && seen.available >= ctx.replicas,
    pre: runs.phase(before.pre),
    post: runs.phase(before.post),
    analysisMessage: failedMessage,
  };
  const intent = pendingIntent(ctx.status);
  const result = driveBlueGreen(snapshot, intent ? [intentEvent(intent, env)] : [], env);
  records.push(...result.records);
  const state = blueGreenState(result.snapshot);
  const c = result.snapshot.context;
  const after = names(c.attempt);

  // 4. The world that state asks for. The old version stays at full scale until the rollout is complete.
  const abortDelayMs = (spec.abortScaleDownDelaySeconds ?? DEFAULT_DELAY_S) * 1000;
  const abortEnds = c.abort ? Date.parse(c.abort.at) + abortDelayMs : undefined;
  const newCount =
    state === "Aborted"
      ? abortEnds !== undefined && ctx.now < abortEnds
        ? specReplicas(current)
        : 0
      : state === "ScalingUp" || SWITCHED.has(state)
        ? ctx.replicas
        : previewCount;
  const switched = SWITCHED.has(state);
  // The old version's scale-down deadline counts from the switch, written as data the moment it happens,
  // so a controller that dies right after the switch cannot push it back.
  const stableName = stable?.metadata?.name;
  if (switched && stableName && c.switchedAt) {
    const at = new Date(
      Date.parse(c.switchedAt) + (spec.scaleDownDelaySeconds ?? DEFAULT_DELAY_S) * 1000,
    ).toISOString();
    if (stable?.metadata?.annotations?.[SCALE_DOWN_AT_ANNOTATION] !== at) {
      await deps.writer.patchReplicaSet(ctx.namespace, stableName, {
        metadata: { annotations: { [SCALE_DOWN_AT_ANNOTATION]: at } },
      });
    }
  }
  await scaleTo(ctx, deps, [
    [current, newCount],
    [stable, ctx.replicas],
    ...others.map((o) => [o, 0] as const),
  ]);
  await pinService(ctx, deps, spec.previewService, ctx.currentHash);
  // The active Service moves only in a switched state, which the machine enters only once fully ready.
  await pinService(ctx, deps, spec.activeService, switched ? ctx.currentHash : ctx.stableHash);
  await pruneHistory(ctx, deps);

  // 5. Pre- and post-promotion analysis while their states last; every other run ends.
  const keep = new Set<string>();
  if (state === "PrePromotion" && spec.prePromotionAnalysis) {
    keep.add(after.pre);
    await ensureRun(ctx, deps, runs, after.pre, spec.prePromotionAnalysis, { kind: "prePromotion" });
  }
  if (state === "PostPromotion" && spec.postPromotionAnalysis) {
    keep.add(after.post);
    await ensureRun(ctx, deps, runs, after.post, spec.postPromotionAnalysis, { kind: "postPromotion" });
  }
  await terminateOthers(ctx, deps, runs, keep);
  await pruneRuns(ctx, deps, runs);

  // 6. Report.
  const completed = state === "Completed";
  const paused = state === "Paused" || state === "PostPaused";
  const autoAt =
    c.availableAt && spec.autoPromotionEnabled
      ? Date.parse(c.availableAt) + (spec.autoPromotionSeconds ?? 0) * 1000
      : undefined;
  const message =
    state === "Aborted"
      ? `aborted (${c.abort?.reason}): ${c.abort?.message}`
      : paused
        ? c.pauseReason === "inconclusive"
          ? `${state === "PostPaused" ? "post" : "pre"}-promotion analysis inconclusive: waiting for promote or abort`
          : `version ${ctx.currentHash} is ready in preview: waiting for promote`
        : c.userPaused || env.specPaused
          ? `paused by ${c.userPaused ? "a user" : "spec.paused"}`
          : completed
            ? `version ${ctx.currentHash} promoted to active`
            : state === "Preview"
              ? `previewing version ${ctx.currentHash}: ${seen.available}/${previewCount} available`
              : state === "ScalingUp"
                ? `scaling version ${ctx.currentHash} to ${ctx.replicas} before the switch (${seen.available} available)`
                : state === "PrePromotion" || state === "PostPromotion"
                  ? `${state === "PrePromotion" ? "pre" : "post"}-promotion analysis running`
                  : autoAt !== undefined
                    ? `version ${ctx.currentHash} switches at ${new Date(autoAt).toISOString()}`
                    : `version ${ctx.currentHash} is being promoted`;
  return {
    records,
    status: {
      stableRS: completed ? ctx.currentHash : (ctx.stableHash ?? null),
      stableRevision: completed ? revisionOf(current) : stable ? revisionOf(stable) : null,
      canaryRevision: revisionOf(current) || null,
      blueGreen: {
        activeSelector: switched ? ctx.currentHash : ctx.stableHash,
        previewSelector: ctx.currentHash,
        ...(keep.has(after.pre) ? { prePromotionAnalysisRun: after.pre } : {}),
        ...(keep.has(after.post) ? { postPromotionAnalysisRun: after.post } : {}),
      },
      pauseStartTime: paused ? (c.availableAt ?? new Date(ctx.now).toISOString()) : null,
      abort: abortStatus(c.abort),
      machine: dehydrateBlueGreen(result.snapshot),
      ...consumed(intent),
    },
    health: {
      aborted: c.abort ? { reason: c.abort.reason, message: c.abort.message } : undefined,
      paused: pausedHealth(paused, c.pauseReason === "inconclusive", c.userPaused, env.specPaused, message),
      deadlineExceeded: false,
      rollingOut: !completed,
      settled: false,
      available: (observe(stable)?.available ?? 0) >= ctx.replicas - ctx.unavailable,
      message,
    },
    requeueAfterMs: earliest(
      ctx.now,
      state === "Gate" || state === "Promotable" ? autoAt : undefined,
      state === "Aborted" ? abortEnds : undefined,
    ),
  };
}
