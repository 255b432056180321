// RouteCaches against an in-memory apiserver of several collections: route APIs are watched as their CRDs
// come and go (installed after ramp, deleted while in use, installed again), the Rollouts that use them are
// told, and without RBAC on CRDs discovery at start decides, as before.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { KubernetesObject } from "@kubernetes/client-node";
import { ApiError, type Clients, type RawList, type WatchEvent } from "../../../src/kube/client.ts";
import { silentLogger } from "../../../src/observability/log.ts";
import { createMetrics } from "../../../src/observability/metrics.ts";
import { type CrdView, crdApis, crdView } from "../../../src/traffic/crd-watch.ts";
import { RouteCaches } from "../../../src/traffic/route-caches.ts";
import { FakeStream } from "../kube/fake-source.ts";

const CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
const HTTPROUTES = "/apis/gateway.networking.k8s.io/v1/httproutes";

function crd(name: string, opts: { established?: boolean; version?: string; deleting?: boolean } = {}) {
  return {
    metadata: {
      name,
      ...(opts.deleting ? { deletionTimestamp: new Date() } : {}),
    },
    spec: { versions: [{ name: opts.version ?? "v1", served: true }] },
    status: { conditions: [{ type: "Established", status: opts.established === false ? "False" : "True" }] },
  } as KubernetesObject;
}

/** Collections by path; a path with no entry answers 404, as an API the cluster does not serve. */
class FakeApi {
  readonly store = new Map<string, Map<string, KubernetesObject>>();
  readonly streams = new Map<string, FakeStream[]>();
  forbidCrds = false;
  #rv = 1;

