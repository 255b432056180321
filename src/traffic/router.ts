// The one interface every traffic router implements, and the traffic state the reconcile asks of them.
import type { CanaryStep, TrafficRouting } from "../api/index.ts";
import type { RouteKind } from "./apis.ts";
import type { RouteCaches, RouteWrite } from "./ports.ts";

export type HeaderValue = {
  exact?: string | undefined;
  regex?: string | undefined;
  prefix?: string | undefined;
};
export type HeaderMatch = { headerName: string; headerValue: HeaderValue };
export type HeaderRoute = { name: string; match: HeaderMatch[] };

export type MirrorMatch = {
  method?: { exact: string } | undefined;
  path?: { exact?: string | undefined; prefix?: string | undefined } | undefined;
  headers?: Record<string, { exact: string }> | undefined;
};
export type MirrorRoute = { name: string; percentage: number; match: MirrorMatch[] };

/** What the routes should say, derived from the machine's state on every reconcile (level-triggered). */
export type TrafficTarget = {
  /** false: no rollout in flight (steady, or aborted): every router undoes what it added for one. */
  active: boolean;
  /** The canary's weight, out of `total`. */
  weight: number;
  /** trafficRouting.maxTrafficWeight, default 100. */
  total: number;
  /** Header routes in force, in trafficRouting.managedRoutes order. */
  headerRoutes: HeaderRoute[];
  mirrorRoutes: MirrorRoute[];
  /** Pod-template hashes for routers that select pods themselves (DestinationRule subsets). */
  stableHash: string;
  canaryHash: string;
};

/**
 * A traffic router (after Argo Rollouts' TrafficRoutingReconciler): verify, then set weight, header and
 * mirror routes, or remove the managed routes, all planned by `plan`: at most one write per object per
 * reconcile, computed from the watch cache, touching only the fields ramp owns, and none when `shows` is true.
 */
export interface TrafficRouter {
  /** `HTTPRoute "web"`: how conditions and Events name what this router writes. */
  readonly describe: string;
  /** Throws a RampError naming the object and the fix when it cannot carry this Rollout's traffic. */
  verify(): void;
  /** The canary weight (out of the target's total) the cached objects show now; 0 when they show none. */
  shownWeight(total: number): number;
  /** True when the cached objects already say what `target` asks (a step waits for this). */
  shows(target: TrafficTarget): boolean;
  /** The writes that make the routes show `target` (weight, header and mirror routes, or none); [] when shown. */
  plan(target: TrafficTarget): RouteWrite[];
}

/** Everything a router needs, built once per reconcile by the factory. */
export type RouterEnv = {
  namespace: string;
  rollout: { apiVersion: string; kind: string; name: string; uid: string };
  /** `namespace/name`, the key of the Rollout's canary objects in the caches. */
  key: string;
  stableService: string;
  canaryService: string;
  routing: TrafficRouting;
  steps: readonly CanaryStep[];
  /** Names of trafficRouting.managedRoutes, in priority order: the only rules/routes ramp adds or removes. */
  managed: readonly string[];
  caches: RouteCaches;
};

/** Builds the routers of one backend from the Rollout's trafficRouting, or none when it is not configured. */
export type RouterBuilder = {
  /** The field under trafficRouting, for messages. */
  field: keyof TrafficRouting;
  /** The kinds its routers read and write, when trafficRouting configures it (discovery must show them). */
  kinds(routing: TrafficRouting): RouteKind[];
  build(env: RouterEnv): TrafficRouter[] | undefined;
};

/** A regular expression that matches values starting with `prefix` (for routers without a prefix match). */
export const prefixRegex = (prefix: string): string => `^${prefix.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}.*`;

/** `spec.strategy.canary.trafficRouting.<field>` */
export const routingField = (field: string): string => `spec.strategy.canary.trafficRouting.${field}`;
