// Given Rollouts that route traffic, when one is deleted mid-canary, then ramp gives the user's routes back
// before it goes (stable at the full weight, no managed rule, every other manager's field as it was); a
// route already gone does not hold the deletion; without a controller it waits until the finalizer goes.
import assert from "node:assert/strict";
import { after, before, describe, type TestContext, test } from "node:test";
import { kubectl, waitFor } from "../../../dev/kube.ts";
import { follow } from "../../../dev/watch.ts";
import { TRAFFIC_FINALIZER } from "../../../src/api/labels.ts";
import { collectionPath } from "../../../src/traffic/apis.ts";
import { canaryIngressName } from "../../../src/traffic/nginx.ts";
import { type Backend, gateway, istio, nginx } from "../../support/traffic/backends.ts";
import { GITOPS, TrafficFixture, V2 } from "../../support/traffic/fixture.ts";
import { applyAs, currentRevision, managersOf, type RouteObj, rvOf } from "../../support/traffic/routes.ts";

const STEPS = [
  { setWeight: 25 },
  {
    setHeaderRoute: {
      name: "canary-header",
      match: [{ headerName: "X-Canary", headerValue: { exact: "yes" } }],
    },
  },
  { setMirrorRoute: { name: "mirror", percentage: 50, match: [{ path: { prefix: "/" } }] } },
  { pause: {} },
];

