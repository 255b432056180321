// The traffic-cleanup finalizer's pure parts (which list to write, which errors end a cleanup) and the
// cleanup itself against an in-memory cluster: routes given back, problems reported, transient errors thrown.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Rollout } from "../../../src/api/index.ts";
import { TRAFFIC_FINALIZER as F } from "../../../src/api/labels.ts";
import type { Deps } from "../../../src/core/ports.ts";
import { RampError } from "../../../src/errors.ts";
import {
  finalize,
  finalizersFor,
  permanent,
  releaseTraffic,
  wantsFinalizer,
} from "../../../src/reconcile/finalizer.ts";
import type { RouteObject } from "../../../src/traffic/apis.ts";
import { contextFor, FakeCluster } from "../traffic/fakes.ts";

const FG = "foregroundDeletion";

describe("finalizersFor", () => {
  const cases: [string, string[] | undefined, boolean, string[] | undefined][] = [
    ["none yet, wanted: added", undefined, true, [F]],
    ["another one kept, ours added last", [FG], true, [FG, F]],
    ["already there: no write", [FG, F], true, undefined],
    ["not wanted: removed, the other kept", [F, FG], false, [FG]],
    ["the only one removed: empty list", [F], false, []],
    ["not there, not wanted: no write", [FG], false, undefined],
    ["no list, not wanted: no write", undefined, false, undefined],
  ];
  for (const [name, current, want, expected] of cases) {
    test(name, () => assert.deepEqual(finalizersFor(current, want), expected));
  }
});

describe("wantsFinalizer", () => {
  const rollout = (strategy: Record<string, unknown>) =>
    Rollout.parse({
      apiVersion: "ramp.dev/v1alpha1",
      kind: "Rollout",
      metadata: { name: "web" },
      spec: {
        selector: { matchLabels: { app: "web" } },
        template: { metadata: { labels: { app: "web" } }, spec: { containers: [] } },
        strategy,
      },
    });
  test("a canary with trafficRouting", () => {
    const routing = { gatewayAPI: { httpRoutes: [{ name: "web" }] } };
    const canary = { canaryService: "c", stableService: "s", trafficRouting: routing };
    assert.equal(wantsFinalizer(rollout({ canary })), true);
  });
  test("a canary without, and blue-green: nothing outlives the Rollout", () => {
    assert.equal(wantsFinalizer(rollout({ canary: { steps: [{ setWeight: 10 }] } })), false);
    assert.equal(wantsFinalizer(rollout({ blueGreen: { activeService: "a" } })), false);
  });
});

describe("permanent", () => {
  const cases: [string, unknown, boolean][] = [
    [
      "a RampError (the route cannot be read as the Rollout names it)",
      new RampError("RouteNotFound", "x"),
      true,
    ],
    ["404: the route is gone", { code: 404 }, true],
    ["403: refused for good", { code: 403 }, true],
    ["400", { code: 400 }, true],
    ["409 conflict: retried", { code: 409 }, false],
    ["422 failed test op (a stale cache): retried", { code: 422 }, false],
    ["429: retried", { code: 429 }, false],
    ["503: retried", { code: 503 }, false],
    ["a broken connection: retried", new Error("ECONNRESET"), false],
  ];
  for (const [name, err, expected] of cases) test(name, () => assert.equal(permanent(err), expected));
});

const httpRoute = (canaryWeight: number, extraRules: unknown[] = []): RouteObject => ({
  metadata: { name: "web", labels: { team: "payments" } },
  spec: {
    rules: [
      ...extraRules,
      {
        name: "main",
        matches: [{ path: { type: "PathPrefix", value: "/" } }],
        backendRefs: [
          { group: "", kind: "Service", name: "web-stable", port: 80, weight: 100 - canaryWeight },
          { group: "", kind: "Service", name: "web-canary", port: 80, weight: canaryWeight },
        ],
      },
    ],
  },
});
const hdrRule = {
  name: "hdr",
  matches: [
    { path: { type: "PathPrefix", value: "/" }, headers: [{ type: "Exact", name: "X", value: "1" }] },
  ],
  backendRefs: [{ group: "", kind: "Service", name: "web-canary", port: 80, weight: 1 }],
};
const vs = (canaryWeight: number): RouteObject => ({
  metadata: { name: "web" },
  spec: {
    http: [
      {
        name: "primary",
        route: [
          { destination: { host: "web-stable" }, weight: 100 - canaryWeight },
          { destination: { host: "web-canary" }, weight: canaryWeight },
        ],
      },
    ],
  },
});
const routing = {
  gatewayAPI: { httpRoutes: [{ name: "web" }] },
  istio: { virtualService: { name: "web" } },
  managedRoutes: [{ name: "hdr" }],
};

