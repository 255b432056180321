// Things deleted under ramp mid-rollout: what ramp made is repaired or cleaned up, nothing else is touched.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Fixture } from "../../support/e2e/fixture.ts";
import { kubectl, waitFor } from "../../support/kube.ts";

describe("deletion mid-rollout", () => {
  let f: Fixture;
  before(async () => {
    f = await Fixture.create("deletion");
    await f.startController();
  });
  after(() => f?.cleanup());

  test("a canary ReplicaSet deleted by hand is recreated at the step's scale on the next reconcile", async () => {
    await f.applyFixture("canary/three-steps.yaml", {
      NAME: "web",
      IMAGE: "app:1",
      PAUSE1: "1h",
      PAUSE2: "{}",
      DEADLINE: "600",
    });
    await f.waitHealthy("web");
    await f.setImage("web", "app:2");
    const s = await f.waitStatus(
      "web",
      "in the 1h pause",
      (st) => st.phase === "Paused" && st.currentStepIndex === 1,
    );
    const canary = `web-${s.currentPodHash}`;
    const uid = (await kubectl(["get", "rs", canary, "-n", f.namespace, "-o", "jsonpath={.metadata.uid}"]))
      .stdout;
    const del = await kubectl(["delete", "rs", canary, "-n", f.namespace]);
    assert.equal(del.code, 0, del.stderr);
    await waitFor(
      async () => {
        const r = await kubectl([
          "get",
          "rs",
          canary,
          "-n",
          f.namespace,
          "-o",
          "jsonpath={.metadata.uid} {.spec.replicas} {.status.availableReplicas}",
        ]);
        const [newUid, replicas, available] = r.stdout.split(" ");
        return r.code === 0 && newUid !== uid && replicas === "1" && available === "1";
      },
      { what: "the canary ReplicaSet to be recreated with 1 available pod", timeoutMs: 60_000 },
    );
    const after = await f.rollout("web");
    assert.equal(after.status?.currentStepIndex, 1, "still in the same step");
    assert.equal(after.status?.stableRS, s.stableRS);
  });

  test("deleting a Rollout mid-canary removes its ReplicaSets (owner references) and nothing else", async () => {
    await f.applyFixture("canary/three-steps.yaml", {
      NAME: "gone",
      IMAGE: "app:1",
      PAUSE1: "1h",
      PAUSE2: "{}",
      DEADLINE: "600",
    });
    await f.waitHealthy("gone");
    await f.setImage("gone", "app:2");
    await f.waitStatus("gone", "in the 1h pause", (st) => st.phase === "Paused");
    await kubectl(["delete", "rollout.ramp.dev", "gone", "-n", f.namespace]);
    await waitFor(async () => Object.keys(await f.replicaSets("gone")).length === 0, {
      what: "the ReplicaSets of gone to be collected",
      timeoutMs: 60_000,
    });
    const services = await kubectl([
      "get",
      "svc",
      "gone-stable",
      "gone-canary",
      "-n",
      f.namespace,
      "-o",
      "name",
    ]);
    assert.equal(services.code, 0, "the user's Services stay");
    assert.equal(services.stdout.trim().split("\n").length, 2);
    assert.equal((await f.rollout("web")).status?.phase, "Paused", "the other Rollout is untouched");
  });
});
