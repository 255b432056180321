// What the routes should say at a step: pure functions of the steps, the index and what the pods can carry.
import type { CanaryStep } from "../api/index.ts";
import type { HeaderRoute, MirrorRoute, TrafficRouter, TrafficTarget } from "./router.ts";

/**
 * The canary weight (out of `total`, 100 without trafficRouting.maxTrafficWeight) while executing step
 * `index`: the last setWeight at or before it, 0 before any; past the last step the canary has everything.
 * The one function that answers this: the reconcile, the plan, the plugin and the metrics all call it.
 */
export function weightAt(steps: readonly CanaryStep[], index: number, total = 100): number {
  if (index >= steps.length) return total;
  for (let i = index; i >= 0; i--) {
    const w = steps[i]?.setWeight;
    if (w !== undefined) return w;
  }
  return 0;
}

/**
 * Header and mirror routes in force at step `index`: the latest setHeaderRoute/setMirrorRoute of each name
 * up to and including it (one without match removes its route), in managedRoutes order. None once the
 * steps are done: managed routes live only while a rollout steps.
 */
export function routesAt(
  steps: readonly CanaryStep[],
  index: number,
  managed: readonly string[],
): { headerRoutes: HeaderRoute[]; mirrorRoutes: MirrorRoute[] } {
  const headers = new Map<string, HeaderRoute>();
  const mirrors = new Map<string, MirrorRoute>();
  if (index < steps.length) {
    for (const step of steps.slice(0, index + 1)) {
      const h = step.setHeaderRoute;
      if (h) {
        if (h.match && h.match.length > 0) headers.set(h.name, { name: h.name, match: h.match });
        else headers.delete(h.name);
      }
      const m = step.setMirrorRoute;
      if (m) {
        if (m.match && m.match.length > 0)
          mirrors.set(m.name, { name: m.name, percentage: m.percentage ?? 100, match: m.match });
        else mirrors.delete(m.name);
      }
    }
  }
  const order = <T extends { name: string }>(routes: Map<string, T>) =>
    managed.flatMap((name) => {
      const r = routes.get(name);
      return r ? [r] : [];
    });
  return { headerRoutes: order(headers), mirrorRoutes: order(mirrors) };
}

export type TargetInput = {
  steps: readonly CanaryStep[];
  managed: readonly string[];
  total: number;
  stableHash: string;
  canaryHash: string;
};

/** The full traffic state step `index` asks for (what a step waits to see before it completes). */
export function targetAt(input: TargetInput, index: number): TrafficTarget {
  return {
    active: true,
    weight: weightAt(input.steps, index, input.total),
    total: input.total,
    ...routesAt(input.steps, index, input.managed),
    stableHash: input.stableHash,
    canaryHash: input.canaryHash,
  };
}

/** No rollout in flight: no canary weight, no managed routes. */
export function inactiveTarget(total: number, stableHash: string, canaryHash: string): TrafficTarget {
  return { active: false, weight: 0, total, headerRoutes: [], mirrorRoutes: [], stableHash, canaryHash };
}

/**
 * Traffic never outruns pods: a canary with no available pod gets no weight (a new version just started,
 * or every canary pod failed); more weight goes to the canary only once its pods for that weight are
 * available, and weight comes back to stable only once stable can carry it (dynamicStableScale).
 * Otherwise the weight the routes show now is kept.
 */
export function gateWeight(input: {
  target: TrafficTarget;
  shown: number;
  canaryAvailable: number;
  canaryReady: boolean;
  stableReady: boolean;
}): TrafficTarget {
  const { target, shown } = input;
  // Even when stable cannot carry it all yet: a canary with no pod serves nothing.
  if (input.canaryAvailable === 0) return { ...target, weight: 0 };
  if (target.weight > shown && !input.canaryReady) return { ...target, active: true, weight: shown };
  if (target.weight < shown && !input.stableReady) return { ...target, active: true, weight: shown };
  return target;
}

/** The highest canary weight any router shows (0 with none): what traffic the canary may carry now. */
export const shownWeight = (routers: readonly TrafficRouter[], total: number): number =>
  Math.max(0, ...routers.map((r) => r.shownWeight(total)));

export const allShow = (routers: readonly TrafficRouter[], target: TrafficTarget): boolean =>
  routers.every((r) => r.shows(target));
