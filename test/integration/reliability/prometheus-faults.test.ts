// Prometheus misbehaving in every way we know: each answer becomes an Error or Inconclusive measurement,
// and a Rollout is never promoted on any of them.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { freePort } from "../../../dev/cluster/health.ts";
import { Fixture } from "../../support/e2e/fixture.ts";
import { type FaultMode, startFakePrometheus } from "../../support/fake-prometheus.ts";

const cases: [string, FaultMode | "down", "Error" | "Inconclusive", RegExp][] = [
  ["server down", "down", "Error", /prometheus network_error/],
  ["slower than its timeout", "slow", "Error", /prometheus timeout_error/],
  ["NaN", "nan", "Inconclusive", /no data \(NaN\)/],
  ["an empty vector", "empty", "Inconclusive", /no data \(\[\]\)/],
  ["a huge vector", "huge", "Error", /maxContentLength|exceeded/i],
  ["malformed JSON", "malformed", "Error", /prometheus/],
  ["an HTML page", "html", "Error", /prometheus/],
];

describe("Prometheus faults", () => {
  let f: Fixture;
  let fake: Awaited<ReturnType<typeof startFakePrometheus>>;
  let closedPort: number;
  before(async () => {
    fake = await startFakePrometheus();
    closedPort = await freePort();
    f = await Fixture.create("prom-faults");
    await f.startController();
  });
  after(async () => {
    await f?.cleanup();
    await fake?.stop();
  });

  for (const [name, mode, phase, message] of cases) {
    test(`${name}: ${phase}, never promoted`, async () => {
      const rollout = `f-${mode}`;
      const address = mode === "down" ? `http://127.0.0.1:${closedPort}` : fake.url(mode);
      await f.shipAnalysisStep(rollout, {
        METRIC: "error-rate",
        COUNT: "1",
        VERSION: "canary",
        CONDITION: 'failureCondition: "result[0] > 0.05"',
        PROVIDER: `prometheus: {address: "${address}", timeout: 1s, query: 'up{version="{{args.version}}"}'}`,
      });
      const s = await f.waitStatus(
        rollout,
        `${phase} analysis`,
        (st) =>
          phase === "Error"
            ? st.abort?.reason === "AnalysisError"
            : st.conditions?.some((c) => c.reason === "InconclusiveAnalysis" && c.status === "True") === true,
        60_000,
      );
      const run = await f.analysisRun(
        s.canary?.currentStepAnalysisRun ?? (await f.analysisRuns(rollout))[0] ?? "",
      );
      assert.equal(run.status?.phase, phase);
      const measurement = run.status?.metricResults?.[0]?.measurements?.[0];
      assert.match(measurement?.message ?? "", message);
      const forV2 = f.history.statuses(rollout).filter((x) => x.obj.currentPodHash === s.currentPodHash);
      assert.ok(
        forV2.every((x) => x.obj.stableRS !== s.currentPodHash && (x.obj.currentStepIndex as number) <= 1),
        "never promoted",
      );
    });
  }
});
