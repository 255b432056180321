// Flagger's `provider` as ramp's traffic routing, and the routes Flagger generated as objects to keep.
// Flagger makes (and owns, so deleting the Canary deletes them) an Istio VirtualService or a Gateway API
// HTTPRoute named after the apex Service; ramp weights a route the user owns. So the converter writes
// that route, sending everything to the stable Service and 0 to the canary Service, as ramp needs.
// The apex Service is ramp's stable Service (Flagger points it at the primary pods; ramp pins it to the
// stable pods), so clients and the user's Ingress keep their Service; `<svc>-primary` is not needed.
import type { Flavor } from "./builtins.ts";
import { type Json, type Path, type Source, stringMap } from "./source.ts";

export type Router = "istio" | "gatewayAPI" | "nginx" | "kubernetes" | "none";

// What to route with instead of each provider ramp does not have.
const ALTERNATIVE: Record<string, string> = {
  linkerd: "Linkerd serves Gateway API HTTPRoutes: route with ramp's gatewayAPI",
  contour: "Contour serves Gateway API: route with ramp's gatewayAPI",
  gloo: "Gloo Gateway serves Gateway API: route with ramp's gatewayAPI",
  traefik: "Traefik serves Gateway API: route with ramp's gatewayAPI",
  apisix: "Apache APISIX serves Gateway API: route with ramp's gatewayAPI",
  kuma: "Kuma serves Gateway API: route with ramp's gatewayAPI",
  skipper: "route with ramp's gatewayAPI, nginx or istio",
  osm: "Open Service Mesh is retired: route with ramp's gatewayAPI or istio",
  appmesh: "AWS App Mesh is retired: route with ramp's gatewayAPI (the AWS Gateway API controller) or istio",
  smi: "route with ramp's gatewayAPI (SMI meshes serve Gateway API), nginx or istio",
};

export type Provider = { router: Router; flavor: Flavor };

export function resolveProvider(canary: Source): Provider {
  const p = canary.str(["spec", "provider"]);
  canary.use(["spec", "provider"]);
  if (p === undefined || p === "") {
    canary.note(
      ["spec"],
      "no spec.provider: Flagger's -mesh-provider flag decided it; istio (its default) is assumed. Set " +
        "spec.provider and convert again if Flagger ran with another",
    );
    return { router: "istio", flavor: "istio" };
  }
  if (p === "istio") return { router: "istio", flavor: "istio" };
  if (p === "gatewayapi" || p.startsWith("gatewayapi:")) return { router: "gatewayAPI", flavor: "http" };
  if (p === "nginx") return { router: "nginx", flavor: "nginx" };
  if (p === "kubernetes") return { router: "kubernetes", flavor: "http" };
  const family = p.replace(/[:].*$/, "");
  canary.drop(
    ["spec", "provider"],
    `ramp does not route traffic with ${p}: ${ALTERNATIVE[family] ?? "route with ramp's gatewayAPI, nginx or istio"}. ` +
      "Converted without trafficRouting: the canary's weight is its share of the pods behind the apex Service",
  );
  return { router: "none", flavor: family === "linkerd" ? "linkerd" : "http" };
}

/** The Services' names: apex (what clients call), stable and canary. */
export type Names = { apex: string; stable: string; canary: string };

export const serviceNames = (apex: string, router: Router): Names => ({
  apex,
  // Without a router the apex must reach both versions, so ramp pins Flagger's `-primary` instead.
  stable: router === "none" ? `${apex}-primary` : apex,
  canary: `${apex}-canary`,
});

/** `strategy.canary.trafficRouting` for a router that weights (undefined for none). */
export function trafficRouting(canary: Source, router: Router, names: Names): Json | undefined {
  switch (router) {
    case "istio":
      return isTcp(canary)
        ? { istio: { virtualService: { name: names.apex, tcpRoutes: [{ port: servicePort(canary) }] } } }
        : { istio: { virtualService: { name: names.apex, routes: ["primary"] } } };
    case "gatewayAPI":
      return { gatewayAPI: { httpRoutes: [{ name: names.apex }] } };
    case "nginx": {
      const ingress = canary.str(["spec", "ingressRef", "name"]);
      canary.use(["spec", "ingressRef"]);
      if (!ingress) {
        canary.note(
          ["spec"],
          "provider nginx without spec.ingressRef: no Ingress to weight; converted without trafficRouting",
        );
        return undefined;
      }
      return { nginx: { stableIngress: ingress } };
    }
    default:
      return undefined;
  }
}

