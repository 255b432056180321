// Istio (networking.istio.io/v1): ramp weights the stable and canary destinations of named HTTP routes of
// VirtualServices (by Service host, or by DestinationRule subset), adds managed routes for header and
// mirror routes, and pins the DestinationRule subsets' labels to the pod-template hashes. spec.http and
// spec.subsets are atomic lists, so writes are JSON patches of just those fields, guarded by `test` ops.

import { HASH_LABEL } from "../api/labels.ts";
import { RampError } from "../errors.ts";
import { describeRef, type RouteObject } from "./apis.ts";
import { type L4Ref, type L4Weighted, selectL4, shownL4, weighL4 } from "./istio-l4.ts";
import { clone, jsonEqual, Patcher, pointer } from "./json-patch.ts";
import { syncManaged } from "./managed.ts";
import type { RouteWrite } from "./ports.ts";
import type {
  HeaderRoute,
  HeaderValue,
  MirrorMatch,
  MirrorRoute,
  RouterBuilder,
  RouterEnv,
  TrafficRouter,
  TrafficTarget,
} from "./router.ts";
import { routingField } from "./router.ts";

type StringMatch = { exact?: string; prefix?: string; regex?: string };
type Destination = { host: string; subset?: string; port?: { number?: number } };
type RouteDestination = { destination: Destination; weight?: number };
type Match = { uri?: StringMatch; method?: StringMatch; headers?: Record<string, StringMatch> } & Record<
  string,
  unknown
>;
type HttpRoute = {
  name?: string;
  match?: Match[];
  route?: RouteDestination[];
  mirror?: Destination;
  mirrorPercentage?: { value: number };
};
type Subset = { name: string; labels?: Record<string, string> };

type Weighted = { route: HttpRoute; index: number; stable: number; canary: number };
type VirtualServiceConfig = {
  name: string;
  routes?: string[] | undefined;
  tlsRoutes?: { port?: number | undefined; sniHosts?: string[] | undefined }[] | undefined;
  tcpRoutes?: { port?: number | undefined }[] | undefined;
};

const routeName = (r: HttpRoute, i: number) => (r.name ? `HTTP route "${r.name}"` : `http[${i}]`);

const stringMatch = (v: HeaderValue): StringMatch =>
  v.exact !== undefined
    ? { exact: v.exact }
    : v.regex !== undefined
      ? { regex: v.regex }
      : { prefix: v.prefix ?? "" };

function mirrorMatch(m: Match, mm: MirrorMatch): Match {
  const out = clone(m);
  if (mm.path?.exact !== undefined) out.uri = { exact: mm.path.exact };
  else if (mm.path?.prefix !== undefined) out.uri = { prefix: mm.path.prefix };
  if (mm.method) out.method = { exact: mm.method.exact };
  const headers = Object.entries(mm.headers ?? {}).map(([k, v]) => [k.toLowerCase(), { exact: v.exact }]);
  if (headers.length > 0) out.headers = { ...(m.headers ?? {}), ...Object.fromEntries(headers) };
  return out;
}

const baseMatches = (r: HttpRoute): Match[] => (r.match && r.match.length > 0 ? r.match : [{}]);

class VirtualServiceRouter implements TrafficRouter {
  readonly describe: string;
  readonly #env: RouterEnv;
  readonly #name: string;
  readonly #routes: string[] | undefined;
  readonly #l4: L4Ref[];
  readonly #field: string;