  put(path: string, obj: KubernetesObject): void {
    const coll = this.store.get(path) ?? new Map();
    this.store.set(path, coll);
    const o = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(++this.#rv) } };
    const type = coll.has(o.metadata.name ?? "") ? "MODIFIED" : "ADDED";
    coll.set(o.metadata.name ?? "", o);
    for (const s of this.streams.get(path) ?? []) s.push({ type, object: o } as WatchEvent);
  }

  remove(path: string, name: string): void {
    const o = this.store.get(path)?.get(name);
    this.store.get(path)?.delete(name);
    if (o) for (const s of this.streams.get(path) ?? []) s.push({ type: "DELETED", object: o } as WatchEvent);
  }

  /** Stops serving a collection: its watches end and new requests answer 404. */
  unserve(path: string): void {
    this.store.delete(path);
    for (const s of this.streams.get(path) ?? []) s.fail(new ApiError(404, "not found", {}, {}));
  }

  clients(): Clients {
    const notFound = () => new ApiError(404, "the server could not find the requested resource", {}, {});
    return {
      list: async (path: string, _q: Record<string, string>): Promise<RawList> => {
        if (path === CRDS && this.forbidCrds) throw new ApiError(403, "forbidden", {}, {});
        const coll = this.store.get(path);
        if (!coll) throw notFound();
        return { metadata: { resourceVersion: String(this.#rv) }, items: [...coll.values()] } as RawList;
      },
      watch: async (path: string, q: Record<string, string>, signal: AbortSignal) => {
        if (!this.store.has(path)) throw notFound();
        const s = new FakeStream(q, signal);
        this.streams.set(path, [...(this.streams.get(path) ?? []), s]);
        return s;
      },
      request: async (_m: string, path: string) => {
        // Discovery: /apis/<group>/<version> lists the plurals served under it.
        const plurals = [...this.store.keys()]
          .filter((p) => p.startsWith(`${path}/`))
          .map((p) => p.slice(path.length + 1));
        if (plurals.length === 0) throw notFound();
        return { resources: plurals.map((name) => ({ name })) };
      },
    } as unknown as Clients;
  }
}

async function until(what: string, ok: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

function setup(api: FakeApi) {
  api.store.set(CRDS, api.store.get(CRDS) ?? new Map());
  api.store.set("/apis/networking.k8s.io/v1/ingresses", new Map());
  const caches = new RouteCaches(api.clients(), {
    metrics: createMetrics({ defaultMetrics: false }),
    log: silentLogger,
    slimMeta: (o) => ({ name: o.metadata?.name ?? "", namespace: o.metadata?.namespace ?? "" }),
  });
  const changed: string[] = [];
  const routeEvents: string[] = [];
  caches.routeEvents(
    (k) => routeEvents.push(k),
    (k) => [`rollout-of:${k}`],
  );
  caches.onApiChange((kind) => changed.push(kind));
  return { caches, changed, routeEvents };
}

const route = (name: string) => ({ metadata: { name, namespace: "shop" }, spec: { rules: [] } });

describe("crdView", () => {
  const table: [string, KubernetesObject, boolean | undefined][] = [
    ["Established, v1 served", crd("httproutes.gateway.networking.k8s.io"), true],
    ["not yet Established", crd("httproutes.gateway.networking.k8s.io", { established: false }), false],
    ["only v1beta1 served", crd("httproutes.gateway.networking.k8s.io", { version: "v1beta1" }), false],
    ["being deleted", crd("virtualservices.networking.istio.io", { deleting: true }), false],
    ["a CRD ramp does not read is not cached", crd("certificates.cert-manager.io"), undefined],
  ];
  for (const [name, obj, served] of table) test(name, () => assert.equal(crdView(obj)?.served, served));

  test("each router CRD maps to its API; Ingress has none", () => {
    assert.deepEqual(crdApis("gateways.gateway.networking.k8s.io"), ["Gateway"]);
    assert.deepEqual(crdApis("destinationrules.networking.istio.io"), ["DestinationRule"]);
    assert.deepEqual(crdApis("ingresses.networking.k8s.io"), []);
  });
});

describe("RouteCaches follows CRDs", () => {
  test("installed after start: watched once Established, Rollouts told; deleted: dropped, told; back: watched again", async () => {
    const api = new FakeApi();
    const { caches, changed, routeEvents } = setup(api);
    await caches.start();
    assert.ok(caches.synced(), "ready without Gateway API");
    assert.equal(caches.served("HTTPRoute"), false);
    assert.equal(caches.served("Ingress"), true, "Ingress is built in");

    // The CRD is created, then Established a moment later (as the apiserver does).
    api.put(CRDS, crd("httproutes.gateway.networking.k8s.io", { established: false }));
    await sleep(20);
    assert.equal(caches.served("HTTPRoute"), false, "not before Established");
    api.store.set(HTTPROUTES, new Map());
    api.put(HTTPROUTES, route("shop"));
    api.put(CRDS, crd("httproutes.gateway.networking.k8s.io"));
    await until("HTTPRoute served", () => caches.served("HTTPRoute"));
    await until("the change announced", () => changed.includes("HTTPRoute"));
    assert.equal(caches.get("HTTPRoute", "shop", "shop")?.metadata.name, "shop");
    assert.ok(routeEvents.includes("rollout-of:HTTPRoute:shop/shop"), "route events reach Rollouts");
    assert.ok(caches.synced(), "a later API does not make ramp unready");

    // Deleted while in use: a deletionTimestamp is enough to stop watching it.
    changed.length = 0;
    api.put(CRDS, crd("httproutes.gateway.networking.k8s.io", { deleting: true }));
    await until("HTTPRoute dropped", () => !caches.served("HTTPRoute") && changed.includes("HTTPRoute"));
    assert.equal(caches.get("HTTPRoute", "shop", "shop"), undefined);
    api.unserve(HTTPROUTES);
    api.remove(CRDS, "httproutes.gateway.networking.k8s.io");
    await sleep(20);
    assert.equal(caches.served("HTTPRoute"), false);

    // Installed again.
    changed.length = 0;
    api.store.set(HTTPROUTES, new Map());
    api.put(HTTPROUTES, route("again"));
    api.put(CRDS, crd("httproutes.gateway.networking.k8s.io"));
    await until("HTTPRoute served again", () => caches.served("HTTPRoute") && changed.includes("HTTPRoute"));
    assert.equal(caches.get("HTTPRoute", "shop", "again")?.metadata.name, "again");
    await caches.stop();
  });

  test("Gateways and GatewayClasses: their CRDs bring gatewayClassOf, a change is an HTTPRoute change", async () => {
    const api = new FakeApi();
    const { caches, changed } = setup(api);
    await caches.start();
    assert.equal(caches.gatewayClassOf("shop", "gw"), undefined);
    api.store.set("/apis/gateway.networking.k8s.io/v1/gateways", new Map());
    api.store.set("/apis/gateway.networking.k8s.io/v1/gatewayclasses", new Map());
    api.put("/apis/gateway.networking.k8s.io/v1/gateways", {
      metadata: { name: "gw", namespace: "shop" },
      spec: { gatewayClassName: "traefik" },
    } as KubernetesObject);
    api.put("/apis/gateway.networking.k8s.io/v1/gatewayclasses", {
      metadata: { name: "traefik" },
      spec: { controllerName: "traefik.io/gateway-controller" },
    } as KubernetesObject);
    api.put(CRDS, crd("gateways.gateway.networking.k8s.io"));
    api.put(CRDS, crd("gatewayclasses.gateway.networking.k8s.io"));
    await until("the class read", () => caches.gatewayClassOf("shop", "gw") !== undefined);
    assert.equal(caches.gatewayClassOf("shop", "gw")?.controllerName, "traefik.io/gateway-controller");
    assert.ok(changed.length > 0 && changed.every((k) => k === "HTTPRoute"));
    await caches.stop();
  });

  test("served at start: watched before ready; CRDs of other APIs are not cached", async () => {
    const api = new FakeApi();
    api.put(CRDS, crd("virtualservices.networking.istio.io"));
    api.put(CRDS, crd("certificates.cert-manager.io"));
    api.store.set("/apis/networking.istio.io/v1/virtualservices", new Map());
    const { caches } = setup(api);
    await caches.start();
    assert.equal(caches.served("VirtualService"), true);
    assert.equal(caches.served("DestinationRule"), false);
    await caches.stop();
    const view: CrdView | undefined = crdView(crd("certificates.cert-manager.io"));
    assert.equal(view, undefined);
  });

  test("without RBAC on CRDs: discovery at start decides, and start still succeeds", async () => {
    const api = new FakeApi();
    api.forbidCrds = true;
    api.store.set("/apis/networking.istio.io/v1/destinationrules", new Map());
    const { caches } = setup(api);
    await caches.start();
    assert.equal(caches.served("DestinationRule"), true);
    assert.equal(caches.served("HTTPRoute"), false);
    assert.ok(caches.synced());
    await caches.stop();
  });
});