describe("releaseTraffic", () => {
  test("weights back to stable, managed rule gone, nothing else touched; a second run writes nothing", async () => {
    const c = new FakeCluster();
    c.put("HTTPRoute", httpRoute(25, [hdrRule]));
    c.put("VirtualService", vs(25));
    const ctx = contextFor({ trafficRouting: routing });
    const out = await releaseTraffic(ctx, c.deps());
    assert.deepEqual(out, { restored: ['HTTPRoute "web"', 'VirtualService "web"'], problems: [] });
    assert.deepEqual(c.get("HTTPRoute", "web"), httpRoute(0));
    assert.deepEqual(c.get("VirtualService", "web"), vs(0));
    const writes = c.writes.length;
    assert.deepEqual(await releaseTraffic(ctx, c.deps()), { restored: [], problems: [] });
    assert.equal(c.writes.length, writes, "idempotent");
  });

  test("a route that is gone is reported; the others are still given back", async () => {
    const c = new FakeCluster();
    c.put("VirtualService", vs(40));
    const out = await releaseTraffic(contextFor({ trafficRouting: routing }), c.deps());
    assert.deepEqual(out.restored, ['VirtualService "web"']);
    assert.equal(out.problems.length, 1);
    assert.match(out.problems[0] ?? "", /^HTTPRoute "web": RouteNotFound: .*HTTPRoute "web" does not exist/);
    assert.deepEqual(c.get("VirtualService", "web"), vs(0));
  });

  test("a router whose API is not served is reported, not fatal", async () => {
    const c = new FakeCluster();
    c.served.delete("VirtualService");
    c.put("HTTPRoute", httpRoute(10));
    const out = await releaseTraffic(contextFor({ trafficRouting: routing }), c.deps());
    assert.deepEqual(out.restored, ['HTTPRoute "web"']);
    assert.match(out.problems.join(), /RouterNotInstalled/);
  });

  test("a transient error throws (the work queue retries)", async () => {
    const c = new FakeCluster();
    c.put("HTTPRoute", httpRoute(10));
    const deps = c.deps();
    deps.writer.patchRoute = async () => {
      throw Object.assign(new Error("HTTP 503"), { code: 503 });
    };
    await assert.rejects(releaseTraffic(contextFor({ trafficRouting: routing }), deps), /503/);
  });
});

describe("finalize", () => {
  /** The in-memory cluster plus what finalize reads and writes on the Rollout itself. */
  function env(c: FakeCluster) {
    const base = c.deps();
    const patched: { rv: string; finalizers: string[] }[] = [];
    const deps = {
      ...base,
      caches: { ...base.caches, replicaSetsOf: () => [] },
      writer: {
        ...base.writer,
        patchRolloutFinalizers: async (_ns: string, _name: string, rv: string, finalizers: string[]) => {
          patched.push({ rv, finalizers });
        },
      },
      now: () => 0,
    } as unknown as Deps;
    return { deps, patched };
  }
  const raw = (spec: unknown) => ({
    apiVersion: "ramp.dev/v1alpha1",
    kind: "Rollout",
    metadata: { name: "web", namespace: "ns", uid: "uid-1", resourceVersion: "7", finalizers: [FG, F] },
    spec,
  });
  const spec = (trafficRouting: unknown) => ({
    selector: { matchLabels: { app: "web" } },
    template: { metadata: { labels: { app: "web" } }, spec: { containers: [] } },
    strategy: { canary: { canaryService: "web-canary", stableService: "web-stable", trafficRouting } },
  });

  test("routes given back, then only ramp's finalizer removed (at the cached resourceVersion); a Normal Event", async () => {
    const c = new FakeCluster();
    c.put("HTTPRoute", httpRoute(25, [hdrRule]));
    c.put("VirtualService", vs(25));
    const { deps, patched } = env(c);
    const records = await finalize("ns/web", raw(spec(routing)), deps);
    assert.deepEqual(patched, [{ rv: "7", finalizers: [FG] }]);
    assert.deepEqual(c.get("HTTPRoute", "web"), httpRoute(0));
    assert.deepEqual(
      records.map((r) => [r.type, r.reason]),
      [["Normal", "TrafficRestored"]],
    );
    assert.match(records[0]?.message ?? "", /HTTPRoute "web", VirtualService "web"/);
  });

  test("a route already gone: the finalizer goes anyway, with a Warning naming it", async () => {
    const c = new FakeCluster();
    const { deps, patched } = env(c);
    const records = await finalize(
      "ns/web",
      raw(spec({ gatewayAPI: { httpRoutes: [{ name: "web" }] } })),
      deps,
    );
    assert.deepEqual(patched, [{ rv: "7", finalizers: [FG] }]);
    assert.deepEqual(
      records.map((r) => [r.type, r.reason]),
      [["Warning", "TrafficCleanupFailed"]],
    );
    assert.match(records[0]?.message ?? "", /HTTPRoute "web": RouteNotFound/);
  });

  test("a spec ramp cannot read: nothing written to routes, the finalizer goes, a Warning", async () => {
    const c = new FakeCluster();
    c.put("HTTPRoute", httpRoute(25));
    const { deps, patched } = env(c);
    const records = await finalize("ns/web", raw({ replicas: "many" }), deps);
    assert.deepEqual(patched, [{ rv: "7", finalizers: [FG] }]);
    assert.equal(c.writes.length, 0);
    assert.match(records[0]?.message ?? "", /does not match ramp's schema/);
  });

  test("a transient error: the finalizer stays (the retry finishes the job)", async () => {
    const c = new FakeCluster();
    c.put("HTTPRoute", httpRoute(25));
    const { deps, patched } = env(c);
    deps.writer.patchRoute = async () => {
      throw Object.assign(new Error("HTTP 500"), { code: 500 });
    };
    await assert.rejects(finalize("ns/web", raw(spec(routing)), deps));
    assert.deepEqual(patched, []);
  });
});
