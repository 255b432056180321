// Given a real Prometheus scraping stand-in versions, when a canary reaches its analysis step, then ramp
// promotes healthy versions, aborts bad ones naming the metric and value, and never promotes on errors or no data.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type AnalysisEnv, startAnalysisEnv } from "../../../dev/analysis-env.ts";
import { waitFor } from "../../../dev/kube.ts";
import { startPrometheus } from "../../../dev/prometheus.ts";
import { Fixture } from "../../support/e2e/fixture.ts";

const query = (version: string) =>
  `sum(rate(http_requests_total{version="${version}",code=~"5.."}[5s])) / sum(rate(http_requests_total{version="${version}"}[5s]))`;
const prometheus = (address: string) =>
  `prometheus: {address: "${address}", timeout: 2s, query: '${query("{{args.version}}")}'}`;

describe("analysis with Prometheus", () => {
  let f: Fixture;
  let env: AnalysisEnv;
  before(async () => {
    env = await startAnalysisEnv({
      stable: { rate: 50, errors: 0 },
      good: { rate: 50, errors: 0.01 },
      bad: { rate: 50, errors: 0.3 },
      silent: { rate: 0, errors: 0 },
    });
    f = await Fixture.create("analysis-prom");
    await f.startController();
  });
  after(async () => {
    await f?.cleanup();
    await env?.stop();
  });

  const ship = async (name: string, version: string, vars: Record<string, string> = {}) => {
    await f.applyFixture("analysis/step.yaml", {
      NAME: name,
      METRIC: "error-rate",
      COUNT: "3",
      CONDITION: 'failureCondition: "result[0] > 0.05"',
      PROVIDER: prometheus(env.prometheus.url),
      VERSION: version,
      ...vars,
    });
    await f.waitHealthy(name);
    await f.setImage(name, "app:2");
  };

  test("a good canary (1% errors, failing above 5%) passes the analysis and is promoted", async () => {
    await ship("good", "good");
    const s = await f.waitHealthy("good", 60_000);
    const run = await f.analysisRun(
      s.canary?.currentStepAnalysisRun ?? (await f.analysisRuns("good"))[0] ?? "",
    );
    assert.equal(run.status?.phase, "Successful");
    const m = run.status?.metricResults?.[0];
    assert.equal(m?.successful, 3);
    assert.ok(
      Math.abs(Number(JSON.parse(m?.measurements?.[0]?.value ?? "[0]")[0]) - 0.01) < 0.005,
      m?.measurements?.[0]?.value,
    );
  });

  test("a bad canary (30% errors) fails: ramp aborts, back to stable, and the reason names the metric and value", async () => {
    await ship("bad", "bad");
    const s = await f.waitStatus(
      "bad",
      "aborted by the analysis",
      (st) => st.abort?.reason === "AnalysisFailed",
      60_000,
    );
    assert.match(
      s.abort?.message ?? "",
      /metric error-rate: value 0\.3 met failureCondition "result\[0\] > 0\.05" \(1 failed, failureLimit 0\)/,
    );
    assert.equal(s.phase, "Degraded");
    await f.waitStatus(
      "bad",
      "canary at zero, stable at full",
      (st) => st.updatedReplicas === 0 && st.availableReplicas === 4,
    );
    assert.equal(s.canary?.weight, 0);
  });

  test("Prometheus down mid-analysis: Error measurements, the run ends Error, the Rollout aborts and never promotes", async () => {
    const own = await startPrometheus({
      scrapeConfigs: [
        { job_name: "app", static_configs: [{ targets: [env.app("good").url.replace("http://", "")] }] },
      ],
    });
    // rate() over 5s needs a few samples before the first measurement can have data.
    await waitFor(
      async () => {
        const res = await fetch(`${own.url}/api/v1/query?query=${encodeURIComponent(query("good"))}`);
        const body = (await res.json()) as { data?: { result?: { value: [number, string] }[] } };
        const v = Number(body.data?.result?.[0]?.value[1]);
        return Number.isFinite(v);
      },
      { what: "the new Prometheus to answer the error-rate query", timeoutMs: 30_000, intervalMs: 250 },
    );
    await ship("down", "good", { COUNT: "30", PROVIDER: prometheus(own.url) });
    await f.waitStatus(
      "down",
      "the analysis started",
      (st) => st.currentStepIndex === 1 && !!st.canary?.currentStepAnalysisRun,
    );
    await own.stop();
    const s = await f.waitStatus(
      "down",
      "aborted for analysis errors",
      (st) => st.abort?.reason === "AnalysisError",
      60_000,
    );
    assert.match(
      s.abort?.message ?? "",
      /metric error-rate: 3 consecutive errors \(consecutiveErrorLimit 2\), last: prometheus network_error/,
    );
    // The recorded history comes from a watch: let it deliver the abort it just polled.
    await waitFor(
      () => f.history.statuses("down").some((x) => (x.obj.abort as object | undefined) !== undefined),
      {
        what: "the watch to deliver the aborted status",
      },
    );
    const forV2 = f.history.statuses("down").filter((x) => x.obj.currentPodHash === s.currentPodHash);
    assert.ok(
      forV2.length > 0 && forV2.every((x) => (x.obj.currentStepIndex as number) <= 1),
      "v2 never went past the analysis",
    );
    assert.ok(
      forV2.every((x) => x.obj.stableRS !== s.currentPodHash),
      "v2 was never promoted",
    );
  });

  test("no traffic to the canary (no data): Inconclusive, the Rollout pauses; promote continues it", async () => {
    await ship("quiet", "silent");
    const s = await f.waitStatus(
      "quiet",
      "paused on an inconclusive analysis",
      (st) =>
        (st.conditions ?? []).some(
          (c) => c.type === "Paused" && c.status === "True" && c.reason === "InconclusiveAnalysis",
        ),
      60_000,
    );
    assert.equal(s.phase, "Paused");
    const run = await f.analysisRun(s.canary?.currentStepAnalysisRun ?? "");
    assert.match(run.status?.message ?? "", /metric error-rate: no data \(NaN\): noData policy inconclusive/);
    await f.actions.promote("quiet");
    await f.waitHealthy("quiet", 60_000);
  });

  test("an arg with quotes and braces cannot change the query: no injected vector(0) to pass on", async () => {
    // Unescaped, this would turn the query into `... or vector(0)`: a value of 0, a pass.
    const injection = 'good"} or vector(0) or up{x="';
    await ship("inject", injection);
    const s = await f.waitStatus(
      "inject",
      "paused on no data",
      (st) => (st.conditions ?? []).some((c) => c.reason === "InconclusiveAnalysis" && c.status === "True"),
      60_000,
    );
    const run = await f.analysisRun(s.canary?.currentStepAnalysisRun ?? "");
    assert.equal(
      run.spec.args?.find((a) => a.name === "version")?.value,
      injection,
      "the arg arrived intact",
    );
    assert.match(run.status?.metricResults?.[0]?.measurements?.[0]?.message ?? "", /no data/);
  });

  test("a broken CEL expression fails the run at once with its position", async () => {
    await ship("typo", "good", { CONDITION: 'failureCondition: "result[0] >"' });
    const s = await f.waitStatus("typo", "aborted", (st) => st.abort?.reason === "AnalysisFailed", 60_000);
    assert.match(
      s.abort?.message ?? "",
      /InvalidCondition: metric error-rate: failureCondition: invalid CEL expression "result\[0\] >": .* at column \d+/,
    );
  });
});
