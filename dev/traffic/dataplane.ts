// The test data plane's decisions: which backend a request goes to, as Gateway API implementations,
// ingress-nginx and Istio's Envoy decide it, from the live route objects, Services and EndpointSlices.
// Weighted choices use smooth weighted round-robin (nginx's upstream algorithm), so a share over N
// requests is exact to 1/N and tests are not at the mercy of a random generator.

type Obj = {
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
};
type Slice = Obj & {
  endpoints?: { conditions?: { ready?: boolean }; targetRef?: { kind?: string; name?: string } }[];
};
type Pod = Obj & { spec?: { containers?: { image?: string }[] } };

/** Everything the data plane reads, as last polled. */
export type World = {
  namespace: string;
  services: Obj[];
  slices: Slice[];
  pods: Pod[];
  httpRoutes: Obj[];
  ingresses: Obj[];
  virtualServices: Obj[];
  destinationRules: Obj[];
};

export type Request = { host: string; path: string; method: string; headers: Record<string, string> };
/** A backend: a Service, optionally narrowed to the pods carrying `labels` (an Istio subset). */
export type Backend = { service: string; labels?: Record<string, string> };
export type Decision = { backend?: Backend; mirror?: { backend: Backend; percent: number }; key: string };

/** Per decision point, smooth weighted round-robin state and mirror counters. */
export class Balancer {
  readonly #current = new Map<string, number[]>();
  readonly #mirrorCount = new Map<string, number>();

  pick<T>(key: string, options: { value: T; weight: number }[]): T | undefined {
    const live = options.filter((o) => o.weight > 0);
    if (live.length === 0) return undefined;
    const k = `${key}|${options.map((o) => o.weight).join(",")}`;
    const cur = this.#current.get(k) ?? options.map(() => 0);
    const total = live.reduce((a, o) => a + o.weight, 0);
    let best = -1;
    options.forEach((o, i) => {
      cur[i] = (cur[i] ?? 0) + o.weight;
      if (o.weight > 0 && (best < 0 || (cur[i] ?? 0) > (cur[best] ?? 0))) best = i;
    });
    cur[best] = (cur[best] ?? 0) - total;
    this.#current.set(k, cur);
    return options[best]?.value;
  }

  /** True for `percent` of the calls with this key, evenly spread. */
  mirror(key: string, percent: number): boolean {
    const n = this.#mirrorCount.get(key) ?? 0;
    this.#mirrorCount.set(key, n + 1);
    return Math.floor(((n + 1) * percent) / 100) > Math.floor((n * percent) / 100);
  }

  #rr = new Map<string, number>();
  roundRobin<T>(key: string, items: T[]): T | undefined {
    const n = this.#rr.get(key) ?? 0;
    this.#rr.set(key, n + 1);
    return items[n % items.length];
  }
}

/** The image of each ready pod behind a backend (what a kube-proxy would reach). */
export function endpointsOf(world: World, backend: Backend): string[] {
  const pods = new Map(world.pods.map((p) => [p.metadata.name, p]));
  return world.slices
    .filter((s) => s.metadata.labels?.["kubernetes.io/service-name"] === backend.service)
    .flatMap((s) => s.endpoints ?? [])
    .filter((e) => e.conditions?.ready !== false && e.targetRef?.kind === "Pod")
    .flatMap((e) => {
      const pod = pods.get(e.targetRef?.name ?? "");
      if (!pod) return [];
      const labels = pod.metadata.labels ?? {};
      if (Object.entries(backend.labels ?? {}).some(([k, v]) => labels[k] !== v)) return [];
      const image = pod.spec?.containers?.[0]?.image;
      return image ? [image] : [];
    })
    .sort();
}

// ---- Gateway API ----
type GMatch = {
  path?: { type?: string; value?: string };
  headers?: { type?: string; name: string; value: string }[];
  method?: string;
};
type GRef = { name: string; weight?: number; kind?: string };
type GRule = { matches?: GMatch[]; backendRefs?: GRef[]; filters?: Record<string, unknown>[] };

