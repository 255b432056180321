// Given blue-green with a long scaleDownDelaySeconds, when three versions ship in a row, then every old
// version waits out the delay with its pods, unless scaleDownDelayRevisionLimit caps how many may: then
// only the newest old versions keep theirs and the older ones scale down at once.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { waitFor } from "../../../dev/kube.ts";
import { Fixture } from "../../support/e2e/fixture.ts";

describe("blue-green: scaleDownDelayRevisionLimit", () => {
  let f: Fixture;
  before(async () => {
    f = await Fixture.create("bg-delay-limit");
    await f.startController();
  });
  after(() => f?.cleanup());

  /** v1, then v2 and v3 promoted on their own; the pods each version has once v3 is active. */
  async function threeVersions(name: string, limit: number | undefined): Promise<Record<string, number>> {
    await f.applyFixture("bluegreen/basic.yaml", {
      NAME: name,
      AUTO: "true",
      AUTO_SECONDS: "",
      DELAY: "120",
      PRE: "",
      POST: "",
    });
    const v1 = (await f.waitHealthy(name)).stableRS ?? "";
    if (limit !== undefined)
      await f.patchSpec(name, { strategy: { blueGreen: { scaleDownDelayRevisionLimit: limit } } });
    await f.setImage(name, "app:2");
    const v2 =
      (
        await f.waitStatus(
          name,
          "v2 active",
          (s) => s.phase !== "Paused" && s.stableRS !== v1 && s.blueGreen?.activeSelector !== v1,
        )
      ).currentPodHash ?? "";
    await f.waitStatus(name, "v2 stable", (s) => s.stableRS === v2);
    await f.setImage(name, "app:3");
    await f.waitStatus(
      name,
      "v3 stable",
      (s) => s.stableRS !== v2 && s.stableRS !== v1 && s.stableRS !== undefined,
    );
    return waitFor(
      async () => {
        const rs = await f.replicaSets(name);
        const v1Pods = rs[`${name}-${v1}`] ?? 0;
        const v2Pods = rs[`${name}-${v2}`] ?? 0;
        return limit === undefined || v1Pods === 0 ? { v1: v1Pods, v2: v2Pods } : undefined;
      },
      { what: `${name}: v1 scaled down` },
    );
  }

  test("without a limit, both old versions keep their pods for the delay", async () => {
    assert.deepEqual(await threeVersions("all", undefined), { v1: 3, v2: 3 });
  });

  test("with a limit of 1, only the newest old version keeps its pods; the older one goes at once", async () => {
    assert.deepEqual(await threeVersions("one", 1), { v1: 0, v2: 3 });
  });
});
