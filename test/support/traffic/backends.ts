// The three routers as tests see them: how to configure one, where to read what it wrote, and which
// fields the GitOps tool owns there. The shared scenarios run against each.
import assert from "node:assert/strict";
import type { ProxyMode } from "../../../dev/traffic/proxy.ts";
import type { RouteKind } from "../../../src/traffic/apis.ts";
import { canaryIngressName } from "../../../src/traffic/nginx.ts";
import type { TrafficFixture } from "./fixture.ts";
import type { RouteObj, Version } from "./routes.ts";

/** What the live routing objects say about the canary. */
export type Shown = { weight: number; total: number; managed: string[] };

export type Backend = {
  label: string;
  routeFile: string;
  /** The kinds whose versions tests inspect. */
  kinds: RouteKind[];
  routing(name: string, extra?: Record<string, unknown>): Record<string, unknown>;
  /** How the in-house proxy routes by this backend's objects. */
  proxy(name: string): ProxyMode;
  /** The data plane the shared scenarios use: Traefik (a real implementation) or the in-house proxy. */
  plane(name: string): ProxyMode | "traefik";
  /** The Services the proxy resolves for stable and canary traffic. */
  services(name: string): { stable: string; canary: string };
  read(t: TrafficFixture, name: string): Promise<Shown>;
  /** The canary weight one recorded version shows, or undefined for an object that carries none. */
  weightOf(v: Version, name: string): number | undefined;
  /** Asserts the fields the GitOps tool set on an object ramp writes (or reads) are all still there. */
  gitopsKept(o: RouteObj, name: string): void;
};

export const MANAGED = [{ name: "canary-header" }, { name: "mirror" }];

type GRule = { name?: string; backendRefs?: { name: string; weight?: number }[] };
const gRules = (o: RouteObj | undefined): GRule[] => (o?.spec?.rules as GRule[] | undefined) ?? [];

export const gateway: Backend = {
  label: "Gateway API HTTPRoute",
  routeFile: "httproute.yaml",
  kinds: ["HTTPRoute"],
  routing: (name, extra = {}) => ({
    gatewayAPI: { httpRoutes: [{ name }] },
    managedRoutes: MANAGED,
    ...extra,
  }),
  // The in-house proxy only for what no data plane built here does: RequestMirror (match-fields.test.ts).
  proxy: (name) => ({ kind: "gateway", httpRoute: name }),
  plane: () => "traefik",
  services: (name) => ({ stable: `${name}-stable`, canary: `${name}-canary` }),
  async read(t, name) {
    const o = await t.route("HTTPRoute", name);
    const refs = gRules(o).find((r) => r.name === "main")?.backendRefs ?? [];
    const w = (svc: string) => refs.find((r) => r.name === svc)?.weight ?? 1;
    const [s, c] = [w(`${name}-stable`), w(`${name}-canary`)];
    return {
      weight: c,
      total: s + c,
      managed: gRules(o).flatMap((r) => (r.name && r.name !== "main" && r.name !== "admin" ? [r.name] : [])),
    };
  },
  weightOf(v, name) {
    if (v.kind !== "HTTPRoute" || v.obj.metadata.name !== name) return undefined;
    return gRules(v.obj)
      .find((r) => r.name === "main")
      ?.backendRefs?.find((r) => r.name === `${name}-canary`)?.weight;
  },
  gitopsKept(o, name) {
    assert.equal(o.metadata.labels?.team, "payments", `${o.metadata.name}: the GitOps label is gone`);
    const admin = gRules(o).find((r) => r.name === "admin");
    assert.deepEqual(
      admin?.backendRefs?.map((r) => r.name),
      [`${name}-admin`],
      "the /admin rule changed",
    );
  },
};

const PREFIX = "nginx.ingress.kubernetes.io";
export const nginx: Backend = {
  label: "NGINX Ingress",
  routeFile: "ingress.yaml",
  kinds: ["Ingress"],
  routing: (name, extra = {}) => ({ nginx: { stableIngress: name }, managedRoutes: MANAGED, ...extra }),
  proxy: () => ({ kind: "nginx" }),
  plane: () => ({ kind: "nginx" }),
  services: (name) => ({ stable: `${name}-stable`, canary: `${name}-canary` }),
  async read(t, name) {
    const o = await t.route("Ingress", canaryIngressName(name, name));
    const a = o?.metadata.annotations ?? {};
    return {
      weight: o ? Number(a[`${PREFIX}/canary-weight`]) : 0,
      total: o ? Number(a[`${PREFIX}/canary-weight-total`]) : 100,
      managed: a[`${PREFIX}/canary-by-header`] ? ["canary-header"] : [],
    };
  },
  weightOf(v, name) {
    if (v.kind !== "Ingress" || v.obj.metadata.name !== canaryIngressName(name, name)) return undefined;
    return v.type === "DELETED" ? 0 : Number(v.obj.metadata.annotations?.[`${PREFIX}/canary-weight`]);
  },
  gitopsKept(o, name) {
    if (o.metadata.name !== name) return;
    assert.equal(o.metadata.labels?.team, "payments", "the stable Ingress lost its GitOps label");
    const managers = (o.metadata.managedFields ?? []).map((m) => m.manager);
    assert.ok(!managers.includes("ramp-controller"), `ramp wrote the stable Ingress: ${managers}`);
  },
};

type VRoute = {
  name?: string;
  route?: { destination: { subset?: string; host: string }; weight?: number }[];
};
const vRoutes = (o: RouteObj | undefined): VRoute[] => (o?.spec?.http as VRoute[] | undefined) ?? [];
const canaryDest = (d: { subset?: string; host: string }) =>
  d.subset === "canary" || d.host.includes("-canary");

export const istio: Backend = {
  label: "Istio VirtualService",
  routeFile: "virtualservice.yaml",
  kinds: ["VirtualService", "DestinationRule"],
  routing: (name, extra = {}) => ({
    istio: {
      virtualService: { name, routes: ["primary"] },
      destinationRule: { name, canarySubsetName: "canary", stableSubsetName: "stable" },
    },
    managedRoutes: MANAGED,
    ...extra,
  }),
  proxy: (name) => ({ kind: "istio", virtualService: name }),
  plane: (name) => ({ kind: "istio", virtualService: name }),
  // ramp pins these to the same versions as the subsets: the proxy's data plane converged when they did.
  services: (name) => ({ stable: `${name}-stable`, canary: `${name}-canary` }),
  async read(t, name) {
    const o = await t.route("VirtualService", name);
    const primary = vRoutes(o).find((r) => r.name === "primary");
    const c = primary?.route?.find((d) => canaryDest(d.destination))?.weight ?? 0;
    return {
      weight: c,
      total: 100,
      managed: vRoutes(o).flatMap((r) =>
        r.name && r.name !== "primary" && r.name !== "admin" ? [r.name] : [],
      ),
    };
  },
  weightOf(v, name) {
    if (v.kind !== "VirtualService" || v.obj.metadata.name !== name) return undefined;
    return vRoutes(v.obj)
      .find((r) => r.name === "primary")
      ?.route?.find((d) => canaryDest(d.destination))?.weight;
  },
  gitopsKept(o, name) {
    assert.equal(
      o.metadata.labels?.team,
      "payments",
      `${o.kind} ${o.metadata.name}: the GitOps label is gone`,
    );
    if (o.kind === "VirtualService") {
      const admin = vRoutes(o).find((r) => r.name === "admin");
      assert.deepEqual(
        admin?.route?.map((d) => d.destination.host),
        [`${name}-admin`],
        "the /admin route changed",
      );
    }
  },
};
