// Watch caches of traffic-routing objects. An API the cluster does not serve (no Gateway API or Istio CRDs)
// is not watched, and a Rollout that needs it is told so by the reconcile. CRDs are watched (read-only), so
// a router's API installed after ramp, or deleted and installed again, is watched from then on, and the
// Rollouts that use it are reconciled again: the order of installs does not matter, no restart needed.
import { setTimeout as sleep } from "node:timers/promises";
import type { KubernetesObject } from "@kubernetes/client-node";
import type { Logger } from "pino";
import { ROLLOUT_LABEL } from "../api/labels.ts";
import type { Clients } from "../kube/client.ts";
import { statusCodeOf } from "../kube/client.ts";
import { Informer } from "../kube/informer.ts";
import type { Metrics } from "../observability/metrics.ts";
import { collectionPath, type RouteKind, type RouteObject } from "./apis.ts";
import {
  type ApiId,
  apiOf,
  CRD_PATH,
  type CrdView,
  crdApis,
  crdView,
  GATEWAY_API,
  isRouteKind,
  watchedApiCrd,
  watchedApis,
} from "./crd-watch.ts";
import type { GatewayClassView } from "./ports.ts";

/** Gateways and GatewayClasses, slimmed to what says which implementation serves a route and what it supports. */
type GatewayObj = { metadata: { name: string; namespace?: string }; className: string };
type ClassObj = { metadata: { name: string }; controllerName: string; features: string[] | undefined };

type Meta = NonNullable<KubernetesObject["metadata"]>;

/** What the routers read: metadata without managedFields, and the spec; status is left out. */
const slimRoute =
  (slimMeta: (o: KubernetesObject) => Meta) =>
  (o: KubernetesObject): RouteObject => {
    const spec = (o as { spec?: Record<string, unknown> }).spec;
    return {
      ...(o.apiVersion ? { apiVersion: o.apiVersion } : {}),
      ...(o.kind ? { kind: o.kind } : {}),
      metadata: slimMeta(o) as RouteObject["metadata"],
      ...(spec ? { spec } : {}),
    };
  };

/** The index value under which a Rollout is found from a routing object. */
export const routeIndexKey = (kind: RouteKind, namespace: string, name: string): string =>
  `${kind}:${namespace}/${name}`;

type Raw = KubernetesObject & { spec?: Record<string, unknown> };
type Named = { name?: unknown };
const names = (v: unknown): string[] =>
  (Array.isArray(v) ? v : v === undefined ? [] : [v])
    .map((x: unknown) => (typeof x === "string" ? x : (x as Named | null)?.name))
    .filter((n): n is string => typeof n === "string");

/** Every routing object a Rollout's trafficRouting names, as routeIndexKey values. */
export function routesOf(o: Raw): string[] {
  const canary = (o.spec?.strategy as { canary?: { trafficRouting?: Record<string, unknown> } } | undefined)
    ?.canary;
  const tr = canary?.trafficRouting as Record<string, Record<string, unknown> | undefined> | undefined;
  if (!tr) return [];
  const ns = o.metadata?.namespace ?? "";
  const keys = (kind: RouteKind, ...lists: unknown[]) =>
    lists.flatMap(names).map((n) => routeIndexKey(kind, ns, n));
  return [
    ...keys("HTTPRoute", tr.gatewayAPI?.httpRoutes),
    ...keys("Ingress", tr.nginx?.stableIngress, tr.nginx?.stableIngresses),
    ...keys("VirtualService", tr.istio?.virtualService, tr.istio?.virtualServices),
    ...keys("DestinationRule", tr.istio?.destinationRule),
  ];
}

type AnyInformer = Informer<RouteObject> | Informer<GatewayObj> | Informer<ClassObj>;

