// The routers against an in-memory cluster: what they write for a target, that the write is only ramp's
// fields (guarded by test ops), that a written target reads back as shown, and the factory's refusals.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { RampError } from "../../../src/errors.ts";
import { buildRouters } from "../../../src/traffic/factory.ts";
import { writeRoute } from "../../../src/traffic/ports.ts";
import type { TrafficRouter, TrafficTarget } from "../../../src/traffic/router.ts";
import { contextFor, FakeCluster } from "./fakes.ts";

const target = (t: Partial<TrafficTarget> = {}): TrafficTarget => ({
  active: true,
  weight: 0,
  total: 100,
  headerRoutes: [],
  mirrorRoutes: [],
  stableHash: "s1",
  canaryHash: "c2",
  ...t,
});
/** What the reconcile's apply does with a router's plan: every write, in order, through the writer. */
const write = async (c: FakeCluster, r: TrafficRouter, t: TrafficTarget) => {
  for (const w of r.plan(t)) await writeRoute(c.deps().writer, w);
};
const header = { name: "hdr", match: [{ headerName: "X-Canary", headerValue: { prefix: "ye" } }] };

const httpRoute = () => ({
  metadata: { name: "web", labels: { team: "payments" } },
  spec: {
    rules: [
      {
        name: "admin",
        matches: [{ path: { type: "PathPrefix", value: "/admin" } }],
        backendRefs: [{ name: "admin", port: 80 }],
      },
      {
        name: "main",
        matches: [{ path: { type: "PathPrefix", value: "/" } }],
        backendRefs: [
          { group: "", kind: "Service", name: "web-stable", port: 80, weight: 100 },
          { group: "", kind: "Service", name: "web-canary", port: 80, weight: 0 },
        ],
      },
    ],
  },
});
const gatewayRouting = { gatewayAPI: { httpRoutes: [{ name: "web" }] }, managedRoutes: [{ name: "hdr" }] };

describe("Gateway API router", () => {
  test("weights: one JSON patch of the two backendRef weights, each guarded by a test of the backend's name", async () => {
    const c = new FakeCluster();
    c.put("HTTPRoute", httpRoute());
    const [r] = buildRouters(contextFor({ trafficRouting: gatewayRouting }), c.deps().caches);
    assert.ok(r);
    assert.equal(r.shows(target({ weight: 30 })), false);
    await write(c, r, target({ weight: 30 }));
    assert.deepEqual(c.writes[0]?.ops, [
      { op: "test", path: "/spec/rules/1/backendRefs/0/name", value: "web-stable" },
      { op: "add", path: "/spec/rules/1/backendRefs/0/weight", value: 70 },
      { op: "test", path: "/spec/rules/1/backendRefs/1/name", value: "web-canary" },
      { op: "add", path: "/spec/rules/1/backendRefs/1/weight", value: 30 },
    ]);
    assert.ok(r.shows(target({ weight: 30 })));
    assert.equal(r.shownWeight(100), 30);
    await write(c, r, target({ weight: 30 }));
    assert.equal(c.writes.length, 1, "no write when the route already shows the target");
  });

  test("a header route becomes a managed rule right before the weighted one; inactive removes it", async () => {
    const c = new FakeCluster();
    c.put("HTTPRoute", httpRoute());
    const [r] = buildRouters(contextFor({ trafficRouting: gatewayRouting }), c.deps().caches);
    assert.ok(r);
    await write(c, r, target({ weight: 10, headerRoutes: [header] }));
    const rules = c.get("HTTPRoute", "web")?.spec?.rules as { name: string }[];
    assert.deepEqual(
      rules.map((x) => x.name),
      ["admin", "hdr", "main"],
    );
    assert.deepEqual(rules[1], {
      name: "hdr",
      matches: [
        {
          path: { type: "PathPrefix", value: "/" },
          headers: [{ type: "RegularExpression", name: "X-Canary", value: "^ye.*" }],
        },
      ],
      backendRefs: [{ group: "", kind: "Service", name: "web-canary", port: 80, weight: 1 }],
    });
    assert.ok(r.shows(target({ weight: 10, headerRoutes: [header] })));
    await write(c, r, target({ active: false }));
    const after = c.get("HTTPRoute", "web");
    assert.deepEqual(
      ((after?.spec?.rules ?? []) as { name: string }[]).map((x) => x.name),
      ["admin", "main"],
    );
    assert.deepEqual(after?.metadata.labels, { team: "payments" });
    assert.deepEqual(c.writes.at(-1)?.ops?.slice(-2), [
      { op: "test", path: "/spec/rules/1/name", value: "hdr" },
      { op: "remove", path: "/spec/rules/1" },
    ]);
  });

  test("a route changed since the cache was read fails the write (the test op), it never overwrites", async () => {
    const c = new FakeCluster();
    c.put("HTTPRoute", httpRoute());
    const deps = c.deps();
    const [r] = buildRouters(contextFor({ trafficRouting: gatewayRouting }), deps.caches);
    const stale = c.get("HTTPRoute", "web");
    assert.ok(r && stale);
    // Someone swaps the backends' order after ramp read the route.
    const swapped = httpRoute();
    swapped.spec.rules[1]?.backendRefs.reverse();
    const caches = deps.caches as { routeObject: unknown };
    caches.routeObject = () => stale;
    c.put("HTTPRoute", swapped);
    await assert.rejects(write(c, r, target({ weight: 30 })), /422 test failed/);
  });
});

