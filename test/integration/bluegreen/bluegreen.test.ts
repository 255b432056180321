// Given a blue-green Rollout, when a new version ships, then the active Service switches at once, and only
// when the new version is fully available; analyses gate and undo the switch; the old version waits to leave.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { type StandIn, startStandIn } from "../../../dev/analysis-env.ts";
import { Fixture } from "../../support/e2e/fixture.ts";

const HASH = "ramp.dev/pod-template-hash";

describe("blue-green", () => {
  let f: Fixture;
  let good: StandIn;
  let bad: StandIn;
  before(async () => {
    good = await startStandIn("good");
    await good.control(10, 0);
    bad = await startStandIn("bad");
    await bad.control(10, 0.5);
    f = await Fixture.create("bluegreen");
    await f.startController();
  });
  after(async () => {
    await f?.cleanup();
    await good?.stop();
    await bad?.stop();
  });

  const check = (kind: "prePromotionAnalysis" | "postPromotionAnalysis", name: string, app: StandIn) =>
    `${kind}: {templates: [{templateName: ${name}-check}], args: [{name: url, value: "${app.url}/status.json"}]}`;
  const deploy = async (name: string, vars: Record<string, string> = {}) => {
    await f.applyFixture("bluegreen/basic.yaml", {
      NAME: name,
      AUTO: "true",
      AUTO_SECONDS: "",
      DELAY: "2",
      PRE: "",
      POST: "",
      ...vars,
    });
    return (await f.waitHealthy(name)).stableRS ?? "";
  };
  const activeSelections = (name: string) =>
    f.history.services
      .filter((s) => s.obj.metadata?.name === `${name}-active`)
      .map((s) => ({ at: s.at, hash: (s.obj.spec?.selector as Record<string, string> | undefined)?.[HASH] }));

  test("auto-promotion: the active Service switches to v2 only when all its pods are available; v1 leaves after the delay", async () => {
    const v1 = await deploy("auto");
    await f.setImage("auto", "app:2");
    const done = await f.waitHealthy("auto", 60_000);
    const v2 = done.stableRS ?? "";
    assert.notEqual(v2, v1);
    assert.deepEqual(
      done.blueGreen,
      { activeSelector: v2, previewSelector: v2 },
      "both Services on v2, no analysis runs left",
    );
    // Every time the active Service selected the new version, all of its pods were available.
    // (On first deploy it selects the only version there is, ready or not: nothing else can serve.)
    for (const sel of activeSelections("auto")) {
      if (sel.hash !== v2) continue;
      const rs = f.history.replicaSets
        .filter((r) => r.obj.metadata?.labels?.[HASH] === sel.hash && r.at <= sel.at)
        .at(-1);
      const status = rs?.obj.status as { readyReplicas?: number; availableReplicas?: number } | undefined;
      assert.ok(
        (status?.availableReplicas ?? 0) >= 3,
        `active selected ${sel.hash} with ${status?.availableReplicas ?? 0}/3 available`,
      );
    }
    assert.deepEqual(
      [
        ...new Set(
          activeSelections("auto")
            .map((s) => s.hash)
            .filter(Boolean),
        ),
      ],
      [v1, v2],
    );
    // v1 kept all its pods for the 2 s delay after the switch, then went to zero.
    await f.waitStatus("auto", "v1 at zero", (s) => s.replicas === 3 && s.updatedReplicas === 3);
    const switchedAt = activeSelections("auto").find((s) => s.hash === v2)?.at ?? 0;
    const v1Scales = f.history.replicaSetScales("auto").filter((r) => r.hash === v1);
    const firstDown = v1Scales.find((r) => r.replicas < 3);
    assert.ok(
      firstDown && firstDown.at - switchedAt >= 1500,
      `v1 scaled down ${firstDown ? firstDown.at - switchedAt : "never"} ms after the switch`,
    );
  });

  test("autoPromotionEnabled: false waits for promote", async () => {
    await deploy("manual", { AUTO: "false" });
    await f.setImage("manual", "app:2");
    const paused = await f.waitStatus("manual", "waiting for promote", (s) => s.phase === "Paused");
    assert.match(paused.message ?? "", /ready in preview: waiting for promote/);
    assert.equal(paused.blueGreen?.activeSelector, paused.stableRS, "active still on v1");
    const generation = (await f.rollout("manual")).metadata.generation;
    await f.actions.promote("manual");
    await f.waitHealthy("manual", 60_000);
    assert.equal((await f.rollout("manual")).metadata.generation, generation);
  });

  test("autoPromotionSeconds waits the right time, also across a controller restart", async () => {
    await deploy("delayed", { AUTO_SECONDS: "autoPromotionSeconds: 8" });
    await f.setImage("delayed", "app:2");
    const waiting = await f.waitStatus("delayed", "counting down", (s) =>
      /switches at/.test(s.message ?? ""),
    );
    const availableAt = Date.parse(
      String((waiting.machine?.context as { availableAt?: string } | undefined)?.availableAt),
    );
    const [ctl] = f.controllers;
    await sleep(3000);
    await ctl?.kill();
    f.controllers.splice(0, 1);
    await f.startController();
    const switched = await f.waitStatus(
      "delayed",
      "switched",
      (s) => s.blueGreen?.activeSelector === s.currentPodHash || s.phase === "Healthy",
      30_000,
    );
    const at = activeSelections("delayed").find((s) => s.hash === switched.currentPodHash)?.at ?? 0;
    const waited = at - availableAt;
    assert.ok(waited >= 8000 && waited < 9500, `switched ${waited} ms after the preview was available (8 s)`);
  });

  test("pre-promotion analysis failure: the active Service never moves, the preview is scaled down after the abort delay", async () => {
    const v1 = await deploy("prefail", { PRE: check("prePromotionAnalysis", "prefail", bad) });
    await f.setImage("prefail", "app:2");
    const s = await f.waitStatus("prefail", "aborted", (st) => st.abort?.reason === "AnalysisFailed", 60_000);
    assert.match(
      s.abort?.message ?? "",
      /metric health: value false did not meet successCondition "result == true"/,
    );
    await f.waitStatus("prefail", "preview at zero", (st) => st.updatedReplicas === 0);
    assert.deepEqual(
      [
        ...new Set(
          activeSelections("prefail")
            .map((x) => x.hash)
            .filter(Boolean),
        ),
      ],
      [v1],
      "active only ever on v1",
    );
  });

  test("post-promotion analysis failure: the active Service goes back to v1, which was still at full scale", async () => {
    const v1 = await deploy("postfail", {
      POST: check("postPromotionAnalysis", "postfail", bad),
      DELAY: "30",
    });
    await f.setImage("postfail", "app:2");
    const s = await f.waitStatus(
      "postfail",
      "aborted after the switch",
      (st) => st.abort?.reason === "AnalysisFailed",
      60_000,
    );
    const v2 = s.currentPodHash;
    await f.waitStatus("postfail", "active back on v1", (st) => st.blueGreen?.activeSelector === v1);
    const hashes = activeSelections("postfail")
      .map((x) => x.hash)
      .filter(Boolean);
    assert.deepEqual(
      hashes.filter((h, i) => h !== hashes[i - 1]),
      [v1, v2, v1],
      "v1 → v2 → back to v1",
    );
    const v1Scales = f.history.replicaSetScales("postfail").filter((r) => r.hash === v1);
    assert.ok(
      v1Scales.every((r) => r.replicas === 3),
      `v1 stayed at 3 pods: ${v1Scales.map((r) => r.replicas)}`,
    );
  });

  test("the old version scales down only after scaleDownDelaySeconds, also across a controller restart", async () => {
    const v1 = await deploy("keep", { DELAY: "6" });
    await f.setImage("keep", "app:2");
    const s = await f.waitStatus(
      "keep",
      "switched",
      (st) => st.blueGreen?.activeSelector === st.currentPodHash && st.currentPodHash !== v1,
    );
    const [ctl] = f.controllers;
    await ctl?.kill();
    f.controllers.splice(0, 1);
    await sleep(1000);
    await f.startController();
    await f.waitStatus(
      "keep",
      "v1 at zero",
      (st) => st.replicas === 3 && st.stableRS === s.currentPodHash,
      30_000,
    );
    const switchedAt = activeSelections("keep").find((x) => x.hash === s.currentPodHash)?.at ?? 0;
    const down = f.history.replicaSetScales("keep").find((r) => r.hash === v1 && r.replicas === 0)?.at ?? 0;
    const waited = down - switchedAt;
    assert.ok(waited >= 5500 && waited < 8000, `v1 scaled down ${waited} ms after the switch (delay 6 s)`);
  });

  test("a passing pre-promotion analysis lets the switch happen", async () => {
    await deploy("preok", { PRE: check("prePromotionAnalysis", "preok", good) });
    await f.setImage("preok", "app:2");
    await f.waitHealthy("preok", 60_000);
  });
});
