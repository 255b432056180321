// Given canaries whose analysis step is a judge (the canary's latency against the stable version's, asked
// of a real Prometheus by {{version.role}}), when the canary is 25% slower, then ramp aborts it naming the
// judgement, `kubectl ramp get rollout` shows the verdict of each judged metric on its own row, and the
// dashboard's Rollout page shows the same lines, the controller's metrics the figures; a canary as fast as stable is promoted.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { waitFor } from "../../../dev/kube.ts";
import { type PrometheusHandle, startPrometheus } from "../../../dev/prometheus.ts";
import { scrape } from "../../../dev/scrape.ts";
import { PAGES } from "../../../src/dashboard/contract.ts";
import { TestBrowser, waitForTestId } from "../../support/browser.ts";
import { type Dashboard, startDashboard } from "../../support/dashboard.ts";
import { Fixture } from "../../support/e2e/fixture.ts";
import { JudgeExporter } from "../../support/judge-exporter.ts";
import { kubectlRamp } from "../../support/plugin.ts";

const judgeStep = (address: string, kase: string) =>
  `judge: {prometheus: {address: "${address}"}, window: 15s, step: 1s, metrics: [{name: latency, ` +
  `query: 'judge_latency_seconds{case="${kase}",role="{{version.role}}"}', tolerance: "10%"}]}`;

describe("a Rollout judged against its stable version", () => {
  let f: Fixture;
  let exporter: JudgeExporter;
  let prom: PrometheusHandle;
  let metricsUrl = "";
  before(async () => {
    exporter = await JudgeExporter.start();
    prom = await startPrometheus({
      scrapeConfigs: [{ job_name: "judge", static_configs: [{ targets: [exporter.target] }] }],
    });
    f = await Fixture.create("judge-rollout");
    metricsUrl = (await f.startController()).metricsUrl;
  });
  after(async () => {
    await f?.cleanup();
    await prom?.stop();
    await exporter?.stop();
  });

  const ship = (name: string, canaryMedian: number) => {
    exporter.set(
      "judge_latency_seconds",
      { case: name, role: "canary" },
      { median: canaryMedian, sigma: 0.08 },
    );
    exporter.set("judge_latency_seconds", { case: name, role: "stable" }, { median: 0.2, sigma: 0.08 });
    return f.shipAnalysisStep(name, {
      METRIC: "judge",
      COUNT: "1",
      CONDITION: "",
      PROVIDER: judgeStep(prom.url, name),
      VERSION: "v2",
    });
  };

  test("a canary 25% slower is aborted naming the judgement; get and the dashboard show each metric's verdict", async () => {
    await ship("slow", 0.25);
    const s = await f.waitStatus(
      "slow",
      "aborted by the judge",
      (st) => st.abort?.reason === "AnalysisFailed",
      90_000,
    );
    assert.match(
      s.abort?.message ?? "",
      /metric judge: judge vs stable: score 0 \(pass 95, marginal 75\) → FAIL/,
    );
    assert.match(
      s.abort?.message ?? "",
      /latency: canary \+[1-4]\d% \(CI \+\d+%…\+\d+%\) vs stable, p<0\.001, tolerance 10% → FAIL/,
    );
    assert.equal(s.phase, "Degraded");

    const get = await kubectlRamp(["get", "rollout", "slow", "-n", f.namespace]);
    assert.equal(get.code, 0, get.stderr);
    const row = get.stdout.split("\n").find((l) => l.includes("Judged"));
    assert.match(
      row ?? get.stdout,
      /latency\s+Judged\s+✖ Fail\s+latency: canary \+[1-4]\d% \(CI .*\) vs stable, p<0\.001, tolerance 10% → FAIL/,
    );
    assert.match(get.stdout, /judge\s+Metric\s+✖ Failed\s+judge vs stable: score 0/);

    const run = (await f.analysisRuns("slow"))[0] ?? "";
    // Grafana's figures: the score as the judge metric's value, each judged metric's shift, interval, p.
    const series = (await scrape(metricsUrl)).samples.filter((x) => x.labels.analysisrun === run);
    const one = (name: string, labels: Record<string, string> = {}) =>
      series.find((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v))
        ?.value;
    assert.equal(one("ramp_analysis_metric_value", { metric: "judge" }), 0);
    const shift = (bound: string) =>
      one("ramp_analysis_judge_shift_ratio", { metric: "judge", judged: "latency", bound }) ?? Number.NaN;
    assert.ok(
      shift("lower") > 0.1 && shift("lower") < shift("estimate") && shift("estimate") < shift("upper"),
    );
    assert.ok((one("ramp_analysis_judge_p_value", { judged: "latency" }) ?? 1) < 0.001);
    const dash: Dashboard = await startDashboard({ mode: "local", namespace: f.namespace });
    const browser = await TestBrowser.launch({ viewport: { width: 1280, height: 800 } });
    try {
      await browser.open(`${dash.url}/?token=${dash.localToken}`);
      const { page } = await browser.open(
        `${dash.url}${PAGES.rollout(f.namespace, "slow")}`,
        browser.context,
      );
      const id = `judgement-${run}-judge`;
      await waitForTestId(page, id, 15_000);
      const text = await waitFor(
        async () => {
          const t = (await page.locator(`[data-testid="${id}"]`).first().textContent()) ?? "";
          return t.includes("latency: canary +") ? t : undefined;
        },
        { what: "the judgement on the dashboard", timeoutMs: 10_000 },
      );
      assert.match(text, /judge vs stable: score 0 .*→ FAIL/);
      assert.match(text, /latency: canary \+[1-4]\d% \(CI .*\) vs stable, p<0\.001, tolerance 10% → FAIL/);
    } finally {
      await browser.close();
      await dash.close();
    }
  });

  test("a canary as fast as stable passes the judge and is promoted", async () => {
    await ship("even", 0.2);
    const s = await f.waitHealthy("even", 90_000);
    assert.equal(s.abort, undefined);
    const run = await f.analysisRun((await f.analysisRuns("even"))[0] ?? "");
    assert.equal(run.status?.phase, "Successful");
    assert.match(run.status?.metricResults?.[0]?.measurements?.[0]?.message ?? "", /→ PASS/);
  });
});