describe("Istio routers", () => {
  const vs = {
    metadata: { name: "web" },
    spec: {
      http: [
        {
          name: "primary",
          route: [
            { destination: { host: "web", subset: "stable" }, weight: 100 },
            { destination: { host: "web", subset: "canary" }, weight: 0 },
          ],
        },
      ],
    },
  };
  const dr = {
    metadata: { name: "web" },
    spec: { host: "web", subsets: [{ name: "stable" }, { name: "canary", labels: { app: "web" } }] },
  };
  const routing = {
    istio: {
      virtualService: { name: "web" },
      destinationRule: { name: "web", canarySubsetName: "canary", stableSubsetName: "stable" },
    },
    managedRoutes: [{ name: "hdr" }],
  };

  test("subsets are pinned to the hashes first, then the weights; a header route goes first (first match wins)", async () => {
    const c = new FakeCluster();
    c.put("VirtualService", vs);
    c.put("DestinationRule", dr);
    const routers = buildRouters(contextFor({ trafficRouting: routing }), c.deps().caches);
    assert.deepEqual(
      routers.map((r) => r.describe),
      ['DestinationRule "web"', 'VirtualService "web"'],
    );
    for (const r of routers) await write(c, r, target({ weight: 25, headerRoutes: [header] }));
    const subsets = c.get("DestinationRule", "web")?.spec?.subsets;
    assert.deepEqual(subsets, [
      { name: "stable", labels: { "ramp.dev/pod-template-hash": "s1" } },
      { name: "canary", labels: { app: "web", "ramp.dev/pod-template-hash": "c2" } },
    ]);
    const http = c.get("VirtualService", "web")?.spec?.http as {
      name: string;
      match?: unknown;
      route: { weight: number }[];
    }[];
    assert.deepEqual(
      http.map((h) => h.name),
      ["hdr", "primary"],
    );
    assert.deepEqual(http[0]?.match, [{ headers: { "x-canary": { prefix: "ye" } } }]);
    assert.deepEqual(
      http[1]?.route.map((d) => d.weight),
      [75, 25],
    );
    assert.ok(routers.every((r) => r.shows(target({ weight: 25, headerRoutes: [header] }))));
  });

  test("maxTrafficWeight other than 100 is refused: Istio weights are percentages", () => {
    const c = new FakeCluster();
    c.put("VirtualService", vs);
    c.put("DestinationRule", dr);
    assert.throws(
      () =>
        buildRouters(contextFor({ trafficRouting: { ...routing, maxTrafficWeight: 1000 } }), c.deps().caches),
      (e: unknown) => e instanceof RampError && e.code === "RouterUnsupported",
    );
  });
});