  constructor(env: RouterEnv, cfg: VirtualServiceConfig, field: string) {
    this.#env = env;
    this.#name = cfg.name;
    this.#routes = cfg.routes;
    this.#l4 = [
      ...(cfg.tlsRoutes ?? []).map((r) => ({ kind: "tls" as const, ...r })),
      ...(cfg.tcpRoutes ?? []).map((r) => ({ kind: "tcp" as const, ...r })),
    ];
    this.#field = field;
    this.describe = describeRef("VirtualService", cfg.name);
  }

  verify(): void {
    const vs = this.#vs();
    this.#select(vs.spec?.http as HttpRoute[] | undefined);
    this.#selectL4(vs);
  }

  shownWeight(total: number): number {
    const vs = this.#env.caches.routeObject("VirtualService", this.#env.namespace, this.#name);
    let first: Weighted | undefined;
    let l4: number | undefined;
    try {
      first = this.#select(vs?.spec?.http as HttpRoute[] | undefined)[0];
      l4 = vs ? shownL4(vs.spec, this.#selectL4(vs)) : undefined;
    } catch {
      return 0;
    }
    const c = first ? (first.route.route?.[first.canary]?.weight ?? 0) : (l4 ?? 0);
    return (c * total) / 100;
  }

  shows(target: TrafficTarget): boolean {
    return !this.#plan(this.#vs(), target).changes;
  }

  plan(target: TrafficTarget): RouteWrite[] {
    const p = this.#plan(this.#vs(), target);
    if (!p.changes) return [];
    const ref = { kind: "VirtualService" as const, namespace: this.#env.namespace, name: this.#name };
    return [{ op: "patch", ref, ops: p.ops }];
  }

  #vs(): RouteObject {
    const { namespace } = this.#env;
    const vs = this.#env.caches.routeObject("VirtualService", namespace, this.#name);
    if (!vs) {
      throw new RampError(
        "RouteNotFound",
        `${this.#field}: VirtualService "${this.#name}" does not exist in namespace "${namespace}": create it, ` +
          `with an HTTP route to the ${this.#destinations()}, or correct the name`,
      );
    }
    return vs;
  }

  #destinations(): string {
    const dr = this.#env.routing.istio?.destinationRule;
    const { stableService: s, canaryService: c } = this.#env;
    return dr
      ? `subsets "${dr.stableSubsetName}" and "${dr.canarySubsetName}" (weight 0)`
      : `stableService "${s}" and the canaryService "${c}" (weight 0)`;
  }

  #isStable(d: Destination): boolean {
    const dr = this.#env.routing.istio?.destinationRule;
    return dr ? d.subset === dr.stableSubsetName : this.#isHost(d.host, this.#env.stableService);
  }

  #isCanary(d: Destination): boolean {
    const dr = this.#env.routing.istio?.destinationRule;
    return dr ? d.subset === dr.canarySubsetName : this.#isHost(d.host, this.#env.canaryService);
  }

  // A Service host may be short or qualified: web, web.ns, web.ns.svc, web.ns.svc.cluster.local.
  #isHost(host: string, svc: string): boolean {
    const ns = this.#env.namespace;
    return (
      host === svc ||
      host === `${svc}.${ns}` ||
      host === `${svc}.${ns}.svc` ||
      host.startsWith(`${svc}.${ns}.svc.`)
    );
  }

  #select(http: HttpRoute[] | undefined): Weighted[] {
    const all = http ?? [];
    const managed = new Set(this.#env.managed);
    const candidates = all
      .map((route, index) => ({ route, index }))
      .filter(({ route }) => !(route.name && managed.has(route.name)));
    let chosen = candidates;
    if (this.#routes) {
      chosen = this.#routes.map((n) => {
        const found = candidates.find((c) => c.route.name === n);
        if (!found) {
          throw new RampError(
            "RouteRuleNotFound",
            `${this.#field}.routes: VirtualService "${this.#name}" has no HTTP route named "${n}": set name: ${n} ` +
              "on the route to weight, or correct the name",
          );
        }
        return found;
      });
    } else if (candidates.length === 0 && this.#l4.length > 0) {
      // A VirtualService of TLS or TCP routes only: those are what ramp weights.
      chosen = [];
    } else if (candidates.length !== 1) {
      throw new RampError(
        "RouteRuleNotFound",
        candidates.length === 0
          ? `${this.#field}: VirtualService "${this.#name}" has no HTTP route: add one to the ${this.#destinations()}`
          : `${this.#field}: VirtualService "${this.#name}" has ${candidates.length} HTTP routes: name the ones ` +
              `ramp weights in ${this.#field}.routes`,
      );
    }
    return chosen.map(({ route, index }) => {
      const dests = route.route ?? [];
      const s = dests.findIndex((d) => this.#isStable(d.destination));
      const c = dests.findIndex((d) => this.#isCanary(d.destination));
      if (s < 0 || c < 0) {
        throw new RampError(
          "ServiceNotInRoute",
          `${this.#field}: VirtualService "${this.#name}" ${routeName(route, index)} has no destination for the ` +
            `${s < 0 ? "stable" : "canary"} version: route it to the ${this.#destinations()}`,
        );
      }
      return { route, index, stable: s, canary: c };
    });
  }

  #selectL4(vs: RouteObject): L4Weighted[] {
    const where = { field: this.#field, name: this.#name, destinations: this.#destinations() };
    return selectL4(
      vs.spec,
      this.#l4,
      where,
      (d) => this.#isStable(d),
      (d) => this.#isCanary(d),
    );
  }

  #plan(vs: RouteObject, target: TrafficTarget): Patcher {
    const p = new Patcher(vs);
    const http = (p.get("/spec/http") as HttpRoute[] | undefined) ?? [];
    const weighted = this.#select(http);
    const w = target.active ? target.weight : 0;
    weighL4(p, this.#selectL4(vs), w);
    for (const sel of weighted) {
      const i = http.indexOf(sel.route);
      const dests: [number, number][] = [
        [sel.stable, 100 - w],
        [sel.canary, w],
      ];
      for (const [j, weight] of dests) {
        const at = pointer("spec", "http", i, "route", j);
        if (p.get(`${at}/weight`) === weight) continue;
        p.test(`${at}/destination`, p.get(`${at}/destination`));
        p.add(`${at}/weight`, weight);
      }
    }
    const [first] = weighted;
    if (!first) return p;
    const order = (n: string | undefined) => this.#env.managed.indexOf(n ?? "");
    const desired = target.active
      ? [
          ...target.headerRoutes.map((h) => this.#headerRoute(h, weighted)),
          ...target.mirrorRoutes.map((m) => this.#mirrorRoute(m, weighted)),
        ].sort((a, b) => order(a.name) - order(b.name))
      : [];
    syncManaged<HttpRoute>({
      p,
      path: ["spec", "http"],
      managed: new Set(this.#env.managed),
      desired,
      anchor: first.route,
      same: jsonEqual,
    });
    return p;
  }

  #canaryDestination(sel: Weighted): Destination {
    return clone(sel.route.route?.[sel.canary]?.destination ?? { host: this.#env.canaryService });
  }

  /** First match wins in Istio: this route sits before the weighted ones and sends matches to the canary. */
  #headerRoute(route: HeaderRoute, weighted: Weighted[]): HttpRoute {
    const headers = Object.fromEntries(
      route.match.map((m) => [m.headerName.toLowerCase(), stringMatch(m.headerValue)]),
    );
    const [first] = weighted as [Weighted];
    return {
      name: route.name,
      match: weighted.flatMap((w) =>
        baseMatches(w.route).map((m) => ({ ...clone(m), headers: { ...(m.headers ?? {}), ...headers } })),
      ),
      route: [{ destination: this.#canaryDestination(first), weight: 100 }],
    };
  }

  #mirrorRoute(route: MirrorRoute, weighted: Weighted[]): HttpRoute {
    const [first] = weighted as [Weighted];
    return {
      name: route.name,
      match: weighted.flatMap((w) =>
        baseMatches(w.route).flatMap((m) => route.match.map((mm) => mirrorMatch(m, mm))),
      ),
      route: clone(first.route.route ?? []),
      mirror: this.#canaryDestination(first),
      mirrorPercentage: { value: route.percentage },
    };
  }
}

/** Keeps the DestinationRule's canary and stable subsets selecting their versions' pods by hash label. */
class DestinationRuleRouter implements TrafficRouter {
  readonly describe: string;
  readonly #env: RouterEnv;
  readonly #cfg: { name: string; canarySubsetName: string; stableSubsetName: string };
  readonly #field = routingField("istio.destinationRule");

  constructor(env: RouterEnv, cfg: { name: string; canarySubsetName: string; stableSubsetName: string }) {
    this.#env = env;
    this.#cfg = cfg;
    this.describe = describeRef("DestinationRule", cfg.name);
  }

  verify(): void {
    this.#plan({ stableHash: "", canaryHash: "" });
  }

  shownWeight(): number {
    return 0;
  }

  shows(target: TrafficTarget): boolean {
    return !this.#plan(target).changes;
  }

  plan(target: TrafficTarget): RouteWrite[] {
    const p = this.#plan(target);
    if (!p.changes) return [];
    const ref = { kind: "DestinationRule" as const, namespace: this.#env.namespace, name: this.#cfg.name };
    return [{ op: "patch", ref, ops: p.ops }];
  }

  #plan(target: Pick<TrafficTarget, "stableHash" | "canaryHash">): Patcher {
    const { namespace } = this.#env;
    const dr = this.#env.caches.routeObject("DestinationRule", namespace, this.#cfg.name);
    if (!dr) {
      throw new RampError(
        "RouteNotFound",
        `${this.#field}: DestinationRule "${this.#cfg.name}" does not exist in namespace "${namespace}": create ` +
          `it with subsets "${this.#cfg.stableSubsetName}" and "${this.#cfg.canarySubsetName}", or correct the name`,
      );
    }
    const p = new Patcher(dr);
    const subsets = (p.get("/spec/subsets") as Subset[] | undefined) ?? [];
    const pins: [string, string][] = [
      [this.#cfg.stableSubsetName, target.stableHash],
      [this.#cfg.canarySubsetName, target.canaryHash],
    ];
    for (const [name, hash] of pins) {
      const i = subsets.findIndex((s) => s.name === name);
      if (i < 0) {
        throw new RampError(
          "ServiceNotInRoute",
          `${this.#field}: DestinationRule "${this.#cfg.name}" has no subset "${name}": add subsets ` +
            `[{name: ${this.#cfg.stableSubsetName}}, {name: ${this.#cfg.canarySubsetName}}] (ramp sets their labels)`,
        );
      }
      if (!hash || subsets[i]?.labels?.[HASH_LABEL] === hash) continue;
      p.test(pointer("spec", "subsets", i, "name"), name);
      if (subsets[i]?.labels) p.add(pointer("spec", "subsets", i, "labels", HASH_LABEL), hash);
      else p.add(pointer("spec", "subsets", i, "labels"), { [HASH_LABEL]: hash });
    }
    return p;
  }
}

export const istio: RouterBuilder = {
  field: "istio",
  kinds: (r) =>
    r.istio ? ["VirtualService", ...(r.istio.destinationRule ? (["DestinationRule"] as const) : [])] : [],
  build(env) {
    const cfg = env.routing.istio;
    if (!cfg) return undefined;
    const total = env.routing.maxTrafficWeight ?? 100;
    if (total !== 100) {
      throw new RampError(
        "RouterUnsupported",
        `${routingField("maxTrafficWeight")}: Istio weights are percentages that sum to 100, so ${total} cannot ` +
          "be the total: remove maxTrafficWeight (or set it to 100), or route with gatewayAPI or nginx",
      );
    }
    const field = routingField("istio");
    const vss = cfg.virtualService
      ? [new VirtualServiceRouter(env, cfg.virtualService, `${field}.virtualService`)]
      : (cfg.virtualServices ?? []).map(
          (vs, i) => new VirtualServiceRouter(env, vs, `${field}.virtualServices[${i}]`),
        );
    // Subsets first: they must select the right pods before any weight moves to them.
    return [...(cfg.destinationRule ? [new DestinationRuleRouter(env, cfg.destinationRule)] : []), ...vss];
  },
};
