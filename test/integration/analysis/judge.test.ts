// Given a real Prometheus scraping an exporter whose per-version series the test shapes (log-normal draws
// at every scrape), when an AnalysisRun judges the canary against the stable version, then a canary 25%
// slower fails, identical versions and a faster canary pass, a drop in throughput fails a "decrease" metric,
// weights and thresholds give Marginal, a critical metric fails alone, too few samples (minSamples) follow
// the noData policy, and every judgement explains itself metric by metric in the measurement's message and value.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type PrometheusHandle, startPrometheus } from "../../../dev/prometheus.ts";
import type { AnalysisRun } from "../../../src/api/index.ts";
import { Fixture } from "../../support/e2e/fixture.ts";
import { applyObjects, createRun, secretObject, waitRunDone } from "../../support/e2e/runs.ts";
import { type Distribution, JudgeExporter } from "../../support/judge-exporter.ts";

const PASSWORD = "judge-pw-3c9a";
const LATENCY = "judge_latency_seconds";
const THROUGHPUT = "judge_requests_per_second";
const HASH = { canary: "c0ffee", stable: "5ab1e5" };
const query = (name: string, kase: string) => `${name}{case="${kase}",hash="{{version.hash}}"}`;

type Judged = { verdict: string; score: number; metrics: { name: string; verdict: string; n: number[] }[] };

