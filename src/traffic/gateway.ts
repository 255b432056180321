// Gateway API (gateway.networking.k8s.io/v1): ramp sets backendRefs[].weight of the stable and canary
// Services in the chosen HTTPRoute rules, and adds managed rules for header and mirror routes.
// spec.rules is an atomic list, so writes are JSON patches of just those fields, guarded by `test` ops.
import { RampError } from "../errors.ts";
import { describeRef, type RouteObject } from "./apis.ts";
import { clone, jsonEqual, Patcher, pointer } from "./json-patch.ts";
import { syncManaged } from "./managed.ts";
import type { RouteWrite } from "./ports.ts";
import {
  type HeaderRoute,
  type MirrorMatch,
  type MirrorRoute,
  prefixRegex,
  type RouterBuilder,
  type RouterEnv,
  routingField,
  type TrafficRouter,
  type TrafficTarget,
} from "./router.ts";

type BackendRef = {
  group?: string;
  kind?: string;
  name: string;
  namespace?: string;
  port?: number;
  weight?: number;
};
type HeaderMatch = { type?: string; name: string; value: string };
type Match = { path?: { type?: string; value?: string }; headers?: HeaderMatch[]; method?: string };
type Filter = { type: string } & Record<string, unknown>;
type Rule = { name?: string; matches?: Match[]; filters?: Filter[]; backendRefs?: BackendRef[] };

/** A rule ramp weights: its object in the patched copy, and the indices of the two Services' backendRefs. */
type Weighted = { rule: Rule; index: number; stable: number; canary: number };

/** The Gateway API feature name (GEP-2162) of the RequestMirror filter on HTTPRoutes. */
const MIRROR_FEATURE = "HTTPRouteRequestMirror";

const ruleName = (r: Rule, i: number) => (r.name ? `rule "${r.name}"` : `rules[${i}]`);

/** The apiserver's defaults, so a rule ramp wrote compares equal to itself when read back. */
const ref = (r: BackendRef, weight?: number): BackendRef => ({
  group: r.group ?? "",
  kind: r.kind ?? "Service",
  name: r.name,
  ...(r.namespace === undefined ? {} : { namespace: r.namespace }),
  ...(r.port === undefined ? {} : { port: r.port }),
  ...(weight === undefined ? {} : { weight }),
});

const baseMatches = (r: Rule): Match[] =>
  r.matches && r.matches.length > 0 ? r.matches : [{ path: { type: "PathPrefix", value: "/" } }];

/** Adds header conditions to a match; a header the match already tests is replaced (headers is a map). */
function withHeaders(m: Match, headers: HeaderMatch[]): Match {
  const taken = new Set(headers.map((h) => h.name.toLowerCase()));
  const kept = (m.headers ?? []).filter((h) => !taken.has(h.name.toLowerCase()));
  const out = clone(m);
  if (kept.length + headers.length > 0) out.headers = [...kept, ...headers];
  return out;
}

const headerMatches = (route: HeaderRoute): HeaderMatch[] =>
  route.match.map(({ headerName, headerValue: v }) =>
    v.exact !== undefined
      ? { type: "Exact", name: headerName, value: v.exact }
      : { type: "RegularExpression", name: headerName, value: v.regex ?? prefixRegex(v.prefix ?? "") },
  );

function mirrorMatch(m: Match, mm: MirrorMatch): Match {
  const out = withHeaders(
    m,
    Object.entries(mm.headers ?? {}).map(([name, v]) => ({ type: "Exact", name, value: v.exact })),
  );
  if (mm.path?.exact !== undefined) out.path = { type: "Exact", value: mm.path.exact };
  else if (mm.path?.prefix !== undefined) out.path = { type: "PathPrefix", value: mm.path.prefix };
  if (mm.method) out.method = mm.method.exact;
  return out;
}

class HttpRouteRouter implements TrafficRouter {
  readonly describe: string;
  readonly #env: RouterEnv;
  readonly #name: string;
  readonly #rules: string[] | undefined;
  readonly #field: string;

  constructor(env: RouterEnv, cfg: { name: string; rules?: string[] | undefined }, i: number) {
    this.#env = env;
    this.#name = cfg.name;
    this.#rules = cfg.rules;
    this.#field = routingField(`gatewayAPI.httpRoutes[${i}]`);
    this.describe = describeRef("HTTPRoute", cfg.name);
  }

  verify(): void {
    const route = this.#route();
    this.#select(route.spec?.rules as Rule[] | undefined);
    this.#checkMirror(route);
  }

