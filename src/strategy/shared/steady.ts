// No new version to ship: first deploy, steady state, or the spec returned to the stable version.

import type { RolloutContext } from "../../core/context.ts";
import { ensureCurrentReplicaSet, pinService, pruneHistory, scaleTo } from "../../core/effects.ts";
import { consumed, pendingIntent } from "../../core/intent.ts";
import { earliest, type StrategyOutcome } from "../../core/outcome.ts";
import type { Deps } from "../../core/ports.ts";
import { planScaling } from "../../core/replicas.ts";
import { observe, revisionOf } from "../../core/replicasets.ts";
import { hydrate, stateOf } from "../canary/persist.ts";
import type { Traffic } from "../canary/traffic.ts";
import { restartStable } from "./restart.ts";
import { SCALE_DOWN_DELAY_ROUTED_S, scaleDownDelays } from "./scale-down.ts";

type Services = {
  stableService?: string | undefined;
  canaryService?: string | undefined;
  /** How long the previous version keeps its pods (blue-green: for an instant switch back). */
  scaleDownDelaySeconds?: number | undefined;
};

/** The current version is (or becomes) stable at full scale; every other version goes to zero. */
export async function steady(
  ctx: RolloutContext,
  deps: Deps,
  services: Services,
  traffic?: Traffic,
): Promise<StrategyOutcome> {
  const records: StrategyOutcome["records"] = [];
  const firstDeploy = !ctx.stableHash;
  const rs = await ensureCurrentReplicaSet(ctx, deps, firstDeploy ? ctx.replicas : 0);
  const { others } = ctx.versions;
  const seen = { stable: observe(rs), others: others.map((o) => observe(o) ?? { spec: 0, available: 0 }) };
  // Services, then routes (all traffic to stable, managed routes gone), then pods: none leaves with traffic.
  await pinService(ctx, deps, services.stableService, ctx.currentHash);
  await pinService(ctx, deps, services.canaryService, ctx.currentHash);
  if (traffic) await traffic.write(traffic.inactive(ctx.currentHash, ctx.currentHash));
  const delaySeconds =
    services.scaleDownDelaySeconds ??
    (traffic?.routed
      ? (ctx.rollout.spec.strategy.canary?.scaleDownDelaySeconds ?? SCALE_DOWN_DELAY_ROUTED_S)
      : 0);
  const delays = await scaleDownDelays(ctx, deps, rs, others, delaySeconds * 1000);
  const plan = planScaling({
    replicas: ctx.replicas,
    surge: ctx.surge,
    unavailable: ctx.unavailable,
    desired: { canary: 0, stable: ctx.replicas },
    stable: seen.stable,
    others: seen.others,
  });
  await scaleTo(ctx, deps, [
    [rs, plan.stable],
    ...others.map((o, i) => [o, delays.held(o) ? (o.spec?.replicas ?? 0) : (plan.others[i] ?? 0)] as const),
  ]);
  await pruneHistory(ctx, deps);

  // A rollout that was under way for another version has been rolled back in Git.
  const previous = hydrate(ctx.status.machine);
  if (
    previous &&
    previous.context.podHash !== ctx.currentHash &&
    !["Completed", "Aborted"].includes(stateOf(previous))
  ) {
    records.push({
      type: "Normal",
      reason: "RolledBack",
      message: `the spec returned to the stable version ${ctx.currentHash}: the rollout of ${previous.context.podHash} stopped`,
    });
  }
  const intent = pendingIntent(ctx.status);
  if (intent) {
    records.push({
      type: "Warning",
      reason: "IgnoredAction",
      message: `${intent.action}: no rollout in progress`,
    });
  }
  const stableAvailable = seen.stable?.available ?? 0;
  const settled =
    stableAvailable >= ctx.replicas &&
    (rs.spec?.replicas ?? 0) === ctx.replicas &&
    others.every((o) => (o.spec?.replicas ?? 0) === 0 || delays.held(o));
  const message =
    (settled
      ? `version ${ctx.currentHash} is stable: ${stableAvailable}/${ctx.replicas} available`
      : `scaling version ${ctx.currentHash} to ${ctx.replicas} (${stableAvailable} available)`) +
    (delays.message ? `; ${delays.message}` : "");
  const keepMachine = previous?.context.podHash === ctx.currentHash;
  return restartStable(ctx, deps, rs, {
    records,
    status: {
      stableRS: ctx.currentHash,
      stableRevision: revisionOf(rs) || null,
      canaryRevision: null,
      currentStepIndex: ctx.rollout.spec.strategy.canary?.steps?.length ?? 0,
      stepCount: ctx.rollout.spec.strategy.canary?.steps?.length ?? 0,
      canary: { weight: 0, stableWeight: traffic?.total ?? 100 },
      pauseStartTime: null,
      abort: null,
      machine: keepMachine ? (ctx.status.machine ?? null) : null,
      ...consumed(intent),
    },
    health: {
      deadlineExceeded: false,
      rollingOut: false,
      settled,
      available: stableAvailable >= ctx.replicas - ctx.unavailable,
      message,
    },
    requeueAfterMs: earliest(ctx.now, ...delays.deadlines),
  });
}
