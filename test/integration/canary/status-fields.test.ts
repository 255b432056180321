// Given a canary paused at an indefinite pause, when a promote intent names another step (a stale
// `kubectl ramp promote` read before the rollout moved on), then the controller consumes it and stays where
// it is; a promote naming the current step moves it on. And when it is aborted with a reason, then the
// conditions carry the abort's message (Aborted and Stalled) and Ready carries the status message.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import type { RolloutStatus } from "../../../src/api/index.ts";
import { abortRollout } from "../../../src/cli/actions/actions.ts";
import { rolloutClient } from "../../../src/cli/actions/client.ts";
import { Fixture } from "../../support/e2e/fixture.ts";

const STEPS = [{ setWeight: 20 }, { pause: {} }, { setWeight: 40 }, { pause: {} }];

describe("canary status fields: intent.stepIndex and conditions[].message", () => {
  let f: Fixture;
  before(async () => {
    f = await Fixture.create("canary-status");
    await f.startController();
  });
  after(() => f?.cleanup());

  /** v1 Healthy, then v2 paused at step 1 of STEPS. */
  async function pausedAtStep1(name: string): Promise<RolloutStatus> {
    await f.applyFixture("canary/fields.yaml", {
      NAME: name,
      REPLICAS: "5",
      MIN_READY: "0",
      ANNOTATIONS: "{}",
      SURGE: "1",
      UNAVAILABLE: "1",
      STEPS: JSON.stringify(STEPS),
    });
    await f.waitHealthy(name);
    await f.setImage(name, "app:2");
    return pausedAt(name, 1);
  }

  const pausedAt = (name: string, step: number) =>
    f.waitStatus(name, `paused at step ${step}`, (s) => s.phase === "Paused" && s.currentStepIndex === step);

  /** Writes a promote intent for `stepIndex` as the plugin does, and waits until the controller consumed it. */
  async function promoteStep(name: string, stepIndex: number): Promise<RolloutStatus> {
    const client = rolloutClient(f.kc);
    const id = randomUUID();
    const intent = {
      action: "promote",
      stepIndex,
      id,
      requestedAt: new Date().toISOString(),
      requestedBy: client.user,
    };
    await client.patchStatus({ namespace: f.namespace, name }, { status: { intent } });
    return f.waitStatus(name, `intent ${id} consumed`, (s) => s.lastIntentId === id);
  }

  test("intent stepIndex: a promote aimed at step 0 while paused at step 1 is ignored; one aimed at step 1 moves on", async () => {
    const name = "stepindex";
    const paused = await pausedAtStep1(name);
    const stale = await promoteStep(name, 0);
    assert.equal(stale.currentStepIndex, 1, "a promote aimed at another step does not move the rollout");
    assert.equal(stale.phase, "Paused");
    assert.equal(stale.currentPodHash, paused.currentPodHash);
    const history = f.history.statuses(name);
    assert.ok(
      history.every(
        (s) => s.obj.currentPodHash !== paused.currentPodHash || Number(s.obj.currentStepIndex) <= 1,
      ),
      "never went past step 1",
    );
    await promoteStep(name, 1);
    await pausedAt(name, 3);
  });

  test("conditions[].message: an abort's message is on Aborted and Stalled, the status message on Ready", async () => {
    const name = "messages";
    await pausedAtStep1(name);
    const client = rolloutClient(f.kc);
    await abortRollout(client, { namespace: f.namespace, name }, { reason: "latency too high" });
    const s = await f.waitStatus(name, "aborted", (st) => st.abort?.reason === "AbortedByUser");
    const want = `aborted by ${client.user}: latency too high`;
    const message = (type: string) => s.conditions?.find((c) => c.type === type)?.message;
    assert.equal(s.abort?.message, want);
    assert.equal(message("Aborted"), want);
    assert.equal(message("Stalled"), want);
    assert.ok(s.message, "a status message");
    assert.equal(message("Ready"), s.message);
  });
});
