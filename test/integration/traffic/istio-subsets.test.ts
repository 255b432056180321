// Given Istio subset-level routing without canaryService or stableService (as Argo Rollouts allows), when a
// version ships, then ramp weights the VirtualService route between the DestinationRule's subsets and pins
// each subset to its version's hash at every step, through promotion, with no Service of its own.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { CustomObjectsApi } from "@kubernetes/client-node";
import { installUpstreamCrds } from "../../../dev/upstream-crds.ts";
import { Fixture } from "../../support/e2e/fixture.ts";

type Dest = { destination: { host: string; subset?: string }; weight?: number };
type Subset = { name: string; labels?: Record<string, string> };

describe("traffic routing: Istio subsets without canary/stable Services", () => {
  let f: Fixture;
  before(async () => {
    await installUpstreamCrds();
    f = await Fixture.create("istio-subsets");
    await f.startController();
  });
  after(() => f?.cleanup());

  const read = async (plural: string, name: string) =>
    (await f.kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
      group: "networking.istio.io",
      version: "v1",
      plural,
      namespace: f.namespace,
      name,
    })) as { spec: { http?: { name?: string; route?: Dest[] }[]; subsets?: Subset[] } };
  const weights = async (name: string) =>
    ((await read("virtualservices", name)).spec.http ?? [])
      .find((r) => r.name === "primary")
      ?.route?.map((d) => `${d.destination.subset}=${d.weight}`);
  const subsets = async (name: string) =>
    Object.fromEntries(
      ((await read("destinationrules", name)).spec.subsets ?? []).map((s) => [
        s.name,
        s.labels?.["ramp.dev/pod-template-hash"],
      ]),
    );

  test("a canary weighted between subsets, pinned by hash, promoted", async () => {
    await f.applyFixture("traffic/virtualservice.yaml", { NAME: "sub" });
    await f.applyFixture("traffic/rollout-subsets.yaml", { NAME: "sub", IMAGE: "app:1" });
    const v1 = (await f.waitHealthy("sub")).stableRS ?? "";
    assert.deepEqual(await weights("sub"), ["stable=100", "canary=0"]);

    await f.setImage("sub", "app:2");
    const paused = await f.waitStatus(
      "sub",
      "paused at 30%",
      (s) => s.phase === "Paused" && s.currentStepIndex === 1,
    );
    const v2 = paused.currentPodHash ?? "";
    assert.deepEqual(await weights("sub"), ["stable=70", "canary=30"]);
    assert.deepEqual(await subsets("sub"), { stable: v1, canary: v2 });

    await f.actions.promote("sub");
    const done = await f.waitHealthy("sub", 60_000);
    assert.equal(done.stableRS, v2);
    assert.deepEqual(await weights("sub"), ["stable=100", "canary=0"]);
    assert.equal((await subsets("sub")).stable, v2, "the stable subset now selects the promoted version");
  });
});
