// Given one AnalysisRun created directly whose metrics, measured by a real Prometheus (and one address
// where nothing listens), end in every way a measurement can: successful, failed, inconclusive, error and
// no data ignored, when the controller measures it on the real control plane, then each metric's counters,
// the run's summary, and each measurement's metadata say exactly what happened.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { freePort } from "../../../dev/cluster/health.ts";
import { type PrometheusHandle, startPrometheus } from "../../../dev/prometheus.ts";
import { Fixture } from "../../support/e2e/fixture.ts";
import { createRun, waitRunDone } from "../../support/e2e/runs.ts";

/** An empty vector: no data. */
const NOTHING = "vector(1) unless vector(1)";

describe("an AnalysisRun's status on the real control plane", () => {
  let f: Fixture;
  let prometheus: PrometheusHandle;
  let closedPort: number;
  before(async () => {
    prometheus = await startPrometheus({ scrapeConfigs: [] });
    closedPort = await freePort();
    f = await Fixture.create("run-status");
    await f.startController();
  });
  after(async () => {
    await f?.cleanup();
    await prometheus?.stop();
  });
  const prom = (query: string, address = prometheus.url) => ({
    prometheus: { address, timeout: 2, query },
  });

  test("successful 2, failed 4, inconclusive 3, error 1 and an ignored no-data measurement: the metrics' counters and the runSummary add them up", async () => {
    await createRun(f, "mixed", {
      metrics: [
        // Every metric measures in the same passes, 1 s apart; "bad" ends the run at its 4th measurement.
        {
          name: "ok",
          count: 2,
          interval: "1s",
          successCondition: "result[0] == 1",
          provider: prom("vector(1)"),
        },
        {
          name: "quiet",
          count: 3,
          interval: "1s",
          inconclusiveLimit: 3,
          successCondition: "result[0] == 1",
          provider: prom(NOTHING),
        },
        { name: "ignored", noData: "ignore", successCondition: "result[0] == 1", provider: prom(NOTHING) },
        {
          // Nothing listens there; a 10 s interval keeps it to one measurement before the run ends.
          name: "down",
          count: 5,
          interval: "10s",
          consecutiveErrorLimit: 5,
          successCondition: "result[0] == 1",
          provider: prom("vector(1)", `http://127.0.0.1:${closedPort}`),
        },
        {
          name: "bad",
          count: 4,
          interval: "1s",
          failureLimit: 3,
          successCondition: "result[0] == 2",
          provider: prom("vector(1)"),
        },
      ],
    });
    const run = await waitRunDone(f, "mixed");
    assert.equal(run.status?.phase, "Failed", run.status?.message);
    assert.match(
      run.status?.message ?? "",
      /^metric bad: value 1 did not meet successCondition.*\(4 failed, failureLimit 3\)$/,
    );
    const result = (name: string) => {
      const r = run.status?.metricResults?.find((x) => x.name === name);
      return [r?.phase, r?.count, r?.successful, r?.failed, r?.inconclusive, r?.error];
    };
    // [phase, count, successful, failed, inconclusive, error]
    assert.deepEqual(result("ok"), ["Successful", 2, 2, 0, 0, 0]);
    assert.deepEqual(result("quiet"), ["Inconclusive", 3, 0, 0, 3, 0]);
    assert.deepEqual(result("ignored"), ["Inconclusive", 1, 0, 0, 0, 0]);
    assert.deepEqual(result("down"), ["Running", 1, 0, 0, 0, 1]);
    assert.deepEqual(result("bad"), ["Failed", 4, 0, 4, 0, 0]);
    assert.deepEqual(run.status?.runSummary, {
      count: 11,
      successful: 2,
      failed: 4,
      inconclusive: 3,
      error: 1,
    });

    const measurements = (name: string) =>
      run.status?.metricResults?.find((x) => x.name === name)?.measurements ?? [];
    const [down] = measurements("down");
    assert.equal(down?.phase, "Error");
    assert.match(down?.message ?? "", /^prometheus network_error/);
    // An ignored no-data measurement says so in its metadata: that is why it counts for nothing.
    const [ignored] = measurements("ignored");
    assert.deepEqual([ignored?.phase, ignored?.metadata], ["Inconclusive", { noData: "ignored" }]);
    assert.equal(measurements("quiet")[0]?.metadata, undefined, "a no-data measurement that counts has none");
  });
});
