// The graphite provider on the real control plane: AnalysisRuns measured by the real controller against a
// real graphite-web over whisper files this test writes (test/support/graphite.ts). Under the threshold
// passes, over it fails, a series with no points follows noData, a bad target ends Error with Graphite's words.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Fixture } from "../../support/e2e/fixture.ts";
import { createRun, waitRunDone } from "../../support/e2e/runs.ts";
import { Graphite } from "../../support/graphite.ts";

describe("graphite metrics on the real control plane", () => {
  let f: Fixture;
  let graphite: Graphite;
  before(async () => {
    graphite = await Graphite.start();
    graphite.write("shop.canary.latency", [
      [30, 0.9],
      [20, 0.2],
    ]);
    graphite.write("shop.stable.latency", [[20, 0.7]]);
    graphite.write("shop.idle.latency", [[3000, 0.1]]);
    f = await Fixture.create("graphite");
    await f.startController();
  });
  after(async () => {
    await f?.cleanup();
    await graphite?.stop();
  });

  const metric = (name: string, query: string, extra: object = {}) => ({
    name,
    successCondition: "result[0] < 0.5",
    failureLimit: 0,
    ...extra,
    provider: { graphite: { address: graphite.url, query } },
  });
  const measurement = async (run: string) => {
    const done = await waitRunDone(f, run);
    return { phase: done.status?.phase, m: done.status?.metricResults?.[0]?.measurements?.[0], done };
  };

  test("under the threshold passes with an arg; over it fails; no points is noData; a bad target is an Error naming it", async () => {
    await createRun(f, "g-pass", {
      args: [{ name: "variant", value: "canary" }],
      metrics: [metric("latency", "target=shop.{{args.variant}}.latency&from=-10min")],
    });
    await createRun(f, "g-fail", { metrics: [metric("latency", "target=shop.stable.latency")] });
    await createRun(f, "g-nodata", {
      metrics: [metric("latency", "target=shop.idle.latency", { noData: "fail" })],
    });
    await createRun(f, "g-error", {
      metrics: [
        metric("latency", "target=nosuchFunction(shop.canary.latency)", { consecutiveErrorLimit: 0 }),
      ],
    });
    const pass = await measurement("g-pass");
    assert.equal(pass.phase, "Successful", JSON.stringify(pass.done.status));
    assert.equal(pass.m?.value, "[0.2]");
    const fail = await measurement("g-fail");
    assert.equal(fail.phase, "Failed", JSON.stringify(fail.done.status));
    assert.equal(fail.m?.value, "[0.7]");
    const noData = await measurement("g-nodata");
    assert.equal(noData.phase, "Failed", JSON.stringify(noData.done.status));
    assert.match(noData.m?.message ?? "", /no data/);
    const error = await measurement("g-error");
    assert.equal(error.phase, "Error", JSON.stringify(error.done.status));
    assert.match(
      error.m?.message ?? "",
      /graphite answered HTTP 400: Invalid parameters \(Received request for unknown function: nosuchFunction\)/,
    );
  });
});
