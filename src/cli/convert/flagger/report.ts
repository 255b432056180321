// What a Canary leaves behind once converted: the fields no mapping carried, each with its reason, and
// how to migrate without losing the objects Flagger generated.
import type { Plan } from "./plan.ts";
import type { Path, Source } from "./source.ts";
import type { Provider } from "./traffic.ts";

/**
 * Flagger owns the Services and routes it generated: deleting the Canary would delete them under the
 * Rollout. So the Canary goes with --cascade=orphan, and what only Flagger used is deleted by hand after.
 */
export function noteMigration(canary: Source, provider: Provider, plan: Plan): void {
  const target = canary.str(["spec", "targetRef", "name"]) ?? canary.name;
  const ns = canary.namespace ? ` -n ${canary.namespace}` : "";
  const leftovers = [
    `Deployment ${target}-primary`,
    ...(plan.names.stable === `${plan.names.apex}-primary` ? [] : [`Service ${plan.names.apex}-primary`]),
    ...(provider.router === "nginx" && canary.str(["spec", "ingressRef", "name"])
      ? [`Ingress ${canary.str(["spec", "ingressRef", "name"])}-canary`]
      : []),
    ...(canary.str(["spec", "autoscalerRef", "name"])
      ? [
          `${canary.str(["spec", "autoscalerRef", "kind"]) ?? "HorizontalPodAutoscaler"} ${canary.str(["spec", "autoscalerRef", "name"])}-primary`,
        ]
      : []),
  ];
  canary.note(
    [],
    `\`kubectl ramp migrate canary ${canary.name}${ns}\` moves the running app without restarting a pod; by ` +
      `hand: \`kubectl delete canary.flagger.app ${canary.name}${ns} --cascade=orphan\` (what Flagger generated ` +
      `stays for these objects to take over), apply the output, and once the Rollout is Healthy delete ` +
      `${leftovers.join(", ")}`,
  );
}

const ROUTE_FIELDS = [
  "timeout",
  "gateways",
  "gatewayRefs",
  "hosts",
  "delegation",
  "trafficPolicy",
  "match",
  "rewrite",
  "retries",
  "headers",
  "mirror",
  "corsPolicy",
];

/** The fields no part above carried, each with its reason. */
export function reportRest(canary: Source, base: Path): void {
  const p = ["spec", "provider"];
  const by = canary.str(p) ?? "istio";
  for (const f of ROUTE_FIELDS)
    canary.dropUnused(
      ["spec", "service", f],
      `not read for provider ${by}: Flagger writes it only into the routes of other providers`,
    );
  for (const f of ["meshName", "backends"])
    canary.drop(["spec", "service", f], "read only for AWS App Mesh, which ramp does not route");
  canary.drop(["spec", "routeRef"], "read only for APISIX, which ramp does not route");
  canary.drop(["spec", "upstreamRef"], "read only for Gloo, which ramp does not route");
  canary.dropUnused(["spec", "ingressRef"], `read only for provider nginx (this Canary's is ${by})`);
  if (canary.bool(["spec", "skipAnalysis"]) === true)
    canary.drop(
      ["spec", "skipAnalysis"],
      "ramp has no per-Rollout switch to skip the analysis: ship one release at once with `kubectl ramp promote --full`",
    );
  canary.use(["spec", "skipAnalysis"]);
  canary.drop(
    [...base, "alerts"],
    "ramp sends no notifications yet: alert on the Rollout's Events and conditions, or on ramp's Prometheus metrics",
  );
  for (const f of ["primaryReadyThreshold", "canaryReadyThreshold"])
    canary.drop(
      [...base, f],
      "ramp waits for every pod of a step to be available; there is no partial readiness threshold",
    );
  canary.drop(
    [...base, "sessionAffinity"],
    "ramp has no sticky canary sessions (with nginx, a canary-by-cookie annotation in trafficRouting.nginx.additionalIngressAnnotations routes by cookie)",
  );
  canary.use(["spec", "service", "name"], ["spec", "service", "port"]);
  canary.leftovers(["spec"], "not carried: the converter does not know this field");
}
