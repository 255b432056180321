// Killing the controller (SIGKILL, as a crashed pod) in the middle of a pause loses nothing: time is data.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Fixture } from "../../support/e2e/fixture.ts";

describe("canary across a controller crash", () => {
  let f: Fixture;
  before(async () => {
    f = await Fixture.create("canary-crash");
  });
  after(() => f?.cleanup());

  test("a SIGKILL mid-pause resumes the same step with the right remaining time, with no duplicate ReplicaSet", async () => {
    const first = await f.startController();
    await f.applyFixture("canary/three-steps.yaml", {
      NAME: "web",
      IMAGE: "app:1",
      PAUSE1: "10s",
      PAUSE2: "{}",
      DEADLINE: "600",
    });
    await f.waitHealthy("web");
    await f.setImage("web", "app:2");
    const paused = await f.waitStatus(
      "web",
      "in the 10s pause",
      (s) => s.phase === "Paused" && s.currentStepIndex === 1,
    );
    const pauseStart = Date.parse(paused.pauseStartTime ?? "");
    assert.ok(Number.isFinite(pauseStart), "pause start recorded in status");

    await sleep(4000);
    await first.kill();
    await sleep(1000);
    await f.startController();

    const next = await f.waitStatus("web", "past the pause", (s) => (s.currentStepIndex ?? 0) >= 2, 30_000);
    // The next step began within a second of the pause's end: not early, not 10 s after the restart.
    const started = Date.parse(
      String((next.machine?.context as { stepStartedAt?: string } | undefined)?.stepStartedAt),
    );
    const waited = started - pauseStart;
    assert.ok(waited >= 10_000 && waited < 11_000, `the pause lasted ${waited} ms`);
    // The pause kept its start across the crash.
    const starts = new Set(
      f.history
        .statuses("web")
        .filter((x) => x.obj.currentStepIndex === 1)
        .map((x) => x.obj.pauseStartTime)
        .filter(Boolean),
    );
    assert.equal(starts.size, 1, `one pause start: ${[...starts]}`);

    await f.waitStatus(
      "web",
      "in the indefinite pause",
      (s) => s.phase === "Paused" && s.currentStepIndex === 3,
    );
    const rs = await f.replicaSets("web");
    assert.equal(Object.keys(rs).length, 2, `exactly two ReplicaSets: ${JSON.stringify(rs)}`);
    const names = f.history.replicaSets.filter((e) => e.type === "ADDED").map((e) => e.obj.metadata?.name);
    assert.equal(new Set(names).size, names.length, `no ReplicaSet created twice: ${names}`);
    // The canary never had more pods than the step being executed allowed (1 at 20%, 3 at 50%).
    const canary = f.history.replicaSetScales("web").filter((r) => r.hash === next.currentPodHash);
    const statusAfter = (at: number) => f.history.statuses("web").find((x) => x.at >= at)?.obj;
    for (const r of canary) {
      const w = (statusAfter(r.at)?.canary as { weight?: number } | undefined)?.weight ?? 100;
      assert.ok(
        r.replicas <= Math.ceil((w * 5) / 100),
        `canary at ${r.replicas} pods while the weight was ${w}`,
      );
    }
  });
});
