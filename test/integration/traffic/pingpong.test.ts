// Given a canary routed by pingPong (two Services that take turns being stable, no canary/stable Service),
// when versions ship, then the canary's Service gets the weight, and at promotion it becomes the stable one:
// the Service serving all traffic is never re-pointed (its selector stays), only the idle one moves.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { CoreV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import { installUpstreamCrds } from "../../../dev/upstream-crds.ts";
import { HASH_LABEL } from "../../../src/api/labels.ts";
import { Fixture } from "../../support/e2e/fixture.ts";

type Ref = { name: string; weight?: number };

describe("traffic routing: pingPong", () => {
  let f: Fixture;
  before(async () => {
    await installUpstreamCrds();
    f = await Fixture.create("pingpong");
    await f.startController();
  });
  after(() => f?.cleanup());

  const weights = async (name: string) => {
    const route = (await f.kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
      group: "gateway.networking.k8s.io",
      version: "v1",
      plural: "httproutes",
      namespace: f.namespace,
      name,
    })) as { spec: { rules: { backendRefs: Ref[] }[] } };
    return Object.fromEntries(route.spec.rules[0]?.backendRefs.map((r) => [r.name, r.weight]) ?? []);
  };
  const selects = async (service: string) =>
    (await f.kc.makeApiClient(CoreV1Api).readNamespacedService({ name: service, namespace: f.namespace }))
      .spec?.selector?.[HASH_LABEL];

  test("the pair takes turns: the canary's Service becomes stable, the busy one is never re-pointed", async () => {
    await f.applyFixture("traffic/pingpong.yaml", { NAME: "pp" });
    const v1 = (await f.waitHealthy("pp")).stableRS ?? "";
    assert.deepEqual(await weights("pp"), { "pp-ping": 100, "pp-pong": 0 });
    assert.equal((await f.rollout("pp")).status?.canary?.stablePingPong, "ping");

    await f.setImage("pp", "app:2");
    const at30 = await f.waitStatus("pp", "paused at 30%", (s) => s.phase === "Paused");
    const v2 = at30.currentPodHash ?? "";
    assert.deepEqual(await weights("pp"), { "pp-ping": 70, "pp-pong": 30 });
    assert.deepEqual([await selects("pp-ping"), await selects("pp-pong")], [v1, v2]);

    await f.actions.promote("pp");
    const done = await f.waitHealthy("pp", 60_000);
    assert.equal(done.stableRS, v2);
    assert.equal(done.canary?.stablePingPong, "pong", "pong, the canary's Service, is stable now");
    assert.deepEqual(await weights("pp"), { "pp-ping": 0, "pp-pong": 100 });
    assert.equal(await selects("pp-pong"), v2, "the Service with all the traffic kept its selector");

    await f.setImage("pp", "app:3");
    const next = await f.waitStatus(
      "pp",
      "v3 paused at 30%",
      (s) => s.phase === "Paused" && s.currentPodHash !== v2,
    );
    assert.deepEqual(
      await weights("pp"),
      { "pp-ping": 30, "pp-pong": 70 },
      "ping is the canary's Service now",
    );
    assert.deepEqual([await selects("pp-ping"), await selects("pp-pong")], [next.currentPodHash, v2]);
  });
});