const header = (req: Request, name: string) => req.headers[name.toLowerCase()];

function gatewayMatch(req: Request, m: GMatch): number[] | undefined {
  const type = m.path?.type ?? "PathPrefix";
  const value = m.path?.value ?? "/";
  if (type === "Exact" && req.path !== value) return undefined;
  if (type === "PathPrefix") {
    const v = value.replace(/\/$/, "");
    if (!(req.path === v || req.path.startsWith(`${v}/`) || v === "")) return undefined;
  }
  if (type === "RegularExpression" && !new RegExp(`^${value}$`).test(req.path)) return undefined;
  if (m.method && m.method !== req.method) return undefined;
  for (const h of m.headers ?? []) {
    const got = header(req, h.name);
    if (got === undefined) return undefined;
    if ((h.type ?? "Exact") === "Exact" ? got !== h.value : !new RegExp(`^${h.value}$`).test(got))
      return undefined;
  }
  // Gateway API precedence: exact path, longest prefix, method, most headers (higher sorts first).
  return [type === "Exact" ? 1 : 0, value.length, m.method ? 1 : 0, m.headers?.length ?? 0];
}

const compareRanks = (a: number[], b: number[]): number => {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
};

export function routeGateway(world: World, routeName: string, req: Request, lb: Balancer): Decision {
  const route = world.httpRoutes.find((r) => r.metadata.name === routeName);
  const rules = (route?.spec?.rules as GRule[] | undefined) ?? [];
  let best: { rule: GRule; index: number; rank: number[] } | undefined;
  rules.forEach((rule, index) => {
    const ms = rule.matches && rule.matches.length > 0 ? rule.matches : [{}];
    for (const m of ms) {
      const rank = gatewayMatch(req, m);
      if (!rank) continue;
      // Ties go to the earlier rule, as the spec orders them last by rule position.
      if (!best || compareRanks(rank, best.rank) > 0) best = { rule, index, rank };
    }
  });
  if (!best) return { key: "no-match" };
  const key = `gw/${routeName}/${best.index}`;
  const refs = (best.rule.backendRefs ?? []).filter((r) => (r.kind ?? "Service") === "Service");
  const service = lb.pick(
    key,
    refs.map((r) => ({ value: r.name, weight: r.weight ?? 1 })),
  );
  const mirror = (best.rule.filters ?? []).find((f) => f.type === "RequestMirror")?.requestMirror as
    | { backendRef: GRef; percent?: number }
    | undefined;
  return {
    key,
    ...(service ? { backend: { service } } : {}),
    ...(mirror
      ? { mirror: { backend: { service: mirror.backendRef.name }, percent: mirror.percent ?? 100 } }
      : {}),
  };
}

// ---- ingress-nginx ----
type IPath = { path?: string; pathType?: string; backend?: { service?: { name?: string } } };
type IRule = { host?: string; http?: { paths?: IPath[] } };

function ingressBackend(ing: Obj, req: Request): { service: string; len: number } | undefined {
  let found: { service: string; len: number } | undefined;
  for (const rule of (ing.spec?.rules as IRule[] | undefined) ?? []) {
    if (rule.host && rule.host !== req.host) continue;
    for (const p of rule.http?.paths ?? []) {
      const path = p.path ?? "/";
      const ok =
        p.pathType === "Exact"
          ? req.path === path
          : req.path === path || req.path.startsWith(path.endsWith("/") ? path : `${path}/`) || path === "/";
      if (ok && p.backend?.service?.name && (!found || path.length > found.len)) {
        found = { service: p.backend.service.name, len: path.length };
      }
    }
  }
  return found;
}

