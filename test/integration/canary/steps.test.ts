// Given a canary Rollout without a traffic router, when a new version ships, then it moves through every
// step and ends with only the new ReplicaSet scaled.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { kubectl } from "../../../dev/kube.ts";
import { Fixture } from "../../support/e2e/fixture.ts";

const vars = (name: string, extra: Record<string, string> = {}) => ({
  NAME: name,
  IMAGE: "registry.local/web:1",
  PAUSE1: "3s",
  PAUSE2: "{duration: 3s}",
  DEADLINE: "600",
  ...extra,
});

describe("canary steps", () => {
  let f: Fixture;
  before(async () => {
    f = await Fixture.create("canary-steps");
    await f.startController();
  });
  after(() => f?.cleanup());

  test("first deploy: straight to stable at full scale, no steps", async () => {
    await f.applyFixture("canary/three-steps.yaml", vars("web"));
    const s = await f.waitHealthy("web");
    assert.equal(s.availableReplicas, 5);
    assert.equal(s.readyReplicas, 5);
    assert.deepEqual(Object.values(await f.replicaSets("web")), [5]);
    const weights = f.history
      .statuses("web")
      .map((x) => (x.obj.canary as { weight?: number } | undefined)?.weight);
    assert.ok(
      weights.every((w) => w === undefined || w === 0),
      `no canary weight on first deploy: ${weights}`,
    );
    const conditions = Object.fromEntries((s.conditions ?? []).map((c) => [c.type, c.status]));
    assert.deepEqual(
      [conditions.Ready, conditions.Reconciling, conditions.Stalled],
      ["True", "False", "False"],
    );
    assert.equal(s.selector, "app=web");
  });

  test("a new version: 20% → pause 3s → 50% → pause 3s → 100%, then only the new ReplicaSet is scaled", async () => {
    const before = await f.rollout("web");
    await f.setImage("web", "registry.local/web:2");
    await f.waitStatus("web", "paused at step 2", (s) => s.phase === "Paused" && s.currentStepIndex === 1);
    const rs = await f.replicaSets("web");
    assert.deepEqual(Object.values(rs).sort(), [1, 4], `20% of 5 pods: ${JSON.stringify(rs)}`);
    const done = await f.waitHealthy("web", 90_000);
    assert.notEqual(done.stableRS, before.status?.stableRS);
    const final = await f.replicaSets("web");
    assert.equal(final[`web-${done.stableRS}`], 5);
    assert.equal(Object.values(final).filter((n) => n > 0).length, 1, JSON.stringify(final));

    // An Event for each transition, in order.
    const events = await kubectl([
      "get",
      "events",
      "-n",
      f.namespace,
      "--field-selector",
      "involvedObject.name=web,involvedObject.kind=Rollout",
      "--sort-by=.firstTimestamp",
      "-o",
      'jsonpath={range .items[*]}{.reason}{"\\n"}{end}',
    ]);
    const reasons = events.stdout.trim().split("\n");
    for (const r of ["RolloutStarted", "StepStarted", "Promoting", "Completed"])
      assert.ok(reasons.includes(r), `Event ${r}: ${reasons}`);
    assert.ok(reasons.indexOf("RolloutStarted") < reasons.lastIndexOf("Completed"));

    // The steps were taken in order and each timed pause lasted at least its duration.
    const steps = f.history.statuses("web").map((x) => x.obj.currentStepIndex as number | undefined);
    const seen = steps.filter((s, i) => s !== undefined && s !== steps[i - 1]);
    assert.deepEqual(seen.slice(seen.indexOf(0)), [0, 1, 2, 3, 4, 5], `steps seen: ${seen}`);
    // The promotion is one status write: the first status whose machine has Completed already says
    // Healthy, with the new version as stable (not Completed first and Healthy in a second write).
    const completed = f.history
      .statuses("web")
      .map((x) => x.obj)
      .find(
        (st) =>
          (st.machine as { value?: string } | undefined)?.value === "Completed" &&
          st.currentPodHash === done.stableRS,
      );
    assert.equal(completed?.phase, "Healthy", JSON.stringify(completed));
    assert.equal(completed?.stableRS, done.stableRS);

    // The canary never had more pods than the step's weight allowed (20% → 1, 50% → 3 of 5). A reconcile
    // scales first and writes status last, so each scale is judged by the status written after it.
    const canary = f.history.replicaSetScales("web").filter((r) => r.hash === done.stableRS);
    const statusAfter = (at: number) => f.history.statuses("web").find((x) => x.at >= at)?.obj;
    for (const r of canary) {
      const st = statusAfter(r.at);
      const w = (st?.canary as { weight?: number } | undefined)?.weight ?? 100;
      assert.ok(
        r.replicas <= Math.ceil((w * 5) / 100),
        `canary at ${r.replicas} pods while the weight was ${w}`,
      );
    }
  });
});