export const servicePort = (canary: Source): number => canary.num(["spec", "service", "port"]) ?? 80;
const isTcp = (canary: Source): boolean =>
  (canary.str(["spec", "service", "appProtocol"]) ?? "").toLowerCase() === "tcp";

/** The apex metadata Flagger puts on the route it generates, too. */
const apexMeta = (canary: Source): Json => {
  const out: Json = {};
  const labels = stringMap(canary.get(["spec", "service", "apex", "labels"]));
  const annotations = stringMap(canary.get(["spec", "service", "apex", "annotations"]));
  if (labels) out.labels = labels;
  if (annotations) out.annotations = annotations;
  return out;
};

const SVC: Path = ["spec", "service"];

/**
 * The VirtualService Flagger generated (and DestinationRules when it set a trafficPolicy). With `weighted`
 * false (blue-green) its route goes to the apex Service alone: ramp switches that Service's pods.
 */
export function istioObjects(
  canary: Source,
  names: Names,
  ns: string | undefined,
  weighted: boolean,
): Json[] {
  const s = (k: string) => canary.get([...SVC, k]);
  const delegation = canary.bool([...SVC, "delegation"]) === true;
  const hosts = (s("hosts") as string[] | undefined) ?? [];
  const gateways = (s("gateways") as string[] | undefined) ?? [];
  canary.use([...SVC, "hosts"], [...SVC, "gateways"], [...SVC, "delegation"]);
  const port =
    canary.bool([...SVC, "portDiscovery"]) && (delegation || (gateways[0] && gateways[0] !== "mesh"));
  const dest = (host: string, weight: number | undefined) => ({
    destination: { host, ...(port ? { port: { number: servicePort(canary) } } : {}) },
    ...(weight === undefined ? {} : { weight }),
  });
  const route = weighted ? [dest(names.stable, 100), dest(names.canary, 0)] : [dest(names.apex, undefined)];
  const spec: Json = delegation
    ? {}
    : {
        hosts: hosts.includes(names.apex) || hosts.includes("*") ? hosts : [...hosts, names.apex],
        gateways: gateways.length > 0 ? gateways : ["mesh"],
      };
  if (isTcp(canary)) {
    spec.tcp = [{ match: [{ port: servicePort(canary) }], route }];
  } else {
    const http: Json = { name: "primary" };
    for (const k of ["match", "timeout", "retries", "corsPolicy", "headers"]) {
      if (s(k) !== undefined) http[k] = s(k);
      canary.use([...SVC, k]);
    }
    const rewrite = canary.rec([...SVC, "rewrite"]);
    if (rewrite) {
      http.rewrite = {
        ...(rewrite.uri ? { uri: rewrite.uri } : {}),
        ...(rewrite.authority ? { authority: rewrite.authority } : {}),
      };
      canary.use([...SVC, "rewrite", "uri"], [...SVC, "rewrite", "authority"]);
      canary.drop(
        [...SVC, "rewrite", "type"],
        "Istio rewrites the matched prefix or the whole path by its match; type is read only for Gateway API",
      );
    }
    http.route = route;
    spec.http = [http];
  }
  const out: Json[] = [
    object("networking.istio.io/v1", "VirtualService", names.apex, ns, apexMeta(canary), spec),
  ];
  const policy = canary.get([...SVC, "trafficPolicy"]);
  canary.use([...SVC, "trafficPolicy"]);
  if (policy !== undefined)
    for (const host of weighted ? [names.stable, names.canary] : [names.apex, names.canary])
      out.push(
        object("networking.istio.io/v1", "DestinationRule", host, ns, {}, { host, trafficPolicy: policy }),
      );
  return out;
}

export const object = (
  apiVersion: string,
  kind: string,
  name: string,
  ns: string | undefined,
  meta: Json,
  spec: Json,
): Json => ({ apiVersion, kind, metadata: { name, ...(ns ? { namespace: ns } : {}), ...meta }, spec });

export { apexMeta };