export function routeNginx(
  world: World,
  req: Request,
  lb: Balancer,
  prefix = "nginx.ingress.kubernetes.io",
): Decision {
  const isCanary = (i: Obj) => i.metadata.annotations?.[`${prefix}/canary`] === "true";
  const main = world.ingresses.filter((i) => !isCanary(i)).map((i) => ({ i, b: ingressBackend(i, req) }));
  const stable = main.filter((x) => x.b).sort((a, b) => (b.b?.len ?? 0) - (a.b?.len ?? 0))[0];
  if (!stable?.b) return { key: "no-match" };
  const key = `nginx/${stable.i.metadata.name}/${stable.b.service}`;
  const canary = world.ingresses.filter(isCanary).find((c) => ingressBackend(c, req)?.len === stable.b?.len);
  const canaryService = canary && ingressBackend(canary, req)?.service;
  if (!canary || !canaryService) return { key, backend: { service: stable.b.service } };
  const a = canary.metadata.annotations ?? {};
  const byHeader = a[`${prefix}/canary-by-header`];
  const got = byHeader ? header(req, byHeader) : undefined;
  if (got !== undefined) {
    const value = a[`${prefix}/canary-by-header-value`];
    const pattern = a[`${prefix}/canary-by-header-pattern`];
    if (
      value !== undefined
        ? got === value
        : pattern !== undefined
          ? new RegExp(pattern).test(got)
          : got === "always"
    )
      return { key, backend: { service: canaryService } };
    if (value === undefined && pattern === undefined && got === "never")
      return { key, backend: { service: stable.b.service } };
  }
  const weight = Number(a[`${prefix}/canary-weight`] ?? 0);
  const total = Number(a[`${prefix}/canary-weight-total`] ?? 100);
  const service = lb.pick(key, [
    { value: canaryService, weight },
    { value: stable.b.service, weight: total - weight },
  ]);
  return { key, ...(service ? { backend: { service } } : {}) };
}

// ---- Istio ----
type SMatch = { exact?: string; prefix?: string; regex?: string };
type VMatch = { uri?: SMatch; method?: SMatch; headers?: Record<string, SMatch> };
type VDest = { host: string; subset?: string };
type VRoute = {
  match?: VMatch[];
  route?: { destination: VDest; weight?: number }[];
  mirror?: VDest;
  mirrorPercentage?: { value: number };
};

const strMatch = (m: SMatch, v: string | undefined) =>
  v !== undefined &&
  (m.exact !== undefined
    ? v === m.exact
    : m.prefix !== undefined
      ? v.startsWith(m.prefix)
      : new RegExp(`^${m.regex}$`).test(v));

function istioBackend(world: World, d: VDest): Backend {
  const service = d.host.split(".")[0] ?? d.host;
  if (!d.subset) return { service };
  const dr = world.destinationRules.find((r) => String(r.spec?.host).split(".")[0] === service);
  const subset = (dr?.spec?.subsets as { name: string; labels?: Record<string, string> }[] | undefined)?.find(
    (s) => s.name === d.subset,
  );
  // An unknown subset selects nothing, as in Envoy (no healthy upstream).
  return { service, labels: subset?.labels ?? { "ramp.test/unknown-subset": d.subset } };
}

export function routeIstio(world: World, vsName: string, req: Request, lb: Balancer): Decision {
  const vs = world.virtualServices.find((v) => v.metadata.name === vsName);
  const http = (vs?.spec?.http as VRoute[] | undefined) ?? [];
  const index = http.findIndex((r) =>
    (r.match && r.match.length > 0 ? r.match : [{}]).some(
      (m) =>
        (!m.uri || strMatch(m.uri, req.path)) &&
        (!m.method || strMatch(m.method, req.method)) &&
        Object.entries(m.headers ?? {}).every(([k, v]) => strMatch(v, header(req, k))),
    ),
  );
  const r = http[index];
  if (!r) return { key: "no-match" };
  const key = `istio/${vsName}/${index}`;
  const dests = r.route ?? [];
  const dest = lb.pick(
    key,
    dests.map((d) => ({ value: d.destination, weight: d.weight ?? (dests.length === 1 ? 100 : 0) })),
  );
  return {
    key,
    ...(dest ? { backend: istioBackend(world, dest) } : {}),
    ...(r.mirror
      ? { mirror: { backend: istioBackend(world, r.mirror), percent: r.mirrorPercentage?.value ?? 100 } }
      : {}),
  };
}
