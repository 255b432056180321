// Given canaries that leave versions and AnalysisRuns behind, when new versions ship, then: a routed
// canary's old stable waits out a long scaleDownDelaySeconds with its pods, unless
// scaleDownDelayRevisionLimit caps how many old versions may (at 0 none: it scales down at once); and failed
// AnalysisRuns beyond spec.analysis.unsuccessfulRunHistoryLimit are deleted, the newest kept.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { waitFor } from "../../../dev/kube.ts";
import { installUpstreamCrds } from "../../../dev/upstream-crds.ts";
import { Fixture } from "../../support/e2e/fixture.ts";

describe("canary: scaleDownDelayRevisionLimit and unsuccessfulRunHistoryLimit", () => {
  let f: Fixture;
  before(async () => {
    await installUpstreamCrds();
    f = await Fixture.create("canary-limits");
    await f.startController();
  });
  after(() => f?.cleanup());

  /** v1, then v2 through one 50% step and promoted; the pods v1 and v2 have once v2 is stable. */
  async function twoVersions(name: string, limit: number | undefined): Promise<Record<string, number>> {
    await f.applyFixture("traffic/httproute.yaml", { NAME: name, NAMESPACE: f.namespace });
    await f.applyFixture("traffic/rollout.yaml", {
      NAME: name,
      IMAGE: "app:1",
      SCALE_DOWN_DELAY: "120",
      ABORT_DELAY: "1",
      ROUTING: JSON.stringify({ gatewayAPI: { httpRoutes: [{ name }] } }),
      STEPS: JSON.stringify([{ setWeight: 50 }]),
    });
    const v1 = (await f.waitHealthy(name)).stableRS ?? "";
    if (limit !== undefined)
      await f.patchSpec(name, { strategy: { canary: { scaleDownDelayRevisionLimit: limit } } });
    await f.setImage(name, "app:2");
    const v2 = (await f.waitHealthy(name)).stableRS ?? "";
    assert.notEqual(v2, v1);
    return waitFor(
      async () => {
        const rs = await f.replicaSets(name);
        const pods = { v1: rs[`${name}-${v1}`] ?? 0, v2: rs[`${name}-${v2}`] ?? 0 };
        return limit === undefined || pods.v1 === 0 ? pods : undefined;
      },
      // Far less than the 120 s delay: with the limit, v1 leaves at once.
      { what: `${name}: v1 scaled down`, timeoutMs: 20_000 },
    );
  }

  // A third version cannot be shipped inside the delay of a routed canary's old stable: the held pods take
  // the whole budget of replicas + max(maxSurge, replicas), and the canary waits for the delay to end. So
  // the limit is shown at 0, with two versions.
  test("scaleDownDelayRevisionLimit: without a limit, the old stable keeps its 4 pods for the delay", async () => {
    assert.deepEqual(await twoVersions("keepall", undefined), { v1: 4, v2: 4 });
  });

  test("scaleDownDelayRevisionLimit: 0, the old stable scales down at once despite a 120 s delay", async () => {
    assert.deepEqual(await twoVersions("keepnone", 0), { v1: 0, v2: 4 });
  });

  /** Ships `versions` new versions into an analysis step that errors (the controller's own /healthz). */
  async function failedRuns(name: string, limit: number | undefined, versions: string[]) {
    await f.applyFixture("analysis/step.yaml", {
      NAME: name,
      METRIC: "check",
      COUNT: "1",
      VERSION: "bad",
      CONDITION: 'successCondition: "true"',
      PROVIDER: `web: {url: "${f.controllers[0]?.healthUrl ?? ""}/healthz"}`,
    });
    if (limit !== undefined) await f.patchSpec(name, { analysis: { unsuccessfulRunHistoryLimit: limit } });
    await f.waitHealthy(name);
    const created: string[] = [];
    let previous = (await f.rollout(name)).status?.currentPodHash;
    for (const image of versions) {
      await f.setImage(name, image);
      const s = await f.waitStatus(
        name,
        `${image} aborted`,
        (st) => st.currentPodHash !== previous && st.abort?.reason === "AnalysisError",
      );
      previous = s.currentPodHash;
      // Run names start with the Rollout's name and the version's hash.
      const run = (await f.analysisRuns(name)).find((r) => r.startsWith(`${name}-${s.currentPodHash}-`));
      assert.ok(run, `${image}'s run`);
      assert.equal((await f.analysisRun(run)).status?.phase, "Error", `${image}'s run`);
      created.push(run);
    }
    return created;
  }

  test("unsuccessfulRunHistoryLimit: 1 keeps only the newest of 3 failed runs", async () => {
    const created = await failedRuns("failone", 1, ["app:2", "app:3", "app:4"]);
    assert.equal(new Set(created).size, 3, "three distinct runs failed");
    const kept = await waitFor(
      async () => {
        const runs = await f.analysisRuns("failone");
        return runs.length === 1 ? runs : undefined;
      },
      { what: "one failed run left", timeoutMs: 30_000 },
    );
    assert.deepEqual(kept, [created[2]]);
  });

  test("unsuccessfulRunHistoryLimit: without it, all 3 failed runs are kept (default 5)", async () => {
    const created = await failedRuns("failall", undefined, ["app:2", "app:3", "app:4"]);
    assert.deepEqual((await f.analysisRuns("failall")).sort(), [...created].sort());
  });
});
