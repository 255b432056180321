// Given ramp-controller running before a router's CRD exists, when the CRD is installed, then the Rollouts
// that use it recover by themselves, with no restart; when the CRD is deleted while a canary uses it, the
// Rollout says so (RouterNotInstalled), the controller keeps running, and the canary resumes once it is back.
// The CRD deleted here is Istio's DestinationRule, which only Istio subset tests use; `after` restores it
// from the copy taken first, so the test files after this one find every upstream CRD in place.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { ControllerProcess } from "../../../dev/controller.ts";
import { waitEstablished } from "../../../dev/crds.ts";
import { kubectl, waitFor } from "../../../dev/kube.ts";
import type { RolloutStatus } from "../../../src/api/index.ts";
import { istio } from "../../support/traffic/backends.ts";
import { TrafficFixture, V2 } from "../../support/traffic/fixture.ts";

const CRD = "destinationrules.networking.istio.io";
const STEPS = [{ setWeight: 30 }, { pause: {} }];

type Crd = { metadata: Record<string, unknown>; status?: unknown };

/** The CRD as a new object: what `kubectl create` takes back after a delete. */
function reusable(crd: Crd): Crd {
  const {
    resourceVersion: _r,
    uid: _u,
    creationTimestamp: _c,
    generation: _g,
    managedFields: _m,
    ...meta
  } = crd.metadata;
  return { ...crd, metadata: meta, status: undefined };
}

async function crdExists(): Promise<boolean> {
  return (await kubectl(["get", `crd/${CRD}`, "-o", "name"])).code === 0;
}

describe("traffic routing: install order does not matter", () => {
  let t: TrafficFixture;
  let saved: Crd | undefined;
  let controller: ControllerProcess;

  const deleteCrd = async () => {
    const res = await kubectl(["delete", `crd/${CRD}`, "--wait=true"], { timeoutMs: 120_000 });
    assert.equal(res.code, 0, res.stderr);
  };
  const installCrd = async (): Promise<number> => {
    assert.ok(saved, "the CRD was saved before it was deleted");
    const res = await kubectl(["create", "-f", "-"], { input: JSON.stringify(saved) });
    assert.equal(res.code, 0, res.stderr);
    await waitEstablished([CRD], "the DestinationRule CRD");
    return performance.now();
  };
  const stalled = (name: string, reason: string): Promise<RolloutStatus> =>
    t.f.waitStatus(name, `Stalled ${reason}`, (s) =>
      (s.conditions ?? []).some((c) => c.type === "Stalled" && c.status === "True" && c.reason === reason),
    );
  const running = async (): Promise<boolean> =>
    (await Promise.race([controller.exited.then(() => "exited"), sleep(10).then(() => "running")])) ===
    "running";

  before(async () => {
    t = await TrafficFixture.create("install-order");
    const got = await kubectl(["get", `crd/${CRD}`, "-o", "json"]);
    assert.equal(got.code, 0, got.stderr);
    saved = reusable(JSON.parse(got.stdout) as Crd);
  });
  after(async () => {
    await t?.cleanup();
    // Whatever happened above, the CRD is back for the test files after this one.
    if (saved && !(await crdExists())) await installCrd();
  });

  test("controller first, the CRD after: the Rollout goes from RouterNotInstalled to Healthy without a restart", async (ctx) => {
    await deleteCrd();
    controller = await t.f.startController();
    const name = "late";
    await t.applyRollout({ NAME: name, routing: istio.routing(name), steps: STEPS });
    const s = await stalled(name, "RouterNotInstalled");
    assert.match(
      s.conditions?.find((c) => c.type === "Stalled")?.message ?? "",
      /does not serve DestinationRule \(networking\.istio\.io\/v1\).*no restart needed/,
    );

    const established = await installCrd();
    // Routes can only be applied once their CRD exists: as a GitOps tool's next sync would.
    await t.applyRoutes(istio.routeFile, name);
    await t.f.waitHealthy(name, 30_000);
    ctx.diagnostic(`CRD Established → Rollout Healthy: ${Math.round(performance.now() - established)} ms`);
    assert.ok(await running(), "the same controller process, never restarted");

    // The routing works: a new version is weighted in the VirtualService the cache now follows.
    await t.f.setImage(name, V2);
    await t.pausedAt(name, 1);
    assert.equal((await istio.read(t, name)).weight, 30);
  });

  test("the CRD deleted while a canary uses it: RouterNotInstalled, no crash; back again: the canary resumes", async (ctx) => {
    const name = "late";
    await deleteCrd();
    const s = await stalled(name, "RouterNotInstalled");
    assert.equal(s.phase, "Degraded");
    assert.ok(await running(), "the controller keeps running");

    const back = await installCrd();
    await t.applyRoutes(istio.routeFile, name);
    await t.f.waitStatus(
      name,
      "paused at step 1 again, no Stalled condition",
      (x) =>
        x.phase === "Paused" &&
        x.currentStepIndex === 1 &&
        !(x.conditions ?? []).some((c) => c.type === "Stalled" && c.status === "True"),
      30_000,
    );
    ctx.diagnostic(`CRD Established again → canary resumed: ${Math.round(performance.now() - back)} ms`);
    // The routes came back from Git at weight 0: ramp re-asserts the step's weight.
    await waitFor(async () => (await istio.read(t, name)).weight === 30, {
      what: "the weight re-asserted on the restored routes",
    });
    await t.f.actions.promote(name);
    await t.f.waitHealthy(name);
    assert.ok(await running());
  });
});
