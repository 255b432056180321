// Watch caches of traffic-routing objects. An API the cluster does not serve (no Gateway API or Istio CRDs)
// is never watched: discovery at startup decides, and a Rollout that needs it is told so by the reconcile.
import { setTimeout as sleep } from "node:timers/promises";
import type { KubernetesObject } from "@kubernetes/client-node";
import type { Logger } from "pino";
import { ROLLOUT_LABEL } from "../api/labels.ts";
import type { Clients } from "../kube/client.ts";
import { statusCodeOf } from "../kube/client.ts";
import { Informer } from "../kube/informer.ts";
import type { Metrics } from "../observability/metrics.ts";
import { collectionPath, ROUTE_APIS, ROUTE_KINDS, type RouteKind, type RouteObject } from "./apis.ts";
import type { GatewayClassView } from "./ports.ts";

const GATEWAY_API = "/apis/gateway.networking.k8s.io/v1";
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

export class RouteCaches {
  readonly #clients: Clients;
  readonly #log: Logger;
  readonly #informers = new Map<RouteKind, Informer<RouteObject>>();
  readonly #served = new Set<RouteKind>();
  readonly #gateways: Informer<GatewayObj>;
  readonly #classes: Informer<ClassObj>;
  #gatewaysServed = false;

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
    for (const kind of ROUTE_KINDS) {
      const inf = new Informer<RouteObject>({
        source: clients,
        metrics: opts.metrics,
        log: opts.log,
        path: collectionPath(kind, opts.namespace),
        transform: slimRoute(opts.slimMeta),
      });
      inf.addIndex("rollout", (o) => {
        const owner = o.metadata.labels?.[ROLLOUT_LABEL];
        return owner ? [`${o.metadata.namespace}/${owner}`] : [];
      });
      this.#informers.set(kind, inf);
    }
    const base = { source: clients, metrics: opts.metrics, log: opts.log };
    const ns = opts.namespace ? `/namespaces/${opts.namespace}` : "";
    this.#gateways = new Informer<GatewayObj>({
      ...base,
      path: `${GATEWAY_API}${ns}/gateways`,
      transform: (o) => ({
        metadata: { name: o.metadata?.name ?? "", namespace: o.metadata?.namespace ?? "" },
        className: String((o as Raw).spec?.gatewayClassName ?? ""),
      }),
    });
    this.#classes = new Informer<ClassObj>({
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

  /** Discovers which routing APIs the cluster serves, then lists and watches those. */
  async start(): Promise<void> {
    for (const kind of ROUTE_KINDS) if (await this.#discover(kind)) this.#served.add(kind);
    // Which implementation serves an HTTPRoute, and what it supports, is read from its Gateway's class.
    this.#gatewaysServed =
      this.#served.has("HTTPRoute") &&
      (await this.#discoverPlurals(ROUTE_APIS.HTTPRoute.group, ROUTE_APIS.HTTPRoute.version)).filter(
        (p) => p === "gateways" || p === "gatewayclasses",
      ).length === 2;
    this.#log.info(
      { served: [...this.#served], gateways: this.#gatewaysServed },
      "traffic routing APIs discovered",
    );
    await Promise.all([
      ...[...this.#served].map((k) => this.#informers.get(k)?.start()),
      ...(this.#gatewaysServed ? [this.#gateways.start(), this.#classes.start()] : []),
    ]);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.#informers.values(), this.#gateways, this.#classes].map((i) => i.stop()));
  }

  synced(): boolean {
    const gateways = !this.#gatewaysServed || (this.#gateways.hasSynced() && this.#classes.hasSynced());
    return gateways && [...this.#served].every((k) => this.#informers.get(k)?.hasSynced() === true);
  }

  gatewayClassOf(namespace: string, name: string): GatewayClassView | undefined {
    const gw = this.#gateways.get(`${namespace}/${name}`);
    const cls = gw && this.#classes.get(gw.className);
    if (!gw || !cls) return undefined;
    return {
      gateway: name,
      name: cls.metadata.name,
      controllerName: cls.controllerName,
      supportedFeatures: cls.features,
    };
  }

  served(kind: RouteKind): boolean {
    return this.#served.has(kind);
  }

  get(kind: RouteKind, namespace: string, name: string): RouteObject | undefined {
    return this.#informers.get(kind)?.get(`${namespace}/${name}`);
  }

  labelled(kind: RouteKind, key: string): RouteObject[] {
    return this.#informers.get(kind)?.byIndex("rollout", key) ?? [];
  }

  /** Calls `enqueue` for every Rollout that names a changed object, or that the object was made for. */
  routeEvents(enqueue: (key: string) => void, rolloutsNaming: (indexKey: string) => string[]): void {
    for (const [kind, inf] of this.#informers) {
      const fire = (o: RouteObject) => {
        const ns = o.metadata.namespace ?? "";
        const owner = o.metadata.labels?.[ROLLOUT_LABEL];
        if (owner) enqueue(`${ns}/${owner}`);
        for (const k of rolloutsNaming(routeIndexKey(kind, ns, o.metadata.name))) enqueue(k);
      };
      inf.on("add", fire);
      inf.on("update", (_old, o) => fire(o));
      inf.on("delete", fire);
    }
  }

  async #discover(kind: RouteKind): Promise<boolean> {
    const api = ROUTE_APIS[kind];
    return (await this.#discoverPlurals(api.group, api.version)).includes(api.plural);
  }

  // GET /apis/<group>/<version>: 404 means the API is not installed; anything else is retried a while.
  async #discoverPlurals(group: string, version: string): Promise<string[]> {
    for (let attempt = 0; ; attempt++) {
      try {
        const list = await this.#clients.request<{ resources?: { name?: string }[] }>(
          "GET",
          `/apis/${group}/${version}`,
        );
        return (list?.resources ?? []).map((r) => r.name ?? "");
      } catch (err) {
        if (statusCodeOf(err) === 404) return [];
        if (attempt >= 4) throw new Error(`discovering ${group}/${version} failed`, { cause: err });
        this.#log.warn({ err, group }, "API discovery failed; retrying");
        await sleep(500 * 2 ** attempt);
      }
    }
  }
}
