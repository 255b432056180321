// The weights a Rollout's routers hold now, read from the route objects its spec names (one GET each when a
// detail is built): HTTPRoute backendRefs, the canary Ingress's canary-weight, VirtualService routes.
import type { Clients } from "../../kube/client.ts";
import type { RouterView } from "../contract.ts";
import type { RawRollout } from "../model/raw.ts";
import type { ResourceAttributes } from "./authz.ts";

type Route = { kind: string; name: string; path: string; attrs: Omit<ResourceAttributes, "namespace"> };
type Obj = { metadata?: { annotations?: Record<string, string> }; spec?: Record<string, unknown> };
type WeightedRef = { name?: string; weight?: number; destination?: { host?: string; subset?: string } };

// As src/traffic/nginx.ts canaryIngressName: ramp's canary Ingress for one stable Ingress.
export function canaryIngressName(rollout: string, ingress: string): string {
  const base = `${rollout}-${ingress}`.slice(0, 253 - "-canary".length).replace(/[-.]+$/, "");
  return `${base}-canary`;
}

/** The route objects a Rollout's spec names, with the RBAC attributes a viewer needs to read each. */
export function routesOf(r: RawRollout): Route[] {
  const ns = r.metadata?.namespace ?? "";
  const routing = r.spec?.strategy?.canary?.trafficRouting;
  if (!routing) return [];
  const out: Route[] = [];
  for (const h of routing.gatewayAPI?.httpRoutes ?? []) {
    const name = h.name ?? "";
    out.push({
      kind: "HTTPRoute",
      name,
      path: `/apis/gateway.networking.k8s.io/v1/namespaces/${ns}/httproutes/${name}`,
      attrs: { verb: "get", group: "gateway.networking.k8s.io", resource: "httproutes", name },
    });
  }
  const nginx = routing.nginx;
  for (const stable of nginx
    ? (nginx.stableIngresses ?? (nginx.stableIngress ? [nginx.stableIngress] : []))
    : []) {
    const name = canaryIngressName(r.metadata?.name ?? "", stable);
    out.push({
      kind: "Ingress",
      name,
      path: `/apis/networking.k8s.io/v1/namespaces/${ns}/ingresses/${name}`,
      attrs: { verb: "get", group: "networking.k8s.io", resource: "ingresses", name },
    });
  }
  const istio = routing.istio;
  for (const vs of istio
    ? (istio.virtualServices ?? (istio.virtualService ? [istio.virtualService] : []))
    : []) {
    const name = vs.name ?? "";
    out.push({
      kind: "VirtualService",
      name,
      path: `/apis/networking.istio.io/v1/namespaces/${ns}/virtualservices/${name}`,
      attrs: { verb: "get", group: "networking.istio.io", resource: "virtualservices", name },
    });
  }
  return out;
}

/** The weights in one route object as its kind keeps them. */
export function weightsOf(kind: string, obj: Obj, annotationPrefix: string): RouterView["weights"] {
  const spec = obj.spec ?? {};
  const refs = (list: unknown): WeightedRef[] => (Array.isArray(list) ? (list as WeightedRef[]) : []);
  const seen = new Map<string, number>();
  if (kind === "HTTPRoute") {
    for (const rule of refs(spec.rules) as { backendRefs?: WeightedRef[] }[])
      for (const b of rule.backendRefs ?? [])
        if (!seen.has(b.name ?? "")) seen.set(b.name ?? "", b.weight ?? 1);
  } else if (kind === "VirtualService") {
    for (const http of refs(spec.http) as { route?: WeightedRef[] }[])
      for (const d of http.route ?? []) {
        const backend = d.destination?.subset ?? d.destination?.host ?? "";
        if (!seen.has(backend)) seen.set(backend, d.weight ?? 100);
      }
  } else if (kind === "Ingress") {
    const a = obj.metadata?.annotations ?? {};
    const weight = Number(a[`${annotationPrefix}/canary-weight`] ?? 0);
    const total = Number(a[`${annotationPrefix}/canary-weight-total`] ?? 100);
    seen.set("canary", weight);
    seen.set("stable", total - weight);
  }
  return [...seen].map(([backend, weight]) => ({ backend, weight }));
}

/** Reads each route the viewer may read; a missing object shows with no weights. */
export async function readRouters(
  clients: Clients,
  r: RawRollout,
  mayRead: (attrs: Omit<ResourceAttributes, "namespace">) => Promise<boolean>,
): Promise<RouterView[]> {
  const prefix =
    r.spec?.strategy?.canary?.trafficRouting?.nginx?.annotationPrefix ?? "nginx.ingress.kubernetes.io";
  const views = await Promise.all(
    routesOf(r).map(async (route): Promise<RouterView | undefined> => {
      if (!(await mayRead(route.attrs))) return undefined;
      const obj = await clients.request<Obj>("GET", route.path).catch(() => undefined);
      return { kind: route.kind, name: route.name, weights: obj ? weightsOf(route.kind, obj, prefix) : [] };
    }),
  );
  return views.filter((v): v is RouterView => v !== undefined);
}
