// The canary the routed plan tests share: 4 pods behind web-stable/web-canary, weighted in HTTPRoute "web".
import type { SpecInput, World } from "../world.ts";

// 4 pods: maxSurge 25% → 1, maxUnavailable 25% → 1.
export const routed = (steps: unknown[], extra: Record<string, unknown> = {}): SpecInput => ({
  replicas: 4,
  strategy: {
    canary: {
      canaryService: "web-canary",
      stableService: "web-stable",
      trafficRouting: { gatewayAPI: { httpRoutes: [{ name: "web" }] } },
      steps: steps as never,
      ...extra,
    },
  },
});

/** The Services and the HTTPRoute a routed canary needs. */
export const routedCluster = (w: World): World =>
  w.withServices("web-stable", "web-canary").withHttpRoute("web", "web-stable", "web-canary");
