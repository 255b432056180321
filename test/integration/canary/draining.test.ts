// Given a routed canary whose previous stable is still waiting out a long scaleDownDelaySeconds, when the
// next version ships, then it gets its canary pods and moves through its steps at once: the draining
// version keeps its pods and neither takes the canary's room nor holds a step back.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { installUpstreamCrds } from "../../../dev/upstream-crds.ts";
import { Fixture } from "../../support/e2e/fixture.ts";

describe("canary: a new version while the old stable drains", () => {
  let f: Fixture;
  before(async () => {
    await installUpstreamCrds();
    f = await Fixture.create("draining");
    await f.startController();
  });
  after(() => f?.cleanup());

  test("v3 reaches its 50% pause with 2 pods while v1 still drains with its 4", async () => {
    await f.applyFixture("traffic/httproute.yaml", { NAME: "drain", NAMESPACE: f.namespace });
    await f.applyFixture("traffic/rollout.yaml", {
      NAME: "drain",
      IMAGE: "app:1",
      SCALE_DOWN_DELAY: "120",
      ABORT_DELAY: "1",
      ROUTING: JSON.stringify({ gatewayAPI: { httpRoutes: [{ name: "drain" }] } }),
      STEPS: JSON.stringify([{ setWeight: 50 }, { pause: {} }]),
    });
    const v1 = (await f.waitHealthy("drain")).stableRS ?? "";
    await f.setImage("drain", "app:2");
    await f.waitStatus("drain", "v2 at its pause", (s) => s.phase === "Paused");
    await f.actions.promote("drain");
    const v2 = (await f.waitStatus("drain", "v2 stable", (s) => s.stableRS !== v1 && s.phase !== "Paused"))
      .stableRS;
    await f.setImage("drain", "app:3");
    const s = await f.waitStatus(
      "drain",
      "v3 at its 50% pause",
      (st) => st.phase === "Paused" && st.stableRS === v2,
      30_000,
    );
    const sets = await f.replicaSets("drain");
    assert.equal(sets[`drain-${s.currentPodHash}`], 2, JSON.stringify(sets));
    assert.equal(sets[`drain-${v1}`], 4, "v1 still waits out its scale-down delay with its pods");
    assert.equal(s.canary?.weight, 50);
  });
});
