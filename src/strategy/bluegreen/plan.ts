// The blue-green strategy as a pure plan, in phases that each return early: preview, check, switch, check,
// keep. The old version stays at full scale until the rollout is complete; the active Service moves only
// in a switched state, which the machine enters only once the new version is fully ready.
import type { V1Pod } from "@kubernetes/client-node";
import type { BlueGreenStrategy } from "../../api/index.ts";
import { SCALE_DOWN_AT_ANNOTATION } from "../../api/labels.ts";
import type { RolloutContext } from "../../core/context.ts";
import {
  currentReplicaSet,
  pin,
  pruneHistory,
  type ReplicaSetWrite,
  type RolloutPlan,
  scales,
} from "../../core/plan.ts";
import type { Caches } from "../../core/ports.ts";
import { specReplicas } from "../../core/replicasets.ts";
import { withAntiAffinity } from "../shared/anti-affinity.ts";
import { roleWrites, withRole } from "../shared/ephemeral.ts";
import { runWrites, viewRuns } from "../shared/runs.ts";
import { stillDraining } from "../shared/scale-down.ts";
import { planSteady } from "../shared/steady.ts";
import { advanceBlueGreen, type BlueGreenAdvanced, runNames } from "./advance.ts";
import { blueGreenState, hydrateBlueGreen } from "./persist.ts";
import { reportBlueGreen } from "./report.ts";

export const DEFAULT_DELAY_S = 30;
export const SWITCHED = new Set(["Switched", "PostPromotion", "PostPaused", "Completed"]);

export function planBlueGreen(ctx: RolloutContext, caches: Caches, pods?: V1Pod[]): RolloutPlan {
  const spec = ctx.rollout.spec.strategy.blueGreen as BlueGreenStrategy;
  // First deploy, steady state, or back to the stable version: active and preview select it.
  if (!ctx.stableHash || ctx.currentHash === ctx.stableHash) return steadyBlueGreen(ctx, caches, spec, pods);

  const runs = viewRuns(ctx, caches);
  const a = advanceBlueGreen(ctx, spec, runs);
  const c = a.snapshot.context;
  const names = runNames(ctx, c.attempt);
  // Pre- and post-promotion analysis while their states last; every other run ends.
  const wanted = [
    ...(a.state === "PrePromotion" && spec.prePromotionAnalysis
      ? [{ name: names.pre, ref: spec.prePromotionAnalysis, purpose: { kind: "prePromotion" as const } }]
      : []),
    ...(a.state === "PostPromotion" && spec.postPromotionAnalysis
      ? [{ name: names.post, ref: spec.postPromotionAnalysis, purpose: { kind: "postPromotion" as const } }]
      : []),
  ];
  const switched = SWITCHED.has(a.state);
  const abortEnds = c.abort
    ? Date.parse(c.abort.at) + (spec.abortScaleDownDelaySeconds ?? DEFAULT_DELAY_S) * 1000
    : undefined;
  return {
    servicesFirst: [],
    routes: [],
    services: [
      ...pin(ctx, caches, spec.previewService, ctx.currentHash),
      ...pin(ctx, caches, spec.activeService, switched ? ctx.currentHash : ctx.stableHash),
    ],
    replicaSets: replicaSetWrites(ctx, spec, a, abortEnds),
    analysis: runWrites(ctx, caches, runs, wanted),
    podDeletes: [],
    outcome: reportBlueGreen(ctx, spec, a, {
      abortEnds,
      drainingUntil: stillDraining(ctx, ctx.versions.others, spec.scaleDownDelayRevisionLimit).deadlines,
      pre: wanted.some((w) => w.name === names.pre) ? names.pre : undefined,
      post: wanted.some((w) => w.name === names.post) ? names.post : undefined,
    }),
  };
}

function steadyBlueGreen(
  ctx: RolloutContext,
  caches: Caches,
  spec: BlueGreenStrategy,
  pods: V1Pod[] | undefined,
): RolloutPlan {
  const previous = hydrateBlueGreen(ctx.status.machine);
  const plan = planSteady(
    ctx,
    caches,
    {
      stableService: spec.activeService,
      canaryService: spec.previewService,
      scaleDownDelaySeconds: spec.scaleDownDelaySeconds ?? DEFAULT_DELAY_S,
      stableMetadata: spec.activeMetadata,
      scaleDownDelayRevisionLimit: spec.scaleDownDelayRevisionLimit,
      previous: previous && {
        podHash: previous.context.podHash,
        finished: ["Completed", "Aborted"].includes(blueGreenState(previous)),
      },
    },
    pods,
  );
  const selectors = { activeSelector: ctx.currentHash, previewSelector: ctx.currentHash };
  const status = {
    ...plan.outcome.status,
    canary: null,
    currentStepIndex: null,
    stepCount: null,
    blueGreen: selectors,
  };
  return { ...plan, outcome: { ...plan.outcome, status } };
}

/**
 * The new version at preview size, then full size from ScalingUp on; an aborted one keeps its pods for the
 * abort delay. The old version's scale-down deadline counts from the switch, written as data the moment
 * it happens, so a controller that dies right after the switch cannot push it back.
 */
function replicaSetWrites(
  ctx: RolloutContext,
  spec: BlueGreenStrategy,
  a: BlueGreenAdvanced,
  abortEnds: number | undefined,
): ReplicaSetWrite[] {
  const c = a.snapshot.context;
  const newCount =
    a.state === "Aborted"
      ? abortEnds !== undefined && ctx.now < abortEnds
        ? specReplicas(a.current)
        : 0
      : a.state === "ScalingUp" || SWITCHED.has(a.state)
        ? ctx.replicas
        : a.previewCount;
  const { stable, others } = ctx.versions;
  const draining = stillDraining(ctx, others, spec.scaleDownDelayRevisionLimit);
  const stableName = stable?.metadata?.name;
  const stamp: ReplicaSetWrite[] = [];
  if (SWITCHED.has(a.state) && stableName && c.switchedAt) {
    const at = new Date(
      Date.parse(c.switchedAt) + (spec.scaleDownDelaySeconds ?? DEFAULT_DELAY_S) * 1000,
    ).toISOString();
    if (stable?.metadata?.annotations?.[SCALE_DOWN_AT_ANNOTATION] !== at)
      stamp.push({ op: "annotate", name: stableName, annotations: { [SCALE_DOWN_AT_ANNOTATION]: at } });
  }
  const switched = SWITCHED.has(a.state);
  // The new version's pods are preview pods until the switch, active pods after it.
  const role = switched ? spec.activeMetadata : spec.previewMetadata;
  const current = currentReplicaSet(ctx, newCount, (rs) =>
    withAntiAffinity(withRole(rs, role), spec.antiAffinity, ctx.stableHash),
  );
  return [
    ...current.writes,
    ...roleWrites([
      [current.unborn ? undefined : current.rs, role],
      ...(switched ? [] : [[stable, spec.activeMetadata] as const]),
    ]),
    ...stamp,
    ...scales([
      [current.unborn ? undefined : current.rs, newCount],
      [stable, ctx.replicas],
      // An old version inside its scale-down delay keeps its pods until then (an instant switch back).
      ...others.map((o) => [o, draining.held.has(o) ? specReplicas(o) : 0] as const),
    ]),
    ...pruneHistory(ctx),
  ];
}
