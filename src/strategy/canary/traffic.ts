// The canary strategy's view of its traffic routers: what a step asks of them, what the machine's state
// asks now, and the one write per reconcile. Without trafficRouting every answer is "nothing to do".
import type { CanaryStrategy } from "../../api/index.ts";
import type { RolloutContext } from "../../core/context.ts";
import type { Caches } from "../../core/ports.ts";
import { buildRouters } from "../../traffic/factory.ts";
import type { RouteWrite } from "../../traffic/ports.ts";
import type { TrafficRouter, TrafficTarget } from "../../traffic/router.ts";
import {
  allShow,
  gateWeight,
  inactiveTarget,
  shownWeight,
  targetAt,
  weightAt,
} from "../../traffic/target.ts";
import type { CanaryState } from "./persist.ts";
import { type ServiceRoles, serviceRoles } from "./services.ts";

export type Traffic = {
  routers: readonly TrafficRouter[];
  routed: boolean;
  /** trafficRouting.maxTrafficWeight, default 100: weights are out of this. */
  total: number;
  /** The canary's share of pods in percent for step `index` (with routers, its weight out of total). */
  percentAt(index: number): number;
  percentOf(weight: number): number;
  /** Every router shows what step `index` asks (always true without routers). */
  shows(index: number): boolean;
  /** Every router shows no rollout in flight: no canary weight, no managed routes. */
  showsInactive(stableHash: string, canaryHash: string): boolean;
  /** What the routes should say now, for the machine's state, never more than the pods can carry. */
  target(input: {
    state: CanaryState;
    index: number;
    /** Available canary pods: with none, the canary gets no weight whatever the step says. */
    canaryAvailable: number;
    canaryReady: boolean;
    stableReady: boolean;
  }): TrafficTarget;
  inactive(stableHash: string, canaryHash: string): TrafficTarget;
  /** The writes that make every router show `target`, in router order; pods are scaled only after them. */
  plan(target: TrafficTarget): RouteWrite[];
};

/** Builds and verifies the Rollout's routers (a RampError makes it Degraded before anything is written). */
export function trafficFor(ctx: RolloutContext, caches: Caches, services?: ServiceRoles): Traffic {
  const spec = ctx.rollout.spec.strategy.canary as CanaryStrategy;
  const steps = spec.steps ?? [];
  const routers = buildRouters(ctx, caches, services ?? serviceRoles(spec, ctx.status));
  const routed = routers.length > 0;
  const total = routed ? (spec.trafficRouting?.maxTrafficWeight ?? 100) : 100;
  const managed = (spec.trafficRouting?.managedRoutes ?? []).map((r) => r.name);
  const input = {
    steps,
    managed,
    total,
    stableHash: ctx.stableHash ?? ctx.currentHash,
    canaryHash: ctx.currentHash,
  };
  const inactive = (stableHash: string, canaryHash: string) => inactiveTarget(total, stableHash, canaryHash);
  const percentOf = (weight: number) => (weight * 100) / total;
  return {
    routers,
    routed,
    total,
    percentOf,
    percentAt: (index) => percentOf(weightAt(steps, index, total)),
    shows: (index) => allShow(routers, targetAt(input, index)),
    showsInactive: (stableHash, canaryHash) => allShow(routers, inactive(stableHash, canaryHash)),
    inactive,
    target({ state, index, canaryAvailable, canaryReady, stableReady }) {
      const wanted =
        state === "Aborted" ? inactive(input.stableHash, input.canaryHash) : targetAt(input, index);
      const shown = shownWeight(routers, total);
      return gateWeight({ target: wanted, shown, canaryAvailable, canaryReady, stableReady });
    },
    plan: (target) => routers.flatMap((r) => r.plan(target)),
  };
}