  /**
   * A setMirrorRoute step needs the RequestMirror filter, an extended feature: when the route's Gateway's
   * class publishes its features (GEP-2162) without HTTPRouteRequestMirror, the rule would not mirror (and
   * an implementation may fail the requests it matches, as Traefik answers 500), so the step is refused.
   */
  #checkMirror(route: RouteObject): void {
    const step = this.#env.steps.findIndex((s) => s.setMirrorRoute);
    if (step < 0 || !this.#env.caches.gatewayClassOf) return;
    type ParentRef = { group?: string; kind?: string; namespace?: string; name: string };
    const parents = ((route.spec?.parentRefs as ParentRef[] | undefined) ?? []).filter(
      (p) =>
        (p.group ?? "gateway.networking.k8s.io") === "gateway.networking.k8s.io" &&
        (p.kind ?? "Gateway") === "Gateway",
    );
    for (const p of parents) {
      const cls = this.#env.caches.gatewayClassOf(p.namespace ?? this.#env.namespace, p.name);
      if (!cls?.supportedFeatures || cls.supportedFeatures.includes(MIRROR_FEATURE)) continue;
      throw new RampError(
        "RouterUnsupported",
        `spec.strategy.canary.steps[${step}].setMirrorRoute: ${this.describe} is served by Gateway "${p.name}" ` +
          `of GatewayClass "${cls.name}" (${cls.controllerName}), whose status.supportedFeatures does not list ` +
          `${MIRROR_FEATURE}: a RequestMirror rule would not mirror there. Remove the setMirrorRoute step, or ` +
          "route through a Gateway API implementation that supports RequestMirror",
      );
    }
  }

  shownWeight(total: number): number {
    const route = this.#env.caches.routeObject("HTTPRoute", this.#env.namespace, this.#name);
    const rules = route?.spec?.rules as Rule[] | undefined;
    const first = this.#trySelect(rules)[0];
    if (!first) return 0;
    const refs = first.rule.backendRefs ?? [];
    const s = refs[first.stable]?.weight ?? 1;
    const c = refs[first.canary]?.weight ?? 1;
    return s + c === 0 ? 0 : (c * total) / (s + c);
  }

  shows(target: TrafficTarget): boolean {
    return !this.#plan(this.#route(), target).changes;
  }

  plan(target: TrafficTarget): RouteWrite[] {
    const p = this.#plan(this.#route(), target);
    if (!p.changes) return [];
    return [
      {
        op: "patch",
        ref: { kind: "HTTPRoute", namespace: this.#env.namespace, name: this.#name },
        ops: p.ops,
      },
    ];
  }

  #route(): RouteObject {
    const { namespace, stableService, canaryService } = this.#env;
    const route = this.#env.caches.routeObject("HTTPRoute", namespace, this.#name);
    if (!route) {
      throw new RampError(
        "RouteNotFound",
        `${this.#field}: HTTPRoute "${this.#name}" does not exist in namespace "${namespace}": create it, with a ` +
          `rule whose backendRefs are the stableService "${stableService}" and the canaryService ` +
          `"${canaryService}" (weight 0), or correct the name`,
      );
    }
    return route;
  }