describe("traffic routing: deleting a Rollout gives the routes back", () => {
  let t: TrafficFixture;
  before(async () => {
    t = await TrafficFixture.create("traffic-deletion");
    await t.f.startController();
  });
  after(() => t?.cleanup());

  const finalizers = async (name: string): Promise<string[]> =>
    ((await t.f.rollout(name)).metadata as { finalizers?: string[] }).finalizers ?? [];

  async function deleteAndWaitGone(name: string): Promise<void> {
    const del = await kubectl(["delete", "rollout.ramp.dev", name, "-n", t.namespace, "--wait=false"]);
    assert.equal(del.code, 0, del.stderr);
    await waitFor(
      async () => {
        const r = await kubectl(["get", "rollout.ramp.dev", name, "-n", t.namespace, "-o", "name"]);
        return r.code !== 0 && r.stderr.includes("NotFound");
      },
      { what: `Rollout ${name} to be gone`, timeoutMs: 60_000 },
    );
  }

  /** The reasons and messages of the Events about a Rollout, once one with `reason` is there. */
  async function eventsAbout(name: string, reason: string): Promise<string[]> {
    return waitFor(
      async () => {
        const r = await kubectl([
          "get",
          "events",
          "-n",
          t.namespace,
          "--field-selector",
          `involvedObject.kind=Rollout,involvedObject.name=${name}`,
          "-o",
          'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}',
        ]);
        const lines = r.stdout.split("\n").filter(Boolean);
        return lines.some((l) => l.startsWith(`${reason}:`)) ? lines : undefined;
      },
      { what: `a ${reason} Event about ${name}` },
    );
  }

  /** The revision a deletion of `what` was seen at in a history, once the watch delivered it. */
  async function deletedAt(
    seen: () => { type: string; obj: unknown }[],
    match: (o: RouteObj) => boolean,
    what: string,
  ): Promise<number> {
    const rvs = () =>
      seen()
        .filter((e) => e.type === "DELETED" && match(e.obj as RouteObj))
        .map((e) => rvOf(e.obj as RouteObj));
    await waitFor(() => rvs().length > 0, { what: `${what} to be deleted`, timeoutMs: 60_000 });
    return Math.min(...rvs());
  }

  /** When the Rollout went, and when the garbage collector first took one of its ReplicaSets. */
  async function goneAndCollected(name: string): Promise<{ gone: number; gc: number }> {
    const gone = await deletedAt(
      () => t.f.history.rollouts,
      (o) => o.metadata.name === name,
      name,
    );
    const gc = await deletedAt(
      () => t.f.history.replicaSets,
      (o) => o.metadata.labels?.["ramp.dev/rollout"] === name,
      `${name}'s ReplicaSets`,
    );
    return { gone, gc };
  }

  /**
   * With the routes applied: ships v2 to the pause after 25%, header and mirror routes on, deletes it, and
   * returns the route as it is now, written (given back) after the delete and before the Rollout went.
   */
  async function deleteMidCanary(b: Backend, name: string, ctx: TestContext): Promise<RouteObj> {
    await t.applyRollout({ NAME: name, routing: b.routing(name), steps: STEPS });
    await t.f.waitHealthy(name);
    assert.deepEqual(await finalizers(name), [TRAFFIC_FINALIZER], "a routed Rollout carries the finalizer");
    await t.f.setImage(name, V2);
    await t.pausedAt(name, 3);
    assert.deepEqual(await b.read(t, name), { weight: 25, total: 100, managed: ["canary-header", "mirror"] });
    const from = await currentRevision(t.f.kc, t.namespace);
    await deleteAndWaitGone(name);
    const kind = b.kinds[0] ?? "HTTPRoute";
    const now = await t.route(kind, name);
    assert.ok(now, `${kind} ${name} is still there`);
    assert.deepEqual(await b.read(t, name), { weight: 0, total: 100, managed: [] });
    const { gone, gc } = await goneAndCollected(name);
    const restored = rvOf(now);
    ctx.diagnostic(
      `delete at revision ${from}: ${kind} given back at ${restored}, Rollout gone at ${gone}, first ReplicaSet collected at ${gc}`,
    );
    assert.ok(from < restored && restored < gone, "given back after the delete, before the Rollout went");
    assert.ok(gone < gc, "while its pods still ran");
    assert.match(
      (await eventsAbout(name, "TrafficRestored")).join("\n"),
      /TrafficRestored: .*managed routes removed/,
    );
    return now;
  }

  test("Gateway API: deleted at 25% with header and mirror rules → the HTTPRoute is exactly as Git wrote it", async (ctx) => {
    const name = "gw";
    await t.applyRoutes(gateway.routeFile, name);
    const git = await t.route("HTTPRoute", name);
    // Another manager's annotation on the route must survive ramp's cleanup.
    const other = {
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "HTTPRoute",
      metadata: { name, annotations: { "example.com/owner": "platform" } },
    };
    await applyAs("platform", t.namespace, JSON.stringify(other));
    const now = await deleteMidCanary(gateway, name, ctx);
    assert.ok(git);
    assert.deepEqual(now.spec, git.spec, "spec back to what the GitOps tool applied");
    gateway.gitopsKept(now, name);
    assert.equal(now.metadata.annotations?.["example.com/owner"], "platform");
    assert.ok(managersOf(now).includes(GITOPS) && managersOf(now).includes("platform"));
  });

  test("Istio: deleted at 25% with header and mirror routes → the VirtualService is exactly as Git wrote it", async (ctx) => {
    const name = "vs";
    await t.applyRoutes(istio.routeFile, name);
    const git = await t.route("VirtualService", name);
    const now = await deleteMidCanary(istio, name, ctx);
    assert.ok(git);
    assert.deepEqual(now.spec, git.spec, "spec back to what the GitOps tool applied");
    istio.gitopsKept(now, name);
    // The subsets keep their pins (documented): only the hash labels were ramp's.
    const dr = await t.route("DestinationRule", name);
    assert.ok(dr);
    istio.gitopsKept(dr, name);
    const subsets = (dr.spec?.subsets ?? []) as { name: string; labels?: Record<string, string> }[];
    assert.deepEqual(
      subsets.map((s) => [s.name, s.labels?.app]),
      [
        ["stable", name],
        ["canary", name],
      ],
    );
  });

  test("NGINX: the canary Ingress is deleted by ramp before the Rollout goes; the stable one is never written", async (ctx) => {
    const name = "ing";
    const canary = canaryIngressName(name, name);
    await t.applyRoutes(nginx.routeFile, name);
    await t.applyRollout({
      NAME: name,
      routing: nginx.routing(name),
      steps: [{ setWeight: 25 }, { pause: {} }],
    });
    await t.f.waitHealthy(name);
    await t.f.setImage(name, V2);
    await t.pausedAt(name, 1);
    assert.equal((await nginx.read(t, name)).weight, 25);
    const ingresses: { type: string; obj: unknown }[] = [];
    const watch = await follow(t.f.kc, collectionPath("Ingress", t.namespace), (type, obj) =>
      ingresses.push({ type, obj }),
    );
    try {
      await deleteAndWaitGone(name);
      const removed = await deletedAt(
        () => ingresses,
        (o) => o.metadata.name === canary,
        canary,
      );
      const { gone, gc } = await goneAndCollected(name);
      ctx.diagnostic(
        `canary Ingress deleted at revision ${removed}, Rollout gone at ${gone}, first ReplicaSet at ${gc}`,
      );
      // The garbage collector deletes dependents only after their owner is gone: this was ramp.
      assert.ok(removed < gone, "deleted by ramp before the Rollout went");
    } finally {
      watch.stop();
    }
    const stable = await t.route("Ingress", name);
    assert.deepEqual(managersOf(stable ?? { metadata: { name } }), [GITOPS]);
    assert.equal(stable?.metadata.generation, 1);
  });

  test("a Rollout whose HTTPRoute was deleted first still deletes, with a Warning naming the route", async () => {
    const name = "gone";
    await t.applyRoutes(gateway.routeFile, name);
    await t.applyRollout({
      NAME: name,
      routing: gateway.routing(name),
      steps: [{ setWeight: 25 }, { pause: {} }],
    });
    await t.f.waitHealthy(name);
    await t.f.setImage(name, V2);
    await t.pausedAt(name, 1);
    const del = await kubectl(["delete", "httproute", name, "-n", t.namespace]);
    assert.equal(del.code, 0, del.stderr);
    await deleteAndWaitGone(name);
    const events = (await eventsAbout(name, "TrafficCleanupFailed")).join("\n");
    assert.match(events, /TrafficCleanupFailed: .*HTTPRoute "gone": RouteNotFound/);
  });

  test("the finalizer comes off when trafficRouting leaves the spec, and back when it returns", async () => {
    const name = "toggle";
    await t.applyRoutes(gateway.routeFile, name);
    await t.applyRollout({
      NAME: name,
      routing: gateway.routing(name),
      steps: [{ setWeight: 25 }, { pause: {} }],
    });
    await t.f.waitHealthy(name);
    assert.deepEqual(await finalizers(name), [TRAFFIC_FINALIZER]);
    // scaleDownDelaySeconds means something only with a router: it leaves with trafficRouting (admission says so).
    await t.f.patchSpec(name, {
      strategy: { canary: { trafficRouting: null, scaleDownDelaySeconds: null } },
    });
    await waitFor(async () => (await finalizers(name)).length === 0, { what: "the finalizer removed" });
    await t.f.patchSpec(name, { strategy: { canary: { trafficRouting: gateway.routing(name) } } });
    await waitFor(async () => (await finalizers(name)).includes(TRAFFIC_FINALIZER), {
      what: "the finalizer back",
    });
    assert.equal((await t.f.rollout(name)).metadata.generation, 3, "only the two spec edits bumped it");
  });

  // Last: it stops the controller.
  test("without a controller, deletion waits; the documented patch lets the Rollout go", async () => {
    const name = "orphan";
    await t.applyRoutes(gateway.routeFile, name);
    await t.applyRollout({
      NAME: name,
      routing: gateway.routing(name),
      steps: [{ setWeight: 25 }, { pause: {} }],
    });
    await t.f.waitHealthy(name);
    for (const c of t.f.controllers) await c.kill();
    const del = await kubectl(["delete", "rollout.ramp.dev", name, "-n", t.namespace, "--wait=false"]);
    assert.equal(del.code, 0, del.stderr);
    const held = await t.f.rollout(name);
    const meta = held.metadata as { deletionTimestamp?: string; finalizers?: string[] };
    assert.ok(meta.deletionTimestamp, "marked for deletion");
    assert.deepEqual(meta.finalizers, [TRAFFIC_FINALIZER], "held by the finalizer");
    // docs/traffic-routing.md, "Deleting a Rollout", with I = 0.
    const patch = await kubectl([
      "patch",
      "rollout.ramp.dev",
      name,
      "-n",
      t.namespace,
      "--type=json",
      "-p",
      '[{"op": "test", "path": "/metadata/finalizers/0", "value": "ramp.dev/traffic-cleanup"}, {"op": "remove", "path": "/metadata/finalizers/0"}]',
    ]);
    assert.equal(patch.code, 0, patch.stderr);
    await waitFor(
      async () =>
        (await kubectl(["get", "rollout.ramp.dev", name, "-n", t.namespace])).stderr.includes("NotFound"),
      { what: `Rollout ${name} to be gone` },
    );
  });
});
