// A rolling restart (spec.restartAt, set by `kubectl ramp restart`): pods of the stable version created
// before that time are deleted a few at a time and their ReplicaSet replaces them.
import type { V1Pod, V1ReplicaSet } from "@kubernetes/client-node";
import { HASH_LABEL } from "../../api/labels.ts";
import type { RolloutContext } from "../../core/context.ts";
import { earliest, type StrategyOutcome } from "../../core/outcome.ts";
import type { RolloutPlan } from "../../core/plan.ts";

/** Pods are not watched: look again this soon while a restart is under way (ReplicaSet events come sooner). */
const RECHECK_MS = 5_000;

const timeOf = (t: Date | string | undefined): number =>
  t === undefined ? Number.NaN : new Date(t).getTime();
const ready = (p: V1Pod): boolean =>
  p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;

/** `app=web,ramp.dev/pod-template-hash=abc`: the version's own selector (the hash makes it exact). */
export function selectorOf(rs: V1ReplicaSet, hash: string): string {
  const labels = { ...(rs.spec?.selector?.matchLabels ?? {}), [HASH_LABEL]: hash };
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
}

/**
 * Plans a pending restart on a steady plan: only when the rollout is otherwise settled, at most
 * maxUnavailable pods (at least one) unavailable at a time. Pods are read only then: without `pods` the
 * plan asks for them (`needsPods`). When every pod is newer than spec.restartAt, status.restartedAt
 * records it, and pods are not listed again until the next restart.
 */
export function planRestart(
  ctx: RolloutContext,
  rs: V1ReplicaSet,
  plan: RolloutPlan,
  pods: V1Pod[] | undefined,
): RolloutPlan {
  const outcome = plan.outcome;
  const restartAt = ctx.rollout.spec.restartAt;
  if (!restartAt || ctx.status.restartedAt === restartAt) return plan;
  const at = Date.parse(restartAt);
  if (Number.isNaN(at)) return plan;
  if (at > ctx.now)
    return { ...plan, outcome: { ...outcome, requeueAfterMs: earliest(ctx.now, at, next(ctx, outcome)) } };
  if (!outcome.health.settled) return plan;
  if (!pods) return { ...plan, needsPods: true };

  const uid = rs.metadata?.uid;
  const own = pods.filter((p) => !uid || p.metadata?.ownerReferences?.some((o) => o.uid === uid));
  const live = own.filter((p) => !p.metadata?.deletionTimestamp);
  const old = live
    .filter((p) => !(timeOf(p.metadata?.creationTimestamp) >= at))
    .sort((a, b) => timeOf(a.metadata?.creationTimestamp) - timeOf(b.metadata?.creationTimestamp));
  if (old.length === 0 && own.length === live.length) {
    return { ...plan, outcome: { ...outcome, status: { ...outcome.status, restartedAt: restartAt } } };
  }
  // Terminating pods and pods not Ready count against the budget, so a lagging cache cannot overshoot it.
  const unavailable = Math.max(0, ctx.replicas - live.filter(ready).length);
  const budget = Math.max(1, ctx.unavailable) - unavailable;
  const doomed = old
    .slice(0, Math.max(0, budget))
    .flatMap((p) => (p.metadata?.name ? [p.metadata.name] : []));
  const message = `restarting version ${ctx.currentHash}: ${old.length} of ${ctx.replicas} pods created before ${restartAt} left to replace`;
  const records =
    doomed.length > 0 && old.length === live.length
      ? [...outcome.records, { type: "Normal" as const, reason: "Restarting", message }]
      : outcome.records;
  return {
    ...plan,
    podDeletes: doomed,
    outcome: {
      ...outcome,
      records,
      health: { ...outcome.health, settled: false, message },
      requeueAfterMs: earliest(ctx.now, ctx.now + RECHECK_MS, next(ctx, outcome)),
    },
  };
}

const next = (ctx: RolloutContext, o: StrategyOutcome): number | undefined =>
  o.requeueAfterMs === undefined ? undefined : ctx.now + o.requeueAfterMs;

/** The label selector of the pods a restart replaces: the current version's, or none before it exists. */
export const restartSelector = (ctx: RolloutContext): string | undefined =>
  ctx.versions.current ? selectorOf(ctx.versions.current, ctx.currentHash) : undefined;
