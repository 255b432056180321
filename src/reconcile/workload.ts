// What a Rollout with spec.workloadRef asks beyond its strategy's plan: the Deployment's spec.replicas
// under scaleDown (ramp's only write to it), and a report of any HPA still aimed at that Deployment.
import { phaseOf } from "../core/conditions.ts";
import type { RolloutContext } from "../core/context.ts";
import type { RolloutPlan } from "../core/plan.ts";
import type { Caches } from "../core/ports.ts";
import { rolloutOwnerRef } from "../core/replicasets.ts";

/** The plan with adoptions first and, for a workloadRef, the Deployment's scale and the HPA report. */
export function withWorkload(ctx: RolloutContext, caches: Caches, plan: RolloutPlan): RolloutPlan {
  const adopt = ctx.all
    .filter((rs) => ctx.orphans.includes(rs.metadata?.name ?? ""))
    .map((rs) => ({
      op: "adopt" as const,
      name: rs.metadata?.name ?? "",
      uid: rs.metadata?.uid ?? "",
      owner: rolloutOwnerRef(ctx.rollout),
    }));
  const w = ctx.workload;
  if (!w) return adopt.length > 0 ? { ...plan, replicaSets: [...adopt, ...plan.replicaSets] } : plan;
  const name = w.ref.name;
  const autoscalers = caches.autoscalersOf(ctx.namespace, "Deployment", name);
  const from = w.deployment.spec?.replicas ?? 1;
  const target = autoscalers.length > 0 ? undefined : scaleTarget(ctx, plan);
  const outcome = {
    ...plan.outcome,
    health: { ...plan.outcome.health, workload: { autoscalers, deployment: name } },
    records: [...plan.outcome.records, ...conflictRecord(ctx, autoscalers, name)],
  };
  return {
    ...plan,
    replicaSets: [...adopt, ...plan.replicaSets],
    outcome,
    workloadScale: target !== undefined && target < from ? { name, from, replicas: target } : undefined,
  };
}

/**
 * The Deployment's replicas under scaleDown, or undefined to leave them: 0 while the Rollout is Healthy;
 * before that, `progressively` keeps the Deployment's and the Rollout's available pods at `replicas`.
 * Only ever lower: a Git change that raises the Deployment is the user's, and is lowered again only here.
 */
function scaleTarget(ctx: RolloutContext, plan: RolloutPlan): number | undefined {
  const mode = ctx.workload?.ref.scaleDown ?? "never";
  if (mode === "never") return undefined;
  // Healthy: the stable version has every pod available (a first deploy names stable before that).
  if (phaseOf(plan.outcome.health) === "Healthy") return 0;
  if (mode === "onsuccess") return undefined;
  const available = ctx.all.reduce((n, rs) => n + (rs.status?.availableReplicas ?? 0), 0);
  return Math.max(0, ctx.replicas - available);
}

/** One Warning Event when the conflict starts (the condition carries it after that). */
function conflictRecord(ctx: RolloutContext, autoscalers: string[], deployment: string) {
  const before = ctx.status.conditions?.find((c) => c.type === "AutoscalerConflict")?.status === "True";
  if (autoscalers.length === 0 || before) return [];
  return [
    {
      type: "Warning" as const,
      reason: "HPATargetsDeployment",
      message:
        `HorizontalPodAutoscaler ${autoscalers.join(", ")} targets Deployment ${deployment}: point its ` +
        `scaleTargetRef at Rollout ${ctx.name} (apiVersion ramp.dev/v1alpha1); ramp leaves the Deployment's replicas alone until then`,
    },
  ];
}