export class RouteCaches {
  readonly #clients: Clients;
  readonly #log: Logger;
  readonly #opts: {
    namespace?: string | undefined;
    metrics: Metrics;
    slimMeta: (o: KubernetesObject) => Meta;
  };
  /** Informers of the APIs served now (started; maybe not yet synced). */
  readonly #live = new Map<ApiId, AnyInformer>();
  /** The CRDs of the routers' APIs; undefined when RBAC refuses them (then discovery at start decides, once). */
  /** By CRD name: each watched alone (a field selector), undefined without the RBAC to watch CRDs. */
  #crds: Map<string, Informer<CrdView>> | undefined;
  #ready = false;
  #stopped = false;
  #routeHandlers: ((kind: RouteKind, inf: Informer<RouteObject>) => void) | undefined;
  readonly #apiListeners: ((id: ApiId) => void)[] = [];

  constructor(
    clients: Clients,
    opts: {
      namespace?: string | undefined;
      metrics: Metrics;
      log: Logger;
      slimMeta: (o: KubernetesObject) => Meta;
    },
  ) {
    this.#clients = clients;
    this.#log = opts.log;
    this.#opts = opts;
  }

  /** Watches the routers' CRDs (or discovers the APIs once without CRD rights), then lists and watches the served APIs. */
  async start(): Promise<void> {
    if (await this.#mayWatchCrds()) {
      // One watch per CRD ramp reads, selected by name: a list of every CRD in the cluster (Argo's and
      // crossplane's are megabytes each) would be parsed only to keep five (docs/performance.md).
      const crds = new Map<string, Informer<CrdView>>();
      const changed = (o: CrdView) => {
        for (const id of crdApis(o.metadata.name)) this.#follow(id);
      };
      for (const id of watchedApis) {
        if (id === "Ingress" || crds.has(watchedApiCrd(id))) continue;
        const crd = new Informer<CrdView>({
          source: this.#clients,
          metrics: this.#opts.metrics,
          log: this.#log,
          path: CRD_PATH,
          fieldSelector: `metadata.name=${watchedApiCrd(id)}`,
          transform: crdView,
        });
        crd.on("add", changed);
        crd.on("update", (_old, o) => changed(o));
        crd.on("delete", changed);
        crds.set(watchedApiCrd(id), crd);
      }
      this.#crds = crds;
      await Promise.all([...crds.values()].map((i) => i.start()));
      for (const id of watchedApis) if (id !== "Ingress") this.#follow(id);
    } else {
      this.#log.warn(
        {},
        "customresourcedefinitions cannot be watched (RBAC): routing APIs are discovered once; grant list/watch to follow installs",
      );
      for (const id of watchedApis) if (id !== "Ingress" && (await this.#discover(id))) this.#open(id);
    }
    // Ingress is built in: served by every supported Kubernetes, no CRD to watch.
    if (await this.#discover("Ingress")) this.#open("Ingress");
    this.#log.info(
      { served: [...this.#live.keys()], crds: this.#crds !== undefined },
      "traffic routing APIs discovered",
    );
    // An API whose CRD is deleted meanwhile stops its informer, rejecting start(): not a failed start.
    await Promise.all(
      [...this.#live].map(([id, inf]) =>
        inf.start().catch((err: unknown) => {
          if (this.#live.get(id) === inf) throw err;
        }),
      ),
    );
    this.#ready = true;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.all([...(this.#crds?.values() ?? []), ...this.#live.values()].map((i) => i.stop()));
  }

  /** The APIs served at start have synced (an API installed later is watched without making ramp unready). */
  synced(): boolean {
    return this.#ready && [...(this.#crds?.values() ?? [])].every((i) => i.hasSynced());
  }

  gatewayClassOf(namespace: string, name: string): GatewayClassView | undefined {
    const gw = this.#informer<GatewayObj>("Gateway")?.get(`${namespace}/${name}`);
    const cls = gw && this.#informer<ClassObj>("GatewayClass")?.get(gw.className);
    if (!gw || !cls) return undefined;
    return {
      gateway: name,
      name: cls.metadata.name,
      controllerName: cls.controllerName,
      supportedFeatures: cls.features,
    };
  }

  /** True while the cluster serves the kind and its cache has synced. */
  served(kind: RouteKind): boolean {
    return this.#live.get(kind)?.hasSynced() === true;
  }

  get(kind: RouteKind, namespace: string, name: string): RouteObject | undefined {
    return this.#informer<RouteObject>(kind)?.get(`${namespace}/${name}`);
  }

  labelled(kind: RouteKind, key: string): RouteObject[] {
    return this.#informer<RouteObject>(kind)?.byIndex("rollout", key) ?? [];
  }

  /** Calls `enqueue` for every Rollout that names a changed object, or that the object was made for. */
  routeEvents(enqueue: (key: string) => void, rolloutsNaming: (indexKey: string) => string[]): void {
    this.#routeHandlers = (kind, inf) => {
      const fire = (o: RouteObject) => {
        const ns = o.metadata.namespace ?? "";
        const owner = o.metadata.labels?.[ROLLOUT_LABEL];
        if (owner) enqueue(`${ns}/${owner}`);
        for (const k of rolloutsNaming(routeIndexKey(kind, ns, o.metadata.name))) enqueue(k);
      };
      inf.on("add", fire);
      inf.on("update", (_old, o) => fire(o));
      inf.on("delete", fire);
    };
    for (const [id, inf] of this.#live)
      if (isRouteKind(id)) this.#routeHandlers(id, inf as Informer<RouteObject>);
  }

  /** Calls `changed` with the kind whose API started being served (its cache synced) or stopped being served. */
  onApiChange(changed: (kind: RouteKind) => void): void {
    // A Gateway or GatewayClass change says what serves HTTPRoutes.
    this.#apiListeners.push((id) => changed(isRouteKind(id) ? id : "HTTPRoute"));
  }

  #informer<T extends KubernetesObject>(id: ApiId): Informer<T> | undefined {
    return this.#live.get(id) as Informer<T> | undefined;
  }

  // Starts or stops watching id as its CRD says: Established, serving ramp's version, not being deleted.
  #follow(id: ApiId): void {
    if (this.#stopped || !this.#crds) return;
    const crd = this.#crds.get(watchedApiCrd(id))?.get(watchedApiCrd(id));
    const want = crd?.served === true;
    const inf = this.#live.get(id);
    if (want && !inf) {
      const opened = this.#open(id);
      this.#log.info({ api: id }, "routing API installed: watching it");
      // start() is idempotent: start() of the caches may be waiting for this informer too.
      opened.start().then(
        () => this.#announce(id),
        (err: unknown) => this.#log.debug({ err, api: id }, "routing API went before its cache synced"),
      );
    } else if (!want && inf) {
      this.#live.delete(id);
      this.#log.warn(
        { api: id, crd: crd ? "deleting" : "deleted" },
        "routing API removed: no longer watching it",
      );
      void inf.stop().then(() => this.#announce(id));
    }
  }

  #announce(id: ApiId): void {
    for (const listener of this.#apiListeners) listener(id);
  }

  #open(id: ApiId): AnyInformer {
    const base = { source: this.#clients, metrics: this.#opts.metrics, log: this.#log };
    const ns = this.#opts.namespace;
    let inf: AnyInformer;
    if (isRouteKind(id)) {
      const routes = new Informer<RouteObject>({
        ...base,
        path: collectionPath(id, ns),
        transform: slimRoute(this.#opts.slimMeta),
      });
      routes.addIndex("rollout", (o) => {
        const owner = o.metadata.labels?.[ROLLOUT_LABEL];
        return owner ? [`${o.metadata.namespace}/${owner}`] : [];
      });
      this.#routeHandlers?.(id, routes);
      inf = routes;
    } else if (id === "Gateway") {
      inf = new Informer<GatewayObj>({
        ...base,
        path: `${GATEWAY_API}${ns ? `/namespaces/${ns}` : ""}/gateways`,
        transform: (o) => ({
          metadata: { name: o.metadata?.name ?? "", namespace: o.metadata?.namespace ?? "" },
          className: String((o as Raw).spec?.gatewayClassName ?? ""),
        }),
      });
    } else {
      inf = new Informer<ClassObj>({
        ...base,
        path: `${GATEWAY_API}/gatewayclasses`,
        transform: (o) => {
          const status = (o as { status?: { supportedFeatures?: unknown[] } }).status;
          return {
            metadata: { name: o.metadata?.name ?? "" },
            controllerName: String((o as Raw).spec?.controllerName ?? ""),
            features: status?.supportedFeatures?.map((f) =>
              typeof f === "string" ? f : String((f as Named).name),
            ),
          };
        },
      });
    }
    if (!isRouteKind(id)) {
      // Which implementation serves an HTTPRoute, and what it supports: a change concerns HTTPRoute users.
      const again = () => this.#announce(id);
      (inf as Informer<KubernetesObject>).on("add", again);
      (inf as Informer<KubernetesObject>).on("update", again);
      (inf as Informer<KubernetesObject>).on("delete", again);
    }
    this.#live.set(id, inf);
    return inf;
  }

  // A LIST of one CRD: refused by RBAC (403) means the chart predates CRD watching. Any other failure is
  // the informer's to retry until it lists.
  async #mayWatchCrds(): Promise<boolean> {
    try {
      await this.#clients.list(CRD_PATH, { limit: "1" });
      return true;
    } catch (err) {
      if (statusCodeOf(err) === 403) return false;
      this.#log.warn({ err }, "listing customresourcedefinitions failed; the CRD watch retries");
      return true;
    }
  }

  // GET /apis/<group>/<version>: 404 means the API is not installed; anything else is retried a while.
  async #discover(id: ApiId): Promise<boolean> {
    const api = apiOf(id);
    for (let attempt = 0; ; attempt++) {
      try {
        const list = await this.#clients.request<{ resources?: { name?: string }[] }>(
          "GET",
          `/apis/${api.group}/${api.version}`,
        );
        return (list?.resources ?? []).some((r) => r.name === api.plural);
      } catch (err) {
        if (statusCodeOf(err) === 404) return false;
        if (attempt >= 4) throw new Error(`discovering ${api.group}/${api.version} failed`, { cause: err });
        this.#log.warn({ err, group: api.group }, "API discovery failed; retrying");
        await sleep(500 * 2 ** attempt);
      }
    }
  }
}
