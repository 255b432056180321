// The canary strategy as a pure plan, a list of named phases that each return early (after Argo's
// rolloutCanary): routers, steady state, the machine, the pods, the routes, analysis, the report.
import type { V1Pod } from "@kubernetes/client-node";
import type { CanaryStrategy } from "../../api/index.ts";
import type { RolloutContext } from "../../core/context.ts";
import { asWritten } from "../../core/outcome.ts";
import {
  currentReplicaSet,
  newReplicaSet,
  pin,
  pruneHistory,
  type RolloutPlan,
  scales,
} from "../../core/plan.ts";
import type { Caches } from "../../core/ports.ts";
import { type Desired, desiredCounts, planScaling } from "../../core/replicas.ts";
import { partition, specReplicas } from "../../core/replicasets.ts";
import type { TrafficTarget } from "../../traffic/router.ts";
import { withAntiAffinity } from "../shared/anti-affinity.ts";
import { roleWrites, withRole } from "../shared/ephemeral.ts";
import { runNameFor, runWrites, viewRuns } from "../shared/runs.ts";
import { stillDraining } from "../shared/scale-down.ts";
import { planSteady, type SteadyInput } from "../shared/steady.ts";
import { type Advanced, advance, backgroundRunName } from "./advance.ts";
import { hydrate, stateOf } from "./persist.ts";
import { report } from "./report.ts";
import { flipped, type ServiceRoles, serviceRoles } from "./services.ts";
import { canaryScaleAt } from "./steps.ts";
import { type Traffic, trafficFor } from "./traffic.ts";

const ABORT_DELAY_ROUTED_S = 30;

/** What one reconcile of a canary Rollout should write, from the cache alone: no request, no clock. */
export function planCanary(ctx: RolloutContext, caches: Caches, pods?: V1Pod[]): RolloutPlan {
  const spec = ctx.rollout.spec.strategy.canary as CanaryStrategy;
  const roles = serviceRoles(spec, ctx.status);
  // Routers are verified up front: a missing route makes the Rollout Degraded, nothing moves.
  const traffic = trafficFor(ctx, caches, roles);
  // First deploy, or the spec asks for the stable version again (a rollback in Git): no steps.
  if (!ctx.stableHash || ctx.currentHash === ctx.stableHash)
    return planSteady(ctx, caches, steadyInput(ctx, spec, traffic, roles), pods);

  const runs = viewRuns(ctx, caches);
  const counts = countsFor(ctx, spec, traffic);
  const a = advance(ctx, spec, traffic, runs, counts);
  const world = desiredWorld(ctx, spec, traffic, a, counts);
  const c = a.snapshot.context;
  const analysisStep = (spec.steps ?? [])[c.stepIndex]?.analysis;
  const stepRun = runNameFor(ctx, c, `s${c.stepIndex}`);
  const bgRun = backgroundRunName(ctx, c);
  // The current step's run and the background run exist while wanted; every other run ends.
  const wanted = [
    ...(a.state === "Stepping" && analysisStep
      ? [{ name: stepRun, ref: analysisStep, purpose: { kind: "step" as const, stepIndex: c.stepIndex } }]
      : []),
    ...(spec.analysis &&
    (a.state === "Stepping" || a.state === "Paused" || a.state === "Promoting") &&
    a.wantsBackground(c.stepIndex)
      ? [{ name: bgRun, ref: spec.analysis, purpose: { kind: "background" as const } }]
      : []),
  ];
  const plan: RolloutPlan = {
    servicesFirst: [],
    routes: traffic.plan(world.target),
    // The canary Service is re-pinned only after the routes took its weight (a new version has no pods).
    services: [
      ...pin(ctx, caches, roles.stable, ctx.stableHash),
      ...pin(ctx, caches, roles.canary, ctx.currentHash),
    ],
    replicaSets: world.replicaSets,
    analysis: runWrites(ctx, caches, runs, wanted),
    podDeletes: [],
    outcome: report(ctx, spec, traffic, a, world, {
      step: analysisStep ? stepRun : undefined,
      background: wanted.some((w) => w.name === bgRun) ? bgRun : undefined,
      pingPong: roles.pingPong,
    }),
  };
  if (a.state !== "Completed") return plan;
  // The promoted version is stable now: its steady state follows in this plan, from the status this one
  // would have written, so one status write says Healthy instead of Completed and then Healthy. Steady's
  // writes replace the canary's (they start from the same cache); the analysis runs still end.
  const promoted: RolloutContext = {
    ...ctx,
    status: asWritten(ctx.status, plan.outcome.status),
    stableHash: ctx.currentHash,
    versions: partition(ctx.all, ctx.currentHash, ctx.currentHash),
  };
  // With pingPong the canary's Service, already serving the whole weight, becomes the stable one.
  const after = flipped(roles);
  const settled = planSteady(
    promoted,
    caches,
    steadyInput(promoted, spec, trafficFor(promoted, caches, after), after),
    pods,
  );
  const records = [...plan.outcome.records, ...settled.outcome.records];
  return { ...settled, analysis: plan.analysis, outcome: { ...settled.outcome, records } };
}

