// Given a Rollout deleted with --cascade=orphan (its ReplicaSets and pods keep running, owned by nothing),
// when the same Rollout is created again, then it adopts the ReplicaSets labelled for it, as a Deployment
// adopts its orphans: the same pods keep running (same UIDs), no ReplicaSet is created, and it is Healthy.
// This is what `kubectl ramp migrate` relies on.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { CoreV1Api } from "@kubernetes/client-node";
import { kubectl, waitFor } from "../../../dev/kube.ts";
import { Fixture } from "../../support/e2e/fixture.ts";

describe("adopting orphaned ReplicaSets", () => {
  let f: Fixture;
  before(async () => {
    f = await Fixture.create("canary-adopt");
    await f.startController();
  });
  after(() => f?.cleanup());

  const vars = { NAME: "web", IMAGE: "app:1", PAUSE1: "1s", PAUSE2: "{duration: 1s}", DEADLINE: "600" };
  const owners = async () => {
    const res = await kubectl([
      "get",
      "replicasets",
      "-n",
      f.namespace,
      "-l",
      "ramp.dev/rollout=web",
      "-o",
      'jsonpath={range .items[*]}{.metadata.name}={.metadata.ownerReferences[0].uid}{"\\n"}{end}',
    ]);
    assert.equal(res.code, 0, res.stderr);
    return res.stdout.trim().split("\n").filter(Boolean);
  };

  test("a recreated Rollout adopts its orphaned ReplicaSet: same pods, no new ReplicaSet, Healthy", async () => {
    const core = f.kc.makeApiClient(CoreV1Api);
    const uids = async () =>
      (await core.listNamespacedPod({ namespace: f.namespace, labelSelector: "app=web" })).items
        .map((p) => p.metadata?.uid ?? "")
        .sort();
    await f.applyFixture("canary/three-steps.yaml", vars);
    await f.waitHealthy("web");
    const before = await uids();
    assert.equal(before.length, 5);

    const del = await kubectl(["delete", "rollout.ramp.dev", "web", "-n", f.namespace, "--cascade=orphan"]);
    assert.equal(del.code, 0, del.stderr);
    await waitFor(async () => (await owners()).every((l) => l.endsWith("=")) || undefined, {
      what: "the ReplicaSet orphaned by the garbage collector",
    });

    await f.applyFixture("canary/three-steps.yaml", vars);
    const uid = ((await f.rollout("web")).metadata as { uid?: string }).uid;
    await f.waitHealthy("web");
    await waitFor(async () => (await owners()).every((l) => l.endsWith(`=${uid}`)) || undefined, {
      what: "the ReplicaSet owned by the new Rollout",
    });
    assert.equal((await owners()).length, 1, "no ReplicaSet was created");
    assert.deepEqual(await uids(), before, "the same pods run");
  });
});