// Concurrent: each test waits out its runs' windows, and their cases and run names are their own.
describe("the judge against a real Prometheus", { concurrency: true }, () => {
  let f: Fixture;
  let exporter: JudgeExporter;
  let prom: PrometheusHandle;
  let guarded: PrometheusHandle;
  before(async () => {
    exporter = await JudgeExporter.start();
    const scrape = [{ job_name: "judge", static_configs: [{ targets: [exporter.target] }] }];
    prom = await startPrometheus({ scrapeConfigs: scrape });
    guarded = await startPrometheus({
      scrapeConfigs: scrape,
      basicAuth: { username: "ramp", password: PASSWORD },
    });
    f = await Fixture.create("judge");
    await applyObjects(f, [secretObject("prom-auth", { password: PASSWORD })]);
    await f.startController();
  });
  after(async () => {
    await f?.cleanup();
    await prom?.stop();
    await guarded?.stop();
    await exporter?.stop();
  });

  /** Both versions' series of `name` for `kase`; a side left undefined is not served. */
  const serve = (name: string, kase: string, canary?: Distribution, stable?: Distribution) => {
    if (canary) exporter.set(name, { case: kase, hash: HASH.canary }, canary);
    if (stable) exporter.set(name, { case: kase, hash: HASH.stable }, stable);
  };

  /** Creates a run judging `metrics` (window 20s, step 1s unless `judge` says otherwise) and waits for it. */
  const judge = async (name: string, judgeSpec: Record<string, unknown>, extra: object = {}) => {
    await createRun(f, name, {
      args: [
        { name: "canary-hash", value: HASH.canary },
        { name: "stable-hash", value: HASH.stable },
      ],
      metrics: [
        {
          name: "judge",
          ...extra,
          provider: { judge: { prometheus: { address: prom.url }, window: "20s", step: "1s", ...judgeSpec } },
        },
      ],
    });
    const run = await waitRunDone(f, name, 90_000);
    const m = run.status?.metricResults?.[0]?.measurements?.[0];
    return { run, m, value: JSON.parse(m?.value ?? "{}") as Judged, message: m?.message ?? "" };
  };

  const started = (run: AnalysisRun) => Date.parse(run.status?.startedAt ?? "");

  test("a canary 25% slower fails, after a full window, explained per metric; window and step set the samples", async () => {
    serve(LATENCY, "slower", { median: 0.25, sigma: 0.08 }, { median: 0.2, sigma: 0.08 });
    serve(LATENCY, "slower-2s", { median: 0.25, sigma: 0.08 }, { median: 0.2, sigma: 0.08 });
    const metric = (kase: string) => ({ name: "latency", query: query(LATENCY, kase), tolerance: "10%" });
    const [slower, coarse] = await Promise.all([
      judge("slower", { metrics: [metric("slower")] }),
      judge("slower-2s", { step: "2s", metrics: [metric("slower-2s")] }),
    ]);
    assert.equal(slower.run.status?.phase, "Failed");
    assert.equal(slower.m?.phase, "Failed");
    const lines = slower.message.split("\n");
    assert.match(lines[0] ?? "", /^judge vs stable: score 0 \(pass 95, marginal 75\) → FAIL: /);
    assert.match(
      lines[1] ?? "",
      /^latency: canary \+\d+% \(CI \+\d+%…\+\d+%\) vs stable, p<0\.001, tolerance 10% → FAIL$/,
    );
    assert.equal(slower.value.verdict, "Fail");
    // About +25% (20 draws a side with σ 0.08 put the estimate within a few points of it).
    const shift = Number((slower.value.metrics[0] as { shift?: number } | undefined)?.shift);
    assert.ok(shift > 0.15 && shift < 0.4, `shift ${shift}`);
    // The first judgement waited for the window (initialDelay defaults to it) and sampled it every step.
    const judgedAt = Date.parse(slower.m?.startedAt ?? "");
    assert.ok(judgedAt - started(slower.run) >= 20_000, `judged ${judgedAt - started(slower.run)} ms in`);
    const [nCanary = 0, nStable = 0] = slower.value.metrics[0]?.n ?? [];
    assert.ok(
      nCanary >= 18 && nCanary <= 21 && nStable >= 18 && nStable <= 21,
      `samples ${nCanary}/${nStable}`,
    );
    const [coarseCanary = 0] = coarse.value.metrics[0]?.n ?? [];
    assert.ok(coarseCanary >= 9 && coarseCanary <= 11, `samples at step 2s: ${coarseCanary}`);
    assert.equal(coarse.run.status?.phase, "Failed");
  });

  test("identical versions pass, and so does a faster canary; a drop in throughput fails a decrease metric", async () => {
    serve(LATENCY, "same", { median: 0.2, sigma: 0.1 }, { median: 0.2, sigma: 0.1 });
    serve(LATENCY, "faster", { median: 0.15, sigma: 0.1 }, { median: 0.2, sigma: 0.1 });
    serve(THROUGHPUT, "slowdown", { median: 80, sigma: 0.05 }, { median: 100, sigma: 0.05 });
    const [same, faster, drop, either] = await Promise.all([
      judge("same", { metrics: [{ name: "latency", query: query(LATENCY, "same") }] }),
      judge("faster", { metrics: [{ name: "latency", query: query(LATENCY, "faster") }] }),
      judge("drop", {
        metrics: [{ name: "rps", query: query(THROUGHPUT, "slowdown"), direction: "decrease" }],
      }),
      judge("drop-either", {
        metrics: [{ name: "rps", query: query(THROUGHPUT, "slowdown"), direction: "either" }],
      }),
    ]);
    assert.equal(same.run.status?.phase, "Successful", same.message);
    assert.match(same.message, /→ PASS/);
    assert.equal(faster.run.status?.phase, "Successful", faster.message);
    assert.match(faster.message, /latency: canary -\d+% .* → PASS/);
    assert.equal(drop.run.status?.phase, "Failed", drop.message);
    assert.match(drop.message, /rps: canary -[12]\d% .* → FAIL/);
    assert.equal(either.run.status?.phase, "Failed", either.message);
    // The same drop judged as "increase is bad" passes: direction is what made it fail.
    const asIncrease = await judge("drop-increase", {
      metrics: [{ name: "rps", query: query(THROUGHPUT, "slowdown") }],
    });
    assert.equal(asIncrease.run.status?.phase, "Successful", asIncrease.message);
  });

  test("weights and thresholds: a score between marginal and pass is Inconclusive; a critical metric fails alone", async () => {
    serve(LATENCY, "mixed-bad", { median: 0.3, sigma: 0.05 }, { median: 0.2, sigma: 0.05 });
    serve(LATENCY, "mixed-good", { median: 0.2, sigma: 0.05 }, { median: 0.2, sigma: 0.05 });
    const bad = { name: "p99", query: query(LATENCY, "mixed-bad") };
    const good = { name: "p50", query: query(LATENCY, "mixed-good") };
    const [marginal, critical, passing] = await Promise.all([
      judge("marginal", { thresholds: { pass: 95, marginal: 70 }, metrics: [bad, { ...good, weight: 3 }] }),
      judge("critical", {
        thresholds: { pass: 80, marginal: 50 },
        metrics: [
          { ...bad, critical: true },
          { ...good, weight: 9 },
        ],
      }),
      judge("lenient", { thresholds: { pass: 80, marginal: 50 }, metrics: [bad, { ...good, weight: 9 }] }),
    ]);
    assert.equal(marginal.run.status?.phase, "Inconclusive", marginal.message);
    assert.match(marginal.message, /^judge vs stable: score 75 \(pass 95, marginal 70\) → MARGINAL/);
    assert.equal(marginal.value.score, 75);
    assert.equal(critical.run.status?.phase, "Failed", critical.message);
    assert.match(critical.message, /→ FAIL: 1 critical metric\(s\) failed\np99: .* → FAIL \(critical\)\n/);
    // Without critical the same data scores 90, at or above pass 80.
    assert.equal(passing.run.status?.phase, "Successful", passing.message);
    assert.equal(passing.value.score, 90);
  });

  test("too few samples is no data: noData fail fails it, the default pauses it, never a pass", async () => {
    serve(LATENCY, "canary-missing", undefined, { median: 0.2, sigma: 0.1 });
    const metrics = [{ name: "latency", query: query(LATENCY, "canary-missing") }];
    const [failing, paused] = await Promise.all([
      judge("nodata-fail", { metrics }, { noData: "fail" }),
      judge("nodata-default", { metrics }),
    ]);
    assert.equal(failing.run.status?.phase, "Failed");
    assert.match(
      failing.message,
      /latency: 0 canary and \d+ stable samples, need 15 on each side → NO DATA\nnoData policy fail$/,
    );
    assert.equal(failing.value.verdict, "NoData");
    assert.equal(paused.run.status?.phase, "Inconclusive");
    assert.match(paused.message, /noData policy inconclusive$/);
  });

  test("minSamples: a canary with half a window of samples is no data at 15 and judged at 5", async () => {
    serve(LATENCY, "late", undefined, { median: 0.2, sigma: 0.08 });
    const metrics = [{ name: "latency", query: query(LATENCY, "late") }];
    const runs = Promise.all([
      judge("late-15", { minSamples: 15, metrics }, { noData: "fail" }),
      judge("late-5", { minSamples: 5, metrics }),
    ]);
    // The canary's series appears about halfway into the runs' 20 s window.
    await new Promise((r) => setTimeout(r, 10_000));
    serve(LATENCY, "late", { median: 0.25, sigma: 0.08 });
    const [strict, lenient] = await runs;
    assert.equal(strict.run.status?.phase, "Failed", strict.message);
    assert.match(
      strict.message,
      /latency: \d+ canary and \d+ stable samples, need 15 on each side → NO DATA/,
    );
    assert.equal(lenient.run.status?.phase, "Failed", lenient.message);
    assert.match(lenient.message, /latency: canary \+\d+% .* → FAIL/);
  });

  test("judge.prometheus is a prometheus metric's connection: basic auth from a Secret reaches a guarded Prometheus", async () => {
    serve(LATENCY, "guarded", { median: 0.2, sigma: 0.1 }, { median: 0.2, sigma: 0.1 });
    const metrics = [{ name: "latency", query: query(LATENCY, "guarded") }];
    const auth = {
      basic: { username: "ramp", passwordSecretKeyRef: { name: "prom-auth", key: "password" } },
    };
    // The run's own connection replaces the judge helper's plain Prometheus.
    const run = (name: string, prometheus: object) =>
      judge(name, { prometheus, window: "10s", metrics }, { consecutiveErrorLimit: 0 });
    const [ok, refused] = await Promise.all([
      run("guarded-ok", { address: guarded.url, authentication: auth }),
      run("guarded-none", { address: guarded.url }),
    ]);
    assert.equal(ok.run.status?.phase, "Successful", JSON.stringify(ok.run.status?.metricResults));
    assert.equal(refused.run.status?.phase, "Error");
    assert.match(refused.message, /^prometheus answered HTTP 401 Unauthorized/);
  });
});
