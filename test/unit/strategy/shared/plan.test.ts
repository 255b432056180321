// What every strategy's plan shares: a reference the cluster cannot carry stops the plan before anything
// is planned, and a rolling restart (spec.restartAt) asks for the pods, then deletes the oldest few.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { V1Pod, V1ReplicaSet } from "@kubernetes/client-node";
import { RampError } from "../../../../src/errors.ts";
import { deployed, type SpecInput, T0, World } from "../world.ts";

const iso = (s: number) => new Date(T0 + s * 1000).toISOString();

const canary = (extra: Record<string, unknown> = {}, replicas = 4): SpecInput => ({
  replicas,
  strategy: {
    canary: {
      canaryService: "web-canary",
      stableService: "web-stable",
      steps: [{ setWeight: 25 }, { pause: {} }],
      ...extra,
    },
  },
});
const routing = { trafficRouting: { gatewayAPI: { httpRoutes: [{ name: "web" }] } } };
const cluster = (w: World) =>
  w.withServices("web-stable", "web-canary").withHttpRoute("web", "web-stable", "web-canary");

/** Everything the world holds, to show a failed reconcile changed none of it. */
const snapshot = (w: World) =>
  JSON.stringify([[...w.replicaSets], [...w.services], [...w.routes], [...w.runs], w.status]);

const refused = (code: string, field: string) => (err: unknown) =>
  err instanceof RampError && err.code === code && err.message.includes(field);

describe("a reference the cluster cannot carry: RampError, nothing planned", () => {
  const cases: { name: string; world: () => World; code: string; field: string }[] = [
    {
      name: "a canary's stableService is missing at first deploy",
      world: () => new World(canary()).withServices("web-canary"),
      code: "ServiceNotFound",
      field: "spec.strategy.canary.stableService",
    },
    {
      name: "a canary's canaryService is deleted mid-rollout",
      world: () => {
        const w = deployed(canary(routing), cluster).ship("v2").reach("Paused");
        w.services.delete("web-canary");
        return w;
      },
      code: "ServiceNotFound",
      field: "spec.strategy.canary.canaryService",
    },
    {
      name: "a blue-green previewService is missing",
      world: () => {
        const spec = { replicas: 3, strategy: { blueGreen: { activeService: "a", previewService: "p" } } };
        return deployed(spec, (w) => w.withServices("a", "p"))
          .ship("v2")
          .tap((w) => w.services.delete("p"));
      },
      code: "ServiceNotFound",
      field: "spec.strategy.blueGreen.previewService",
    },
    {
      name: "the HTTPRoute is missing at steady state",
      world: () => deployed(canary(routing), cluster).tap((w) => w.routes.delete("HTTPRoute/web")),
      code: "RouteNotFound",
      field: "spec.strategy.canary.trafficRouting.gatewayAPI.httpRoutes[0]",
    },
    {
      name: "the HTTPRoute is deleted mid-rollout",
      world: () =>
        deployed(canary(routing), cluster)
          .ship("v2")
          .reach("Paused")
          .tap((w) => w.routes.delete("HTTPRoute/web")),
      code: "RouteNotFound",
      field: `HTTPRoute "web" does not exist in namespace "ns"`,
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const w = c.world();
      const before = snapshot(w);
      assert.throws(() => w.plan(), refused(c.code, c.field));
      assert.throws(() => w.reconcile(), refused(c.code, c.field));
      assert.equal(snapshot(w), before);
    });
  }
});

/** A pod of `rs` created `createdAt` seconds after T0, Ready unless told otherwise. */
const pod = (rs: V1ReplicaSet | undefined, name: string, createdAt: number, ready = true): V1Pod => ({
  metadata: {
    name,
    creationTimestamp: new Date(T0 + createdAt * 1000),
    ownerReferences: [
      {
        apiVersion: "apps/v1",
        kind: "ReplicaSet",
        name: rs?.metadata?.name ?? "",
        uid: rs?.metadata?.uid ?? "",
        controller: true,
      },
    ],
  },
  status: { conditions: [{ type: "Ready", status: ready ? "True" : "False" }] },
});

describe("restart (spec.restartAt)", () => {
  // 8 pods, maxUnavailable 2: two old pods at a time.
  const settled = () => {
    const w = deployed(canary({ maxUnavailable: 2 }, 8), cluster).tick(3600);
    return w.edit((s) => ({ ...s, restartAt: iso(3500) }));
  };
  const pods = (w: World, ready = true) =>
    // Listed newest first: the plan sorts them by age itself.
    [7, 6, 5, 4, 3, 2, 1, 0].map((i) => pod(w.rs("v1"), `web-${i}`, i * 10, ready || i > 0));

  test("due on a settled rollout: the first plan asks for the pods and writes nothing", () => {
    const { plan, writes } = settled().plan();
    assert.deepEqual([plan.needsPods, writes], [true, []]);
  });

  test("with the pods: the oldest within maxUnavailable are deleted, and it looks again in 5s", () => {
    const w = settled();
    const { plan, writes } = w.reconcile(pods(w));
    assert.deepEqual(writes, ["podDeletes: web-0", "podDeletes: web-1"]);
    assert.deepEqual(
      plan.outcome.records.map((r) => r.reason),
      ["Restarting"],
    );
    assert.equal(plan.outcome.requeueAfterMs, 5000);
    assert.equal(w.status.phase, "Progressing");
    assert.equal(w.status.restartedAt, undefined);
  });

  test("a pod not Ready counts against the budget: one deletion, not two", () => {
    const w = settled();
    assert.deepEqual(w.plan(pods(w, false)).writes, ["podDeletes: web-0"]);
  });

  test("every pod newer than restartAt: done, recorded as status.restartedAt, pods not asked for again", () => {
    const w = settled();
    const fresh = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => pod(w.rs("v1"), `web-new-${i}`, 3550 + i));
    const { writes } = w.reconcile(fresh);
    assert.deepEqual([writes, w.status.restartedAt], [[], iso(3500)]);
    assert.equal(w.plan().plan.needsPods, undefined);
  });

  test("restartAt ahead: no pods asked for, a requeue for when it is due", () => {
    const w = settled().edit((s) => ({ ...s, restartAt: iso(3700) }));
    const { plan } = w.plan();
    assert.deepEqual([plan.needsPods, plan.outcome.requeueAfterMs], [undefined, 100_000]);
  });

  test("a rollout not settled (a pod unavailable) does not restart yet", () => {
    const w = settled();
    w.ready("v1", 7);
    assert.equal(w.plan().plan.needsPods, undefined);
  });
});
