// The whole status a reconcile wants, in a fixed field order, from the context and the strategy's outcome.
import type { Rollout, RolloutStatus } from "../api/index.ts";
import { selectorString } from "../kube/selector.ts";
import { mergeConditions, phaseOf, wantedConditions } from "./conditions.ts";
import type { RolloutContext } from "./context.ts";
import type { StatusFields, StrategyOutcome } from "./outcome.ts";

const sum = (xs: (number | undefined)[]) => xs.reduce<number>((a, b) => a + (b ?? 0), 0);

export function assembleStatus(ctx: RolloutContext, outcome: StrategyOutcome): StatusFields {
  const { rollout, all } = ctx;
  const now = new Date(ctx.now).toISOString();
  const generation = rollout.metadata.generation;
  const current = ctx.versions.current;
  return {
    observedGeneration: generation ?? null,
    phase: phaseOf(outcome.health),
    message: outcome.health.message,
    replicas: sum(all.map((rs) => rs.status?.replicas)),
    updatedReplicas: current?.status?.replicas ?? 0,
    readyReplicas: sum(all.map((rs) => rs.status?.readyReplicas)),
    availableReplicas: sum(all.map((rs) => rs.status?.availableReplicas)),
    selector: selectorString(rollout.spec.selector),
    currentPodHash: ctx.currentHash,
    ...outcome.status,
    conditions: mergeConditions(ctx.status.conditions, wantedConditions(outcome.health), now, generation),
  };
}

/** Status for a Rollout that cannot be reconciled: phase and conditions only, the rest kept as it was. */
export function invalidStatus(
  rollout: Pick<Rollout, "metadata"> & { status?: RolloutStatus | undefined },
  reason: StrategyOutcome["health"]["invalid"] & object,
  now: number,
): StatusFields {
  const health = {
    invalid: reason,
    deadlineExceeded: false,
    rollingOut: false,
    settled: false,
    available: false,
    message: reason.message,
  };
  const generation = rollout.metadata.generation;
  return {
    observedGeneration: generation ?? null,
    phase: phaseOf(health),
    message: reason.message,
    conditions: mergeConditions(
      rollout.status?.conditions,
      wantedConditions(health),
      new Date(now).toISOString(),
      generation,
    ),
  };
}