  #trySelect(rules: Rule[] | undefined): Weighted[] {
    try {
      return this.#select(rules);
    } catch {
      return [];
    }
  }

  /** The rules ramp weights; throws naming the rule and the fix when one cannot be weighted. */
  #select(rules: Rule[] | undefined): Weighted[] {
    const { stableService: stable, canaryService: canary, namespace } = this.#env;
    const all = rules ?? [];
    const isSvc = (r: BackendRef, name: string) =>
      (r.group ?? "") === "" &&
      (r.kind ?? "Service") === "Service" &&
      r.name === name &&
      (r.namespace === undefined || r.namespace === namespace);
    const managed = new Set(this.#env.managed);
    const candidates = all
      .map((rule, index) => ({ rule, index }))
      .filter(({ rule }) => !(rule.name && managed.has(rule.name)));
    let chosen = candidates;
    if (this.#rules) {
      chosen = this.#rules.map((n) => {
        const found = candidates.find((c) => c.rule.name === n);
        if (!found) {
          throw new RampError(
            "RouteRuleNotFound",
            `${this.#field}.rules: HTTPRoute "${this.#name}" has no rule named "${n}": set name: ${n} on the ` +
              "rule to weight, or correct the name",
          );
        }
        return found;
      });
    } else {
      chosen = candidates.filter(({ rule }) => (rule.backendRefs ?? []).some((r) => isSvc(r, stable)));
      if (chosen.length === 0) {
        throw new RampError(
          "RouteRuleNotFound",
          `${this.#field}: HTTPRoute "${this.#name}" has no rule with a backendRef to the stableService ` +
            `"${stable}": add one (with the canaryService "${canary}" at weight 0), or name the rule in ` +
            `${this.#field}.rules`,
        );
      }
    }
    return chosen.map(({ rule, index }) => {
      const refs = rule.backendRefs ?? [];
      const s = refs.findIndex((r) => isSvc(r, stable));
      const c = refs.findIndex((r) => isSvc(r, canary));
      const port = refs[s]?.port;
      if (s < 0) {
        throw new RampError(
          "ServiceNotInRoute",
          `${this.#field}: HTTPRoute "${this.#name}" ${ruleName(rule, index)} has no backendRef to the ` +
            `stableService "${stable}": add it and the canaryService "${canary}" (weight 0) to its backendRefs, ` +
            "or name another rule",
        );
      }
      if (c < 0) {
        throw new RampError(
          "ServiceNotInRoute",
          `${this.#field}: HTTPRoute "${this.#name}" ${ruleName(rule, index)} sends to the stableService ` +
            `"${stable}" but has no backendRef to the canaryService "${canary}": add {name: ${canary}, ` +
            `port: ${port ?? "<port>"}, weight: 0} to its backendRefs`,
        );
      }
      return { rule, index, stable: s, canary: c };
    });
  }

  /** The JSON patch that makes the route show `target`, built against a copy of the cached object. */
  #plan(route: RouteObject, target: TrafficTarget): Patcher {
    const p = new Patcher(route);
    const rules = (p.get("/spec/rules") as Rule[] | undefined) ?? [];
    const weighted = this.#select(rules);
    const w = target.active ? target.weight : 0;
    for (const sel of weighted) {
      const i = rules.indexOf(sel.rule);
      const refs: [number, string, number][] = [
        [sel.stable, this.#env.stableService, target.total - w],
        [sel.canary, this.#env.canaryService, w],
      ];
      for (const [j, name, weight] of refs) {
        const at = pointer("spec", "rules", i, "backendRefs", j);
        if (p.get(`${at}/weight`) === weight) continue;
        p.test(`${at}/name`, name);
        p.add(`${at}/weight`, weight);
      }
    }
    const [first] = weighted;
    if (!first) return p;
    const order = (n: string) => this.#env.managed.indexOf(n);
    const desired = target.active
      ? [
          ...target.headerRoutes.map((h) => this.#headerRule(h, weighted)),
          ...target.mirrorRoutes.map((m) => this.#mirrorRule(m, weighted)),
        ].sort((a, b) => order(a.name ?? "") - order(b.name ?? ""))
      : [];
    syncManaged<Rule>({
      p,
      path: ["spec", "rules"],
      managed: new Set(this.#env.managed),
      desired,
      anchor: first.rule,
      same: (a, b) => jsonEqual(normalize(a), normalize(b)),
    });
    return p;
  }

  #canaryRef(sel: Weighted, weight?: number): BackendRef {
    const r = sel.rule.backendRefs?.[sel.canary] ?? { name: this.#env.canaryService };
    return ref(r, weight);
  }

  /** Requests with the headers go to the canary; same paths as the weighted rules, so it takes precedence. */
  #headerRule(route: HeaderRoute, weighted: Weighted[]): Rule {
    const headers = headerMatches(route);
    const [first] = weighted as [Weighted];
    return {
      name: route.name,
      matches: weighted.flatMap((w) => baseMatches(w.rule).map((m) => withHeaders(m, headers))),
      backendRefs: [this.#canaryRef(first, 1)],
    };
  }

  /** Matching requests are served as usual (same weights) and copied to the canary at `percentage`. */
  #mirrorRule(route: MirrorRoute, weighted: Weighted[]): Rule {
    const [first] = weighted as [Weighted];
    const mirror: Filter = {
      type: "RequestMirror",
      requestMirror: { backendRef: this.#canaryRef(first), percent: route.percentage },
    };
    return {
      name: route.name,
      matches: weighted.flatMap((w) =>
        baseMatches(w.rule).flatMap((m) => route.match.map((mm) => mirrorMatch(m, mm))),
      ),
      filters: [...clone(first.rule.filters ?? []), mirror],
      backendRefs: (first.rule.backendRefs ?? []).map((r) => ref(r, r.weight ?? 1)),
    };
  }
}

/** Fills the defaults the apiserver adds to a rule, so comparison sees meaning, not spelling. */
function normalize(r: Rule): Rule {
  const m = (x: Match): Match => ({
    ...x,
    path: { type: x.path?.type ?? "PathPrefix", value: x.path?.value ?? "/" },
    ...(x.headers ? { headers: x.headers.map((h) => ({ ...h, type: h.type ?? "Exact" })) } : {}),
  });
  return {
    ...r,
    matches: baseMatches(r).map(m),
    backendRefs: (r.backendRefs ?? []).map((b) => ({ ...b, ...ref(b, b.weight ?? 1) })),
  };
}

export const gatewayAPI: RouterBuilder = {
  field: "gatewayAPI",
  kinds: (r) => (r.gatewayAPI ? ["HTTPRoute"] : []),
  build: (env) => env.routing.gatewayAPI?.httpRoutes.map((cfg, i) => new HttpRouteRouter(env, cfg, i)),
};
