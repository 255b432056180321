// The one function that decides what a reconcile writes: the controller runs it, and `kubectl ramp plan`
// shows its answer. Pure: it reads the caches and the context's clock, and writes nothing.
import type { V1Pod } from "@kubernetes/client-node";
import type { RolloutContext } from "../core/context.ts";
import type { RolloutPlan } from "../core/plan.ts";
import type { Caches } from "../core/ports.ts";
import { planBlueGreen } from "../strategy/bluegreen/plan.ts";
import { planCanary } from "../strategy/canary/plan.ts";
import { validateReferences } from "./validate.ts";
import { withWorkload } from "./workload.ts";

/** Throws a RampError (the Rollout goes Degraded, nothing written) for a spec the cluster cannot carry. */
export function planRollout(ctx: RolloutContext, caches: Caches, pods?: V1Pod[]): RolloutPlan {
  validateReferences(ctx.rollout, ctx.namespace, caches);
  const plan = ctx.rollout.spec.strategy.blueGreen
    ? planBlueGreen(ctx, caches, pods)
    : planCanary(ctx, caches, pods);
  return withWorkload(ctx, caches, plan);
}
