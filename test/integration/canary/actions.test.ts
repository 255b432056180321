// User actions on a live canary: each writes intent to the status subresource, never to spec.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Fixture } from "../../support/e2e/fixture.ts";

const INDEFINITE = { PAUSE1: "3s", PAUSE2: "{}", DEADLINE: "600" };

describe("canary user actions", () => {
  let f: Fixture;
  before(async () => {
    f = await Fixture.create("canary-actions");
    await f.startController();
  });
  after(() => f?.cleanup());

  /** A Healthy rollout shipping v2, now waiting in the indefinite pause (step 4 of 5). */
  async function atIndefinitePause(name: string): Promise<number> {
    await f.applyFixture("canary/three-steps.yaml", { NAME: name, IMAGE: "app:1", ...INDEFINITE });
    await f.waitHealthy(name);
    await f.setImage(name, "app:2");
    await f.waitStatus(name, "paused at step 4", (s) => s.phase === "Paused" && s.currentStepIndex === 3);
    return (await f.rollout(name)).metadata.generation ?? 0;
  }

  test("an indefinite pause waits until promote, which goes on to the next step", async () => {
    const generation = await atIndefinitePause("wait");
    await new Promise((r) => setTimeout(r, 2000));
    const still = await f.rollout("wait");
    assert.equal(still.status?.currentStepIndex, 3, "still paused after 2 s");
    const res = await f.actions.promote("wait");
    assert.equal(res.message, 'rollout "wait" promoted: step 4/5 → 5/5');
    await f.waitHealthy("wait");
    assert.equal((await f.rollout("wait")).metadata.generation, generation, "promote did not touch spec");
  });

  test("promote --full skips every remaining step", async () => {
    await f.applyFixture("canary/three-steps.yaml", {
      NAME: "full",
      IMAGE: "app:1",
      PAUSE1: "1h",
      PAUSE2: "{}",
      DEADLINE: "600",
    });
    await f.waitHealthy("full");
    await f.setImage("full", "app:2");
    await f.waitStatus("full", "in the 1h pause", (s) => s.phase === "Paused" && s.currentStepIndex === 1);
    await f.actions.promote("full", true);
    const s = await f.waitHealthy("full");
    assert.equal(s.currentStepIndex, 5);
    const steps = new Set(f.history.statuses("full").map((x) => x.obj.currentStepIndex));
    assert.ok(!steps.has(2) && !steps.has(3), `steps 3 and 4 were skipped: ${[...steps]}`);
  });

  test("abort returns to stable; retry starts the steps again", async () => {
    const generation = await atIndefinitePause("undo");
    const stable = (await f.rollout("undo")).status?.stableRS;
    await f.actions.abort("undo");
    const aborted = await f.waitStatus(
      "undo",
      "aborted, stable at full scale",
      (s) => s.phase === "Degraded" && s.availableReplicas === 5,
    );
    assert.equal(aborted.abort?.reason, "AbortedByUser");
    assert.match(aborted.abort?.message ?? "", /aborted by/);
    assert.equal(aborted.canary?.weight, 0);
    assert.equal(aborted.stableRS, stable, "stable did not change");
    // During the abort stable comes back up before the canary leaves: wait for the end of it.
    await f.waitStatus(
      "undo",
      "canary at zero, stable at five",
      (s) => s.updatedReplicas === 0 && s.availableReplicas === 5,
    );
    const rs = await f.replicaSets("undo");
    assert.equal(rs[`undo-${stable}`], 5);
    assert.equal((await f.rollout("undo")).metadata.generation, generation, "abort did not touch spec");
    const stalled = aborted.conditions?.find((c) => c.type === "Stalled");
    assert.equal(stalled?.reason, "AbortedByUser");

    await f.actions.retry("undo");
    await f.waitStatus(
      "undo",
      "retried: paused at step 2",
      (s) => s.phase === "Paused" && s.currentStepIndex === 1 && !s.abort,
    );
    assert.equal((await f.rollout("undo")).metadata.generation, generation, "retry did not touch spec");
  });

  test("pause holds a timed pause past its end; resume lets it go on", async () => {
    await f.applyFixture("canary/three-steps.yaml", {
      NAME: "hold",
      IMAGE: "app:1",
      PAUSE1: "2s",
      PAUSE2: "{}",
      DEADLINE: "600",
    });
    await f.waitHealthy("hold");
    await f.setImage("hold", "app:2");
    await f.waitStatus("hold", "in the 2s pause", (s) => s.currentStepIndex === 1);
    await f.actions.pause("hold");
    await f.waitStatus(
      "hold",
      "paused by a user",
      (s) => s.conditions?.some((c) => c.type === "Paused" && c.status === "True") ?? false,
    );
    await new Promise((r) => setTimeout(r, 3000));
    assert.equal((await f.rollout("hold")).status?.currentStepIndex, 1, "held past the 2s pause");
    await assert.rejects(f.actions.pause("hold"), /already paused/);
    await f.actions.resume("hold");
    await f.waitStatus("hold", "past the pause", (s) => (s.currentStepIndex ?? 0) >= 3);
  });

  test("actions that make no sense are refused with a clear message", async () => {
    await f.applyFixture("canary/three-steps.yaml", { NAME: "calm", IMAGE: "app:1", ...INDEFINITE });
    await f.waitHealthy("calm");
    await assert.rejects(
      f.actions.promote("calm"),
      /rollout "calm" has no rollout in progress: nothing to promote/,
    );
    await assert.rejects(f.actions.retry("calm"), /is not aborted: nothing to retry/);
    await assert.rejects(f.actions.resume("calm"), /is not paused by a user/);
  });
});
