// Versions arriving while a rollout is under way: a newer one, a rollback in Git, and a new scale.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { kubectl } from "../../../dev/kube.ts";
import { Fixture } from "../../support/e2e/fixture.ts";

describe("canary versions", () => {
  let f: Fixture;
  before(async () => {
    f = await Fixture.create("canary-versions");
    await f.startController();
  });
  after(() => f?.cleanup());

  const deploy = async (name: string) => {
    await f.applyFixture("canary/three-steps.yaml", {
      NAME: name,
      IMAGE: "app:1",
      PAUSE1: "1h",
      PAUSE2: "{}",
      DEADLINE: "600",
    });
    return (await f.waitHealthy(name)).stableRS;
  };

  test("a newer template mid-rollout restarts the steps for it and scales the intermediate version away", async () => {
    const v1 = await deploy("newer");
    await f.setImage("newer", "app:2");
    const mid = await f.waitStatus(
      "newer",
      "v2 in its 1h pause",
      (s) => s.phase === "Paused" && s.currentStepIndex === 1,
    );
    const v2 = mid.currentPodHash;
    await f.setImage("newer", "app:3");
    const s = await f.waitStatus(
      "newer",
      "v3 in its 1h pause, v2 gone",
      (st) =>
        st.phase === "Paused" &&
        st.currentStepIndex === 1 &&
        st.currentPodHash !== v2 &&
        st.updatedReplicas === 1,
    );
    assert.equal(s.stableRS, v1, "v1 is still stable");
    await f.waitStatus("newer", "only v1 and v3 have pods", (st) => st.replicas === 5);
    const rs = await f.replicaSets("newer");
    assert.equal(rs[`newer-${v2}`], 0, `v2 scaled away: ${JSON.stringify(rs)}`);
    assert.equal(rs[`newer-${s.currentPodHash}`], 1);
    assert.equal(rs[`newer-${v1}`], 4);
  });

  test("going back to the stable template (a rollback in Git) returns to stable at once, without steps", async () => {
    const v1 = await deploy("back");
    await f.setImage("back", "app:2");
    await f.waitStatus("back", "v2 in its 1h pause", (s) => s.phase === "Paused" && s.currentStepIndex === 1);
    await f.setImage("back", "app:1");
    const s = await f.waitHealthy("back");
    assert.equal(s.stableRS, v1);
    assert.equal(s.currentPodHash, v1);
    assert.equal(s.machine, undefined, "no rollout state left behind");
    const rs = await f.replicaSets("back");
    assert.equal(rs[`back-${v1}`], 5);
    assert.equal(
      Object.values(rs).reduce((a, b) => a + b, 0),
      5,
      JSON.stringify(rs),
    );
    const events = await kubectl([
      "get",
      "events",
      "-n",
      f.namespace,
      "--field-selector",
      "involvedObject.name=back",
      "-o",
      "jsonpath={.items[*].reason}",
    ]);
    assert.match(events.stdout, /RolledBack/);
  });

  test("scaling through the scale subresource (as an HPA does) changes the total, and the split follows", async () => {
    await deploy("hpa");
    await f.setImage("hpa", "app:2");
    await f.waitStatus("hpa", "v2 at 20%", (s) => s.phase === "Paused" && s.currentStepIndex === 1);
    const res = await kubectl(["scale", "rollout.ramp.dev/hpa", "-n", f.namespace, "--replicas=10"]);
    assert.equal(res.code, 0, res.stderr);
    const s = await f.waitStatus(
      "hpa",
      "10 pods split 2/8",
      (st) => st.availableReplicas === 10 && st.updatedReplicas === 2,
    );
    const rs = await f.replicaSets("hpa");
    assert.deepEqual(
      Object.values(rs).sort((a, b) => a - b),
      [2, 8],
      JSON.stringify(rs),
    );
    assert.equal(s.selector, "app=hpa", "the scale subresource's selector");
  });
});
