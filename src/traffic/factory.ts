// The one place traffic routers are made: a table of backends over spec.strategy.canary.trafficRouting.
// Callers get a list of TrafficRouters and never ask which backend one is.
import type { CanaryStrategy } from "../api/index.ts";
import { RampError } from "../errors.ts";
import type { RolloutContext } from "../rollout/context.ts";
import type { Deps } from "../rollout/deps.ts";
import { ROUTE_APIS } from "./apis.ts";
import { gatewayAPI } from "./gateway.ts";
import { istio } from "./istio.ts";
import { nginx } from "./nginx.ts";
import { type RouterBuilder, type RouterEnv, routingField, type TrafficRouter } from "./router.ts";

const BACKENDS: readonly RouterBuilder[] = [gatewayAPI, nginx, istio];

/**
 * The routers of a Rollout, verified against the caches: throws a RampError (the Rollout goes Degraded)
 * when an API is not served, a step asks what a backend cannot do, or a route object cannot carry traffic.
 * None without trafficRouting.
 */
export function buildRouters(ctx: RolloutContext, deps: Deps): TrafficRouter[] {
  const spec = ctx.rollout.spec.strategy.canary as CanaryStrategy | undefined;
  const routing = spec?.trafficRouting;
  if (!spec || !routing) return [];
  // Admission guarantees both Services with trafficRouting (a CEL rule); the schema cannot say so to TS.
  const stableService = spec.stableService ?? "";
  const canaryService = spec.canaryService ?? "";
  const steps = spec.steps ?? [];
  checkManagedNames(steps);
  const env: RouterEnv = {
    namespace: ctx.namespace,
    rollout: {
      apiVersion: ctx.rollout.apiVersion,
      kind: ctx.rollout.kind,
      name: ctx.name,
      uid: ctx.rollout.metadata.uid ?? "",
    },
    key: ctx.key,
    stableService,
    canaryService,
    routing,
    steps,
    managed: (routing.managedRoutes ?? []).map((r) => r.name),
    caches: deps.caches,
    writer: deps.writer,
  };
  const routers: TrafficRouter[] = [];
  for (const backend of BACKENDS) {
    for (const kind of backend.kinds(routing)) {
      if (deps.caches.routeApiServed(kind)) continue;
      const api = ROUTE_APIS[kind];
      throw new RampError(
        "RouterNotInstalled",
        `${routingField(backend.field)}: the cluster did not serve ${kind} (${api.group}/${api.version}) ` +
          `when ramp-controller started: ${api.install}, then restart ramp-controller`,
      );
    }
    routers.push(...(backend.build(env) ?? []));
  }
  for (const r of routers) r.verify();
  return routers;
}

/** A managed route is either a header route or a mirror route: each becomes one named rule. */
function checkManagedNames(steps: NonNullable<CanaryStrategy["steps"]>): void {
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
