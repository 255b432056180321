// The blue-green machine for one reconcile: resumed from status (or started for a new version), then
// advanced with what the cluster shows and what a person asked for.
import type { V1ReplicaSet } from "@kubernetes/client-node";
import { isDone } from "../../analysis/assess.ts";
import type { BlueGreenStrategy, UserIntent } from "../../api/index.ts";
import type { RolloutContext } from "../../core/context.ts";
import { intentEvent, pendingIntent } from "../../core/intent.ts";
import { currentReplicaSet } from "../../core/plan.ts";
import type { RecordParams } from "../../core/records.ts";
import type { Observed } from "../../core/replicas.ts";
import { observe } from "../../core/replicasets.ts";
import { withinRollbackWindow } from "../shared/rollback-window.ts";
import { type RunView, runNameFor } from "../shared/runs.ts";
import type { BlueGreenEnv } from "./machine.ts";
import {
  type BlueGreenSnapshot,
  type BlueGreenState,
  blueGreenState,
  driveBlueGreen,
  hydrateBlueGreen,
  startBlueGreen,
} from "./persist.ts";

export type BlueGreenAdvanced = {
  snapshot: BlueGreenSnapshot;
  state: BlueGreenState;
  records: RecordParams[];
  /** The new version's ReplicaSet, or as it will be created (no pods yet). */
  current: V1ReplicaSet;
  seen: Observed;
  previewCount: number;
  env: BlueGreenEnv;
  intent: UserIntent | undefined;
};

/** Analysis runs are named per version and attempt. */
export const runNames = (ctx: RolloutContext, attempt: number) => ({
  pre: runNameFor(ctx, { stepsHash: "bgpr", attempt }, "pre"),
  post: runNameFor(ctx, { stepsHash: "bgpo", attempt }, "post"),
});

export function advanceBlueGreen(
  ctx: RolloutContext,
  spec: BlueGreenStrategy,
  runs: RunView,
): BlueGreenAdvanced {
  const records: RecordParams[] = [];
  let snapshot = hydrateBlueGreen(ctx.status.machine);
  const fresh = !snapshot || snapshot.context.podHash !== ctx.currentHash;
  if (!snapshot || fresh) {
    snapshot = startBlueGreen(ctx.currentHash, ctx.now);
    records.push({
      type: "Normal",
      reason: "RolloutStarted",
      message: `previewing version ${ctx.currentHash}`,
    });
  }
  const current = currentReplicaSet(ctx, 0).rs;
  const previewCount = Math.min(spec.previewReplicaCount ?? ctx.replicas, ctx.replicas);
  const seen = observe(current) ?? { spec: 0, available: 0 };
  const before = runNames(ctx, snapshot.context.attempt);
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
  // A version just started that ran within spec.rollbackWindow switches once ready: no pause, no analysis.
  const fastTrack =
    fresh && withinRollbackWindow(ctx) ? [{ type: "PROMOTE_FULL" as const, env, by: "rollbackWindow" }] : [];
  const result = driveBlueGreen(snapshot, [...fastTrack, ...(intent ? [intentEvent(intent, env)] : [])], env);
  return {
    snapshot: result.snapshot,
    state: blueGreenState(result.snapshot),
    records: [...records, ...result.records],
    current,
    seen,
    previewCount,
    env,
    intent,
  };
}