/** Steady for a canary: its two Services, its routes back to "no rollout", its machine as persisted. */
function steadyInput(
  ctx: RolloutContext,
  spec: CanaryStrategy,
  traffic: Traffic,
  roles: ServiceRoles,
): SteadyInput {
  const previous = hydrate(ctx.status.machine);
  return {
    stableService: roles.stable,
    canaryService: roles.canary,
    pingPong: roles.pingPong,
    stableMetadata: spec.stableMetadata,
    scaleDownDelayRevisionLimit: spec.scaleDownDelayRevisionLimit,
    traffic: {
      routed: traffic.routed,
      total: traffic.total,
      inactive: (hash) => traffic.plan(traffic.inactive(hash, hash)),
    },
    previous: previous && {
      podHash: previous.context.podHash,
      finished: ["Completed", "Aborted"].includes(stateOf(previous)),
    },
  };
}

/** Pod counts of both versions for a step (its weight, or a weight the routes still give). */
export type Counts = { at(index: number): Desired; forPercent(percent: number, index: number): Desired };

function countsFor(ctx: RolloutContext, spec: CanaryStrategy, traffic: Traffic): Counts {
  const steps = spec.steps ?? [];
  const forPercent = (percent: number, index: number): Desired =>
    desiredCounts({
      replicas: ctx.replicas,
      weight: percent,
      scale: canaryScaleAt(steps, index),
      trafficRouted: traffic.routed,
      dynamicStableScale: spec.dynamicStableScale,
      minPods: spec.minPodsPerReplicaSet,
      surge: ctx.surge,
    });
  return { forPercent, at: (index) => forPercent(traffic.percentAt(index), index) };
}

export type World = {
  index: number;
  target: TrafficTarget;
  replicaSets: RolloutPlan["replicaSets"];
  /** When an aborted canary's pods may go (abortScaleDownDelaySeconds), ms since the epoch. */
  abortEnds: number | undefined;
  /** Canary pods the current step asks for. */
  canaryWanted: number;
  /** When old versions inside their scale-down delay may go (ms since the epoch). */
  drainingUntil: number[];
};

/**
 * The world the machine's state asks for: an aborted canary holds its pods for the delay, then leaves;
 * with routers, only once they show it no traffic. Scales stay within surge limits.
 */
function desiredWorld(
  ctx: RolloutContext,
  spec: CanaryStrategy,
  traffic: Traffic,
  a: Advanced,
  counts: Counts,
): World {
  const c = a.snapshot.context;
  const { routed } = traffic;
  // With dynamicStableScale an aborted canary shrinks as traffic leaves it, unless a delay is set (as Argo).
  const defaultDelay = routed && !spec.dynamicStableScale ? ABORT_DELAY_ROUTED_S : 0;
  const abortDelayMs = (spec.abortScaleDownDelaySeconds ?? defaultDelay) * 1000;
  const abortEnds = c.abort ? Date.parse(c.abort.at) + abortDelayMs : undefined;
  const index = Math.min(c.stepIndex, (spec.steps ?? []).length);
  const canaryHeld =
    (abortEnds !== undefined && ctx.now < abortEnds) ||
    !traffic.showsInactive(ctx.stableHash ?? ctx.currentHash, ctx.currentHash);
  const atIndex = counts.at(index);
  const desired: Desired =
    a.state === "Aborted"
      ? { canary: canaryHeld ? Math.min(specReplicas(a.current), atIndex.canary) : 0, stable: ctx.replicas }
      : atIndex;
  const target = traffic.target({
    state: a.state,
    index,
    canaryAvailable: a.seen.canary?.available ?? 0,
    canaryReady: (a.seen.canary?.available ?? 0) >= atIndex.canary,
    stableReady: (a.seen.stable?.available ?? 0) >= desired.stable,
  });
  // Stable keeps the pods for the weight the routes still give it (dynamicStableScale).
  if (routed)
    desired.stable = Math.max(
      desired.stable,
      counts.forPercent(traffic.percentOf(target.weight), index).stable,
    );
  const { stable, others } = ctx.versions;
  const draining = stillDraining(ctx, others, spec.scaleDownDelayRevisionLimit);

  const plan = planScaling({
    replicas: ctx.replicas,
    // Routed, the canary's pods come on top of a full stable (as Argo does): maxSurge cannot bound them.
    surge: routed ? Math.max(ctx.surge, ctx.replicas) : ctx.surge,
    unavailable: ctx.unavailable,
    desired,
    canary: a.seen.canary,
    stable: a.seen.stable,
    // Old versions waiting out their scale-down delay are outside the plan (advance.ts leaves them out).
    others: a.seen.others,
  });
  const planned = new Map(a.moving.map((rs, j) => [rs, plan.others[j] ?? 0]));
  const current = currentReplicaSet(ctx, 0);
  // A version's first reconcile creates its ReplicaSet with the replicas the plan gives it: one write.
  const create = current.unborn
    ? [
        {
          op: "create" as const,
          replicaSet: withAntiAffinity(
            withRole(newReplicaSet(ctx, plan.canary), spec.canaryMetadata),
            spec.antiAffinity,
            ctx.stableHash,
          ),
        },
      ]
    : [];
  return {
    index,
    target,
    abortEnds,
    canaryWanted: atIndex.canary,
    drainingUntil: draining.deadlines,
    replicaSets: [
      ...create,
      ...(current.unborn ? [] : current.writes),
      ...roleWrites([
        [current.unborn ? undefined : current.rs, spec.canaryMetadata],
        [stable, spec.stableMetadata],
      ]),
      ...scales([
        [current.unborn ? undefined : current.rs, plan.canary],
        [stable, plan.stable],
        // An old version inside its scale-down delay keeps its pods until then (requests drain).
        ...others.map((rs) => [rs, planned.get(rs) ?? specReplicas(rs)] as const),
      ]),
      ...pruneHistory(ctx),
    ],
  };
}
