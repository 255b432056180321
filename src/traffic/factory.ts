// The one place traffic routers are made: a table of backends over spec.strategy.canary.trafficRouting.
// Callers get a list of TrafficRouters and never ask which backend one is.
import type { CanaryStep, CanaryStrategy, Rollout, TrafficRouting } from "../api/index.ts";
import { RampError } from "../errors.ts";
import { ROUTE_APIS } from "./apis.ts";
import { gatewayAPI } from "./gateway.ts";
import { istio } from "./istio.ts";
import { nginx } from "./nginx.ts";
import type { RouteCaches } from "./ports.ts";
import { type RouterBuilder, type RouterEnv, routingField, type TrafficRouter } from "./router.ts";

const BACKENDS: readonly RouterBuilder[] = [gatewayAPI, nginx, istio];

/** The Rollout the routers serve (a reconcile's context has these fields). */
export type RoutedRollout = { key: string; namespace: string; name: string; rollout: Rollout };

/** The Services the routes weight, when not the spec's canaryService and stableService (pingPong). */
export type RoutedServices = { stable: string | undefined; canary: string | undefined };

/**
 * The routers of a Rollout, verified against the caches: throws a RampError (the Rollout goes Degraded)
 * when an API is not served, a step asks what a backend cannot do, or a route object cannot carry traffic.
 * None without trafficRouting.
 */
export function buildRouters(
  ctx: RoutedRollout,
  caches: RouteCaches,
  services?: RoutedServices,
): TrafficRouter[] {
  const env = routerEnv(ctx, caches, services);
  if (!env) return [];
  checkManagedNames(env.steps);
  const routers: TrafficRouter[] = [];
  for (const backend of BACKENDS) {
    checkServed(backend, env.routing, caches);
    routers.push(...(backend.build(env) ?? []));
  }
  for (const r of routers) r.verify();
  return routers;
}

/**
 * The routers that give a deleted Rollout's routes back, unverified: a backend that cannot be built (its
 * API not served, a step it cannot express) is reported in `problems`, and the others are still returned.
 */
export function routersToRelease(
  ctx: RoutedRollout,
  caches: RouteCaches,
  services?: RoutedServices,
): { routers: TrafficRouter[]; problems: RampError[] } {
  const env = routerEnv(ctx, caches, services);
  const routers: TrafficRouter[] = [];
  const problems: RampError[] = [];
  if (!env) return { routers, problems };
  for (const backend of BACKENDS) {
    try {
      checkServed(backend, env.routing, caches);
      routers.push(...(backend.build(env) ?? []));
    } catch (err) {
      if (!(err instanceof RampError)) throw err;
      problems.push(err);
    }
  }
  return { routers, problems };
}

/** What every router of the Rollout shares; undefined without trafficRouting. */
function routerEnv(
  ctx: RoutedRollout,
  caches: RouteCaches,
  services?: RoutedServices,
): RouterEnv | undefined {
  const spec = ctx.rollout.spec.strategy.canary as CanaryStrategy | undefined;
  const routing = spec?.trafficRouting;
  if (!spec || !routing) return undefined;
  return {
    namespace: ctx.namespace,
    rollout: {
      apiVersion: ctx.rollout.apiVersion,
      kind: ctx.rollout.kind,
      name: ctx.name,
      uid: ctx.rollout.metadata.uid ?? "",
    },
    key: ctx.key,
    // Admission guarantees both Services with trafficRouting, except for Istio subset-level routing alone,
    // whose routers match destinations by subset and never read these (a CEL rule).
    stableService: services?.stable ?? spec.stableService ?? "",
    canaryService: services?.canary ?? spec.canaryService ?? "",
    routing,
    steps: spec.steps ?? [],
    managed: (routing.managedRoutes ?? []).map((r) => r.name),
    caches,
  };
}

function checkServed(backend: RouterBuilder, routing: TrafficRouting, caches: RouteCaches): void {
  for (const kind of backend.kinds(routing)) {
    if (caches.routeApiServed(kind)) continue;
    const api = ROUTE_APIS[kind];
    throw new RampError(
      "RouterNotInstalled",
      `${routingField(backend.field)}: the cluster does not serve ${kind} (${api.group}/${api.version}): ` +
        `${api.install}; ramp-controller watches CRDs and picks the API up once it is served, no restart needed`,
    );
  }
}

/** A managed route is either a header route or a mirror route: each becomes one named rule. */
function checkManagedNames(steps: readonly CanaryStep[]): void {
  const headers = new Set(steps.flatMap((s) => (s.setHeaderRoute ? [s.setHeaderRoute.name] : [])));
  steps.forEach((s, i) => {
    const name = s.setMirrorRoute?.name;
    if (name !== undefined && headers.has(name)) {
      throw new RampError(
        "InvalidSpec",
        `spec.strategy.canary.steps[${i}].setMirrorRoute.name: "${name}" is also a setHeaderRoute's name: give ` +
          "each its own entry in trafficRouting.managedRoutes",
      );
    }
  });
}