describe("NGINX router", () => {
  const ingress = {
    metadata: { name: "web" },
    spec: {
      ingressClassName: "nginx",
      rules: [
        {
          host: "web.example.com",
          http: {
            paths: [
              {
                path: "/",
                pathType: "Prefix",
                backend: { service: { name: "web-stable", port: { number: 80 } } },
              },
              {
                path: "/other",
                pathType: "Prefix",
                backend: { service: { name: "other", port: { number: 80 } } },
              },
            ],
          },
        },
      ],
    },
  };
  const routing = {
    nginx: { stableIngress: "web", additionalIngressAnnotations: { "canary-by-cookie": "beta" } },
    managedRoutes: [{ name: "hdr" }],
    maxTrafficWeight: 1000,
  };

  test("the canary Ingress: the stable paths to the canaryService, weight out of maxTrafficWeight, one header", async () => {
    const c = new FakeCluster();
    c.put("Ingress", ingress);
    const [r] = buildRouters(contextFor({ trafficRouting: routing }), c.deps().caches);
    assert.ok(r);
    await write(c, r, target({ weight: 50, total: 1000, headerRoutes: [header] }));
    const canary = c.get("Ingress", "web-web-canary");
    const prefix = "nginx.ingress.kubernetes.io";
    assert.deepEqual(canary?.metadata.annotations, {
      [`${prefix}/canary-by-cookie`]: "beta",
      [`${prefix}/canary`]: "true",
      [`${prefix}/canary-weight`]: "50",
      [`${prefix}/canary-weight-total`]: "1000",
      [`${prefix}/canary-by-header`]: "X-Canary",
      [`${prefix}/canary-by-header-pattern`]: "^ye.*",
    });
    assert.deepEqual(canary?.spec, {
      ingressClassName: "nginx",
      rules: [
        {
          host: "web.example.com",
          http: {
            paths: [
              {
                path: "/",
                pathType: "Prefix",
                backend: { service: { name: "web-canary", port: { number: 80 } } },
              },
            ],
          },
        },
      ],
    });
    assert.equal(canary?.metadata.ownerReferences?.[0]?.uid, "uid-1");
    assert.equal(r.shownWeight(1000), 50);
    assert.ok(r.shows(target({ weight: 50, total: 1000, headerRoutes: [header] })));
    await write(c, r, target({ active: false, total: 1000 }));
    assert.equal(c.get("Ingress", "web-web-canary"), undefined, "deleted when no rollout is in flight");
    assert.deepEqual(
      c.writes.map((w) => w.verb),
      ["apply", "delete"],
    );
  });

  test("a canary Ingress made for a stable Ingress the Rollout no longer names is deleted", async () => {
    const c = new FakeCluster();
    c.put("Ingress", ingress);
    const owner = [{ apiVersion: "ramp.dev/v1alpha1", kind: "Rollout", name: "web", uid: "uid-1" }];
    const labels = { "ramp.dev/rollout": "web" };
    c.put("Ingress", { metadata: { name: "web-old-canary", uid: "u-old", labels, ownerReferences: owner } });
    c.put("Ingress", {
      metadata: {
        name: "web-foreign-canary",
        uid: "u-f",
        labels,
        ownerReferences: [{ apiVersion: "ramp.dev/v1alpha1", kind: "Rollout", name: "web", uid: "another" }],
      },
    });
    const routers = buildRouters(contextFor({ trafficRouting: routing }), c.deps().caches);
    assert.deepEqual(
      routers.map((r) => r.describe),
      ['Ingress "web-web-canary"', "stale canary Ingresses"],
    );
    for (const r of routers) await write(c, r, target({ weight: 10, total: 1000 }));
    assert.equal(c.get("Ingress", "web-old-canary"), undefined);
    assert.ok(c.get("Ingress", "web-foreign-canary"), "an Ingress another Rollout (uid) owns stays");
    assert.ok(c.get("Ingress", "web-web-canary"));
    assert.equal(buildRouters(contextFor({ trafficRouting: routing }), c.deps().caches).length, 1);
  });

  test("steps ingress-nginx cannot express are refused before anything is written", () => {
    const c = new FakeCluster();
    c.put("Ingress", ingress);
    const steps = [{ setHeaderRoute: { name: "hdr", match: [header.match[0], header.match[0]] } }];
    assert.throws(
      () => buildRouters(contextFor({ trafficRouting: routing, steps }), c.deps().caches),
      /steps\[0\]\.setHeaderRoute\.match: ingress-nginx routes by one header/,
    );
  });
});

describe("factory", () => {
  test("an API the cluster does not serve → RouterNotInstalled, naming what to install and that no restart is needed", () => {
    const c = new FakeCluster();
    c.served.delete("HTTPRoute");
    assert.throws(
      () => buildRouters(contextFor({ trafficRouting: gatewayRouting }), c.deps().caches),
      (e: unknown) =>
        e instanceof RampError &&
        e.code === "RouterNotInstalled" &&
        /gatewayAPI: the cluster does not serve HTTPRoute \(gateway.networking.k8s.io\/v1\).*install Gateway API's standard-channel CRDs.*no restart needed/.test(
          e.message,
        ),
    );
  });

  test("no trafficRouting, no routers", () => {
    assert.deepEqual(buildRouters(contextFor({}), new FakeCluster().deps().caches), []);
  });

  test("one managed route cannot be both a header and a mirror route", () => {
    const c = new FakeCluster();
    c.put("HTTPRoute", httpRoute());
    const steps = [
      { setHeaderRoute: header },
      { setMirrorRoute: { name: "hdr", match: [{ method: { exact: "GET" } }] } },
    ];
    assert.throws(
      () => buildRouters(contextFor({ trafficRouting: gatewayRouting, steps }), c.deps().caches),
      /steps\[1\]\.setMirrorRoute\.name/,
    );
  });
});
