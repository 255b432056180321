// Pods that never become Ready: the progress deadline is reported, and with progressDeadlineAbort, acted on.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Fixture } from "../../support/e2e/fixture.ts";

describe("canary progress deadline", () => {
  let f: Fixture;
  before(async () => {
    f = await Fixture.create("canary-deadline");
    await f.startController();
  });
  after(() => f?.cleanup());

  /** A new version whose pods no node can take (kwok's nodes have no such label): never Ready. */
  const shipUnschedulable = async (name: string) => {
    await f.applyFixture("canary/three-steps.yaml", {
      NAME: name,
      IMAGE: "app:1",
      PAUSE1: "1s",
      PAUSE2: "{}",
      DEADLINE: "4",
    });
    await f.waitHealthy(name);
    await f.patchSpec(name, { template: { spec: { nodeSelector: { "ramp.dev/no-such-node": "true" } } } });
  };

  test("no progress within progressDeadlineSeconds: Progressing=False, ProgressDeadlineExceeded", async () => {
    await shipUnschedulable("stuck");
    const s = await f.waitStatus("stuck", "deadline exceeded", (st) =>
      (st.conditions ?? []).some(
        (c) => c.type === "Progressing" && c.status === "False" && c.reason === "ProgressDeadlineExceeded",
      ),
    );
    assert.equal(s.phase, "Degraded");
    assert.equal(s.abort, undefined, "reported, not aborted");
    assert.equal(s.currentStepIndex, 0);
    assert.equal(s.availableReplicas, 4, "stable keeps serving");
  });

  test("with progressDeadlineAbort: aborts, and the canary is scaled away", async () => {
    await shipUnschedulable("gives-up");
    await f.patchSpec("gives-up", { progressDeadlineAbort: true });
    const s = await f.waitStatus(
      "gives-up",
      "aborted for the deadline",
      (st) => st.abort?.reason === "ProgressDeadlineExceeded",
    );
    assert.equal(s.phase, "Degraded");
    assert.match(s.abort?.message ?? "", /no progress within 4s/);
    await f.waitStatus(
      "gives-up",
      "canary at zero, stable at five",
      (st) => st.updatedReplicas === 0 && st.availableReplicas === 5,
    );
  });
});
