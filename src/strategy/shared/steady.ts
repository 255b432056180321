// No new version to ship: first deploy, steady state, or the spec returned to the stable version.
import type { V1Pod, V1ReplicaSet } from "@kubernetes/client-node";
import type { RolloutContext } from "../../core/context.ts";
import { consumed, pendingIntent } from "../../core/intent.ts";
import { earliest, type StrategyOutcome } from "../../core/outcome.ts";
import { currentReplicaSet, noRuns, pin, pruneHistory, type RolloutPlan, scales } from "../../core/plan.ts";
import type { Caches } from "../../core/ports.ts";
import type { RecordParams } from "../../core/records.ts";
import { planScaling } from "../../core/replicas.ts";
import { observe, revisionOf } from "../../core/replicasets.ts";
import type { RouteWrite } from "../../traffic/ports.ts";
import { type PodMetadata, roleWrites, withRole } from "./ephemeral.ts";
import { planRestart } from "./restart.ts";
import { SCALE_DOWN_DELAY_ROUTED_S, type ScaleDownDelays, scaleDownDelays } from "./scale-down.ts";

/** What steady needs of a strategy: its Services, its routes, and what its persisted machine was doing. */
export type SteadyInput = {
  stableService?: string | undefined;
  canaryService?: string | undefined;
  /** How long the previous version keeps its pods (blue-green: for an instant switch back). */
  scaleDownDelaySeconds?: number | undefined;
  /** How many old versions may keep their pods for that delay at once (default: all). */
  scaleDownDelayRevisionLimit?: number | undefined;
  /** Routed canaries: the route writes for "no rollout in flight", and the weights' total. */
  traffic?: { routed: boolean; total: number; inactive: (hash: string) => RouteWrite[] } | undefined;
  /** With pingPong: which of the pair is the stable Service (recorded in status). */
  pingPong?: "ping" | "pong" | undefined;
  /** The role metadata of the stable (canary) or active (blue-green) version's pods. */
  stableMetadata?: PodMetadata | undefined;
  /** The strategy's persisted machine, read by its own persistence; undefined when there is none. */
  previous: { podHash: string; finished: boolean } | undefined;
};

/** The current version is (or becomes) stable at full scale; every other version goes to zero. */
export function planSteady(
  ctx: RolloutContext,
  caches: Caches,
  input: SteadyInput,
  pods?: V1Pod[],
): RolloutPlan {
  const firstDeploy = !ctx.stableHash;
  const current = currentReplicaSet(ctx, firstDeploy ? ctx.replicas : 0, (rs) =>
    withRole(rs, input.stableMetadata),
  );
  const rs = current.rs;
  const { others } = ctx.versions;
  const seen = { stable: observe(rs), others: others.map((o) => observe(o) ?? { spec: 0, available: 0 }) };
  const traffic = input.traffic;
  const delaySeconds =
    input.scaleDownDelaySeconds ??
    (traffic?.routed
      ? (ctx.rollout.spec.strategy.canary?.scaleDownDelaySeconds ?? SCALE_DOWN_DELAY_ROUTED_S)
      : 0);
  const delays = scaleDownDelays(ctx, rs, others, delaySeconds * 1000, input.scaleDownDelayRevisionLimit);
  const plan = planScaling({
    replicas: ctx.replicas,
    surge: ctx.surge,
    unavailable: ctx.unavailable,
    desired: { canary: 0, stable: ctx.replicas },
    stable: seen.stable,
    others: seen.others,
  });
  const planned: RolloutPlan = {
    // Services first, then routes (all traffic to stable, managed routes gone), then pods: none leaves
    // with traffic. Both Services select the version at full scale before any route sends to it alone.
    servicesFirst: [
      ...pin(ctx, caches, input.stableService, ctx.currentHash),
      ...pin(ctx, caches, input.canaryService, ctx.currentHash),
    ],
    routes: traffic?.inactive(ctx.currentHash) ?? [],
    services: [],
    replicaSets: [
      ...current.writes,
      ...roleWrites([[current.unborn ? undefined : rs, input.stableMetadata]]),
      ...delays.writes,
      ...scales([
        [current.unborn ? undefined : rs, plan.stable],
        ...others.map(
          (o, i) => [o, delays.held(o) ? (o.spec?.replicas ?? 0) : (plan.others[i] ?? 0)] as const,
        ),
      ]),
      ...pruneHistory(ctx),
    ],
    analysis: noRuns(),
    podDeletes: [],
    outcome: steadyOutcome(ctx, input, rs, delays),
  };
  return planRestart(ctx, rs, planned, pods);
}

/** Stable at full scale once its pods are available and every other version is at zero (or draining). */
function steadyOutcome(
  ctx: RolloutContext,
  input: SteadyInput,
  rs: V1ReplicaSet,
  delays: ScaleDownDelays,
): StrategyOutcome {
  const intent = pendingIntent(ctx.status);
  const stableAvailable = observe(rs)?.available ?? 0;
  const settled =
    stableAvailable >= ctx.replicas &&
    (rs.spec?.replicas ?? 0) === ctx.replicas &&
    ctx.versions.others.every((o) => (o.spec?.replicas ?? 0) === 0 || delays.held(o));
  const message =
    (settled
      ? `version ${ctx.currentHash} is stable: ${stableAvailable}/${ctx.replicas} available`
      : `scaling version ${ctx.currentHash} to ${ctx.replicas} (${stableAvailable} available)`) +
    (delays.message ? `; ${delays.message}` : "");
  const steps = ctx.rollout.spec.strategy.canary?.steps?.length ?? 0;
  return {
    records: steadyRecords(ctx, input, intent?.action),
    status: {
      stableRS: ctx.currentHash,
      stableRevision: revisionOf(rs) || null,
      canaryRevision: null,
      currentStepIndex: steps,
      stepCount: steps,
      canary: {
        weight: 0,
        stableWeight: input.traffic?.total ?? 100,
        ...(input.pingPong ? { stablePingPong: input.pingPong } : {}),
      },
      pauseStartTime: null,
      abort: null,
      machine: input.previous?.podHash === ctx.currentHash ? (ctx.status.machine ?? null) : null,
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
  };
}

/** A rollout under way for another version was rolled back in Git; an action with nothing to act on. */
function steadyRecords(ctx: RolloutContext, input: SteadyInput, action: string | undefined): RecordParams[] {
  const records: RecordParams[] = [];
  const previous = input.previous;
  if (previous && previous.podHash !== ctx.currentHash && !previous.finished) {
    records.push({
      type: "Normal",
      reason: "RolledBack",
      message: `the spec returned to the stable version ${ctx.currentHash}: the rollout of ${previous.podHash} stopped`,
    });
  }
  if (action)
    records.push({ type: "Warning", reason: "IgnoredAction", message: `${action}: no rollout in progress` });
  return records;
}
