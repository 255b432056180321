// Given spec.rollbackWindow, when Git goes back to a version that ran within the window, then it is
// promoted without its steps (no pause, no promote needed), for canary and blue-green; outside the window,
// or without one, the steps run. And a blue-green rolled back in Git mid-rollout records RolledBack.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { kubectl } from "../../../dev/kube.ts";
import { Fixture } from "../../support/e2e/fixture.ts";

describe("rollbackWindow, and going back in Git", () => {
  let f: Fixture;
  before(async () => {
    f = await Fixture.create("rollback-window");
    await f.startController();
  });
  after(() => f?.cleanup());

  const reasons = async (name: string) =>
    (
      await kubectl([
        "get",
        "events",
        "-n",
        f.namespace,
        "--field-selector",
        `involvedObject.name=${name}`,
        "-o",
        "jsonpath={range .items[*]}{.reason}: {.message}{'\\n'}{end}",
      ])
    ).stdout;

  /** A canary that stops at an indefinite pause (step 4 of 5), shipped from app:1 to app:2 and promoted. */
  async function twoVersions(name: string, window: number | undefined): Promise<string> {
    await f.applyFixture("canary/three-steps.yaml", {
      NAME: name,
      IMAGE: "app:1",
      PAUSE1: "1s",
      PAUSE2: "{}",
      DEADLINE: "600",
    });
    const v1 = (await f.waitHealthy(name)).stableRS ?? "";
    if (window !== undefined) await f.patchSpec(name, { rollbackWindow: { revisions: window } });
    await f.setImage(name, "app:2");
    await f.waitStatus(
      name,
      "at the indefinite pause",
      (s) => s.phase === "Paused" && s.currentStepIndex === 3,
    );
    await f.actions.promote(name);
    await f.waitStatus(name, "v2 stable", (s) => s.phase === "Healthy" && s.stableRS !== v1);
    return v1;
  }

  test("canary: back to the previous revision inside the window skips every step", async () => {
    const v1 = await twoVersions("fast", 3);
    await f.setImage("fast", "app:1");
    const s = await f.waitStatus(
      "fast",
      "v1 stable again without a promote",
      (st) => st.phase === "Healthy" && st.stableRS === v1,
      60_000,
    );
    assert.equal(s.stableRS, v1);
    assert.match(await reasons("fast"), /Promoted: fully promoted by rollbackWindow/);
  });

  test("canary: without a window, going back runs the steps (it stops at the indefinite pause)", async () => {
    const v1 = await twoVersions("slow", undefined);
    await f.setImage("slow", "app:1");
    const s = await f.waitStatus(
      "slow",
      "v1 at the indefinite pause",
      (st) => st.phase === "Paused" && st.currentStepIndex === 3,
    );
    assert.equal(s.currentPodHash, v1);
    assert.notEqual(s.stableRS, v1);
  });

  test("canary: a window of 1 holds only the newest revision, so going back one runs the steps", async () => {
    await twoVersions("narrow", 1);
    await f.setImage("narrow", "app:1");
    await f.waitStatus(
      "narrow",
      "at the indefinite pause",
      (st) => st.phase === "Paused" && st.currentStepIndex === 3,
    );
  });

  const blueGreen = (name: string) =>
    f.applyFixture("bluegreen/basic.yaml", {
      NAME: name,
      AUTO: "false",
      AUTO_SECONDS: "",
      DELAY: "2",
      PRE: "",
      POST: "",
    });

  test("blue-green: back inside the window switches once ready, with no promote", async () => {
    await blueGreen("bgfast");
    const v1 = (await f.waitHealthy("bgfast")).stableRS ?? "";
    await f.patchSpec("bgfast", { rollbackWindow: { revisions: 2 } });
    await f.setImage("bgfast", "app:2");
    await f.waitStatus("bgfast", "waiting for promote", (s) => s.phase === "Paused");
    await f.actions.promote("bgfast");
    await f.waitStatus("bgfast", "v2 active", (s) => s.phase === "Healthy" && s.stableRS !== v1, 60_000);
    await f.setImage("bgfast", "app:1");
    const s = await f.waitStatus(
      "bgfast",
      "v1 active again",
      (st) => st.phase === "Healthy" && st.stableRS === v1,
      60_000,
    );
    assert.equal(s.blueGreen?.activeSelector, v1);
  });

  test("blue-green: Git going back to the active version mid-rollout records RolledBack and keeps no machine for the abandoned one", async () => {
    await blueGreen("bgback");
    const v1 = (await f.waitHealthy("bgback")).stableRS ?? "";
    await f.setImage("bgback", "app:2");
    await f.waitStatus("bgback", "waiting for promote", (s) => s.phase === "Paused");
    await f.setImage("bgback", "app:1");
    const s = await f.waitStatus(
      "bgback",
      "v1 again",
      (st) => st.phase === "Healthy" && st.currentPodHash === v1,
    );
    assert.equal(s.blueGreen?.activeSelector, v1);
    assert.equal(s.blueGreen?.previewSelector, v1);
    assert.equal(s.machine, undefined, "the abandoned version's machine is dropped");
    assert.match(await reasons("bgback"), /RolledBack: the spec returned to the stable version/);
  });
});
