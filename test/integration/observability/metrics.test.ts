// Given the real controller and a real Prometheus scraping it with ramp's alert rules, when canaries are
// promoted, paused, aborted by their analysis and by a person, then /metrics has the Rollout series with
// the values the statuses say, passes promtool, feeds every dashboard query and fires the right alerts;
// a deleted Rollout's series are gone (the namespace's duration histogram stays while Rollouts remain), and
// a rollout's duration survives a controller restart.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type AnalysisEnv, startAnalysisEnv } from "../../../dev/analysis-env.ts";
import type { ControllerProcess } from "../../../dev/controller.ts";
import { kubectl, waitFor } from "../../../dev/kube.ts";
import { type PrometheusHandle, startPrometheus } from "../../../dev/prometheus.ts";
import { promtoolCheckMetrics, type Scrape, scrape } from "../../../dev/scrape.ts";
import { repoRoot } from "../../../dev/yaml.ts";
import { parseRules, RULES_FILE } from "../../../src/observability/alert-files.ts";
import { Fixture } from "../../support/e2e/fixture.ts";
import { asPromQL, dashboardQueries, readDashboard, selectors } from "../../support/promql.ts";

const errorRate = (version: string) =>
  `sum(rate(http_requests_total{version="${version}",code=~"5.."}[5s])) / sum(rate(http_requests_total{version="${version}"}[5s]))`;
const provider = (address: string) =>
  `prometheus: {address: "${address}", timeout: 2s, query: '${errorRate("{{args.version}}")}'}`;

type Vector = { metric: Record<string, string>; value: [number, string] }[];
type Alert = { labels: Record<string, string>; state: string };

async function promQuery(url: string, expr: string): Promise<Vector> {
  const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await res.json()) as { status: string; error?: string; data?: { result: Vector } };
  if (body.status !== "success") throw new Error(`${expr}: ${body.error ?? res.status}`);
  return body.data?.result ?? [];
}

async function alerts(url: string): Promise<Alert[]> {
  const body = (await (await fetch(`${url}/api/v1/alerts`)).json()) as { data: { alerts: Alert[] } };
  return body.data.alerts;
}

describe("controller metrics, dashboard queries and alerts on a real Prometheus", () => {
  let f: Fixture;
  let env: AnalysisEnv;
  let prom: PrometheusHandle;
  let controller: ControllerProcess;
  const target = (c: ControllerProcess) => new URL(c.metricsUrl).host;
  const scrapeConfig = (c: ControllerProcess) => [
    { job_name: "ramp-controller", honor_labels: true, static_configs: [{ targets: [target(c)] }] },
  ];

  before(async () => {
    env = await startAnalysisEnv({ good: { rate: 50, errors: 0.01 }, bad: { rate: 50, errors: 0.3 } });
    f = await Fixture.create("metrics");
    controller = await f.startController();
    prom = await startPrometheus({
      scrapeConfigs: scrapeConfig(controller),
      ruleFiles: [join(repoRoot, "deploy", "prometheus", "ramp-rules.yaml")],
    });
  });
  after(async () => {
    await prom?.stop();
    await f?.cleanup();
    await env?.stop();
  });

  const own = (s: Scrape, name: string, labels: Record<string, string> = {}) =>
    s.value(name, { namespace: f.namespace, ...labels });

  const shipWithAnalysis = (name: string, version: string) =>
    f.shipAnalysisStep(name, {
      METRIC: "error-rate",
      COUNT: "3",
      CONDITION: 'failureCondition: "result[0] > 0.05"',
      PROVIDER: provider(env.prometheus.url),
      VERSION: version,
    });

  test("a paused canary: phase, step, weight and replicas by role are the status' own numbers", async () => {
    await f.applyFixture("canary/three-steps.yaml", {
      NAME: "held",
      IMAGE: "app:1",
      PAUSE1: "1s",
      PAUSE2: "{}",
      DEADLINE: "600",
    });
    await f.waitHealthy("held");
    const shipped = Date.now();
    await f.setImage("held", "app:2");
    const st = await f.waitStatus(
      "held",
      "paused at the indefinite pause",
      (s) => s.phase === "Paused" && s.currentStepIndex === 3,
    );
    // Series follow the status write they come from: wait for the scrape to show this one.
    const s = await waitFor(
      async () => {
        const got = await scrape(controller.metricsUrl);
        return own(got, "ramp_rollout_step", { rollout: "held" }) === 3 ? got : undefined;
      },
      { what: "held's pause at step 3 on /metrics", timeoutMs: 10_000, intervalMs: 200 },
    );
    const held = { rollout: "held" };
    assert.deepEqual(
      s.find("ramp_rollout_info", { namespace: f.namespace, ...held }).map((x) => x.labels),
      [
        {
          namespace: f.namespace,
          rollout: "held",
          strategy: "canary",
          phase: "Paused",
          traffic_router: "none",
        },
      ],
      "one info series, with the current phase",
    );
    for (const p of ["Healthy", "Progressing", "Degraded"])
      assert.equal(own(s, "ramp_rollout_phase", { ...held, phase: p }), 0, p);
    assert.equal(own(s, "ramp_rollout_step", held), st.currentStepIndex);
    assert.equal(own(s, "ramp_rollout_step", held), 3);
    assert.equal(own(s, "ramp_rollout_steps", held), 5);
    assert.equal(own(s, "ramp_rollout_canary_weight", held), st.canary?.weight);
    assert.equal(own(s, "ramp_rollout_canary_weight", held), 50);
    assert.equal(own(s, "ramp_rollout_replicas_desired", { ...held, role: "total" }), 5);
    const canary = own(s, "ramp_rollout_replicas_available", { ...held, role: "canary" }) ?? -1;
    const stable = own(s, "ramp_rollout_replicas_available", { ...held, role: "stable" }) ?? -1;
    assert.ok(canary >= 2 && stable >= 2, `canary ${canary}, stable ${stable} available at 50%`);
    assert.equal(own(s, "ramp_rollout_replicas_available", { ...held, role: "total" }), st.availableReplicas);
    // Its 1 s pause at step 1 ended once, by time: observed from its deadline, which came after the ship.
    assert.equal(s.value("ramp_rollout_pause_overrun_seconds_count", {}), 1);
    const overrun = s.value("ramp_rollout_pause_overrun_seconds_sum", {}) ?? -1;
    const latest = (Date.now() - shipped - 1000) / 1000;
    assert.ok(overrun >= 0 && overrun <= latest, `overrun ${overrun} s, at most ${latest} s possible`);
    assert.equal(
      own(s, "ramp_rollout_condition", {
        ...held,
        type: "Paused",
        status: "True",
        reason: "PausedStep",
      }),
      1,
    );
    assert.equal(s.find("ramp_rollout_condition", { namespace: f.namespace, ...held }).length, 7);
  });

  test("a person's abort: counted once with reason AbortedByUser, and the phase goes Degraded", async () => {
    await f.actions.abort("held");
    await f.waitStatus(
      "held",
      "aborted",
      (s) => s.abort?.reason === "AbortedByUser" && s.phase === "Degraded",
    );
    const s = await waitFor(
      async () => {
        const got = await scrape(controller.metricsUrl);
        return own(got, "ramp_rollout_phase", { rollout: "held", phase: "Degraded" }) === 1 ? got : undefined;
      },
      { what: "held Degraded on /metrics", timeoutMs: 10_000, intervalMs: 200 },
    );
    assert.equal(own(s, "ramp_rollout_aborts_total", { rollout: "held", reason: "AbortedByUser" }), 1);
    assert.equal(
      own(s, "ramp_rollout_phase_transitions_total", { rollout: "held", from: "Paused", to: "Degraded" }),
      1,
    );
    assert.equal(
      own(s, "ramp_rollout_condition", {
        rollout: "held",
        type: "Aborted",
        status: "True",
        reason: "AbortedByUser",
      }),
      1,
    );
  });

  test("a good canary through its analysis: Healthy, a rollout duration observed, thresholds exported", async () => {
    const shipped = Date.now();
    await shipWithAnalysis("good", "good");
    const st = await f.waitHealthy("good", 60_000);
    const s = await waitFor(
      async () => {
        const got = await scrape(controller.metricsUrl);
        return own(got, "ramp_rollout_last_duration_seconds", { rollout: "good" }) !== undefined
          ? got
          : undefined;
      },
      { what: "good's rollout duration on /metrics", timeoutMs: 10_000, intervalMs: 200 },
    );
    const seconds = own(s, "ramp_rollout_last_duration_seconds", { rollout: "good" }) ?? -1;
    // The histogram is the namespace's: held never finished a new version, and first deploys are not observed.
    assert.equal(own(s, "ramp_rollout_duration_seconds_count"), 1);
    assert.equal(own(s, "ramp_rollout_duration_seconds_sum"), seconds);
    assert.deepEqual(
      s.find("ramp_rollout_duration_seconds_count", { namespace: f.namespace }).map((x) => x.labels),
      [{ namespace: f.namespace }],
      "no rollout label",
    );
    const machineStart = Date.parse(String(st.machine?.context.startedAt));
    assert.ok(machineStart >= shipped - 1000, "the machine's start is when v2 was shipped");
    assert.ok(seconds > 0 && seconds <= (Date.now() - shipped) / 1000 + 1, `duration ${seconds}s`);
    assert.equal(own(s, "ramp_rollout_phase", { rollout: "good", phase: "Healthy" }), 1);
    const toHealthy = s
      .find("ramp_rollout_phase_transitions_total", {
        namespace: f.namespace,
        rollout: "good",
        to: "Healthy",
      })
      .reduce((a, x) => a + x.value, 0);
    assert.equal(toHealthy, 2, "v1 and v2 each reached Healthy once");
    assert.equal(own(s, "ramp_rollout_canary_weight", { rollout: "good" }), 0, "all on stable");
    assert.equal(own(s, "ramp_rollout_replicas_desired", { rollout: "good", role: "canary" }), 0);
    assert.equal(own(s, "ramp_rollout_replicas_available", { rollout: "good", role: "stable" }), 4);
    const thresholds = s.find("ramp_analysis_metric_threshold", { namespace: f.namespace, rollout: "good" });
    assert.ok(thresholds.length > 0, "the analysis' failure threshold is exported");
    for (const t of thresholds) {
      assert.equal(t.labels.condition, "failure");
      assert.equal(t.value, 0.05);
    }
  });

  test("a bad canary aborted by its analysis: aborts_total, the metric's value and both alerts on Prometheus", async () => {
    await shipWithAnalysis("bad", "bad");
    await f.waitStatus("bad", "aborted by the analysis", (s) => s.abort?.reason === "AnalysisFailed", 60_000);
    const s = await waitFor(
      async () => {
        const got = await scrape(controller.metricsUrl);
        return own(got, "ramp_rollout_aborts_total", { rollout: "bad", reason: "AnalysisFailed" }) === 1
          ? got
          : undefined;
      },
      { what: "bad's abort on /metrics", timeoutMs: 10_000, intervalMs: 200 },
    );
    const failed = s.find("ramp_analysis_metric_phase", {
      namespace: f.namespace,
      rollout: "bad",
      phase: "Failed",
    });
    assert.equal(failed.length, 1);
    assert.equal(failed[0]?.value, 1);
    const value = s.find("ramp_analysis_metric_value", { namespace: f.namespace, rollout: "bad" })[0]?.value;
    assert.ok(value !== undefined && Math.abs(value - 0.3) < 0.1, `error rate ${value}`);
    assert.equal(
      own(s, "ramp_rollout_last_duration_seconds", { rollout: "bad" }),
      undefined,
      "never Healthy",
    );
    assert.equal(own(s, "ramp_rollout_duration_seconds_count"), 1, "good's only");

    // The alert rules, evaluated every second by the real Prometheus, see it.
    const active = await waitFor(
      async () => {
        const all = (await alerts(prom.url)).filter((a) => a.labels.namespace === f.namespace);
        const aborted = all.some(
          (a) =>
            a.labels.alertname === "RampRolloutAborted" &&
            a.labels.rollout === "bad" &&
            a.labels.reason === "AnalysisFailed",
        );
        const metric = all.some(
          (a) =>
            a.labels.alertname === "RampAnalysisMetricFailed" &&
            a.labels.rollout === "bad" &&
            a.labels.metric === "error-rate" &&
            a.state === "firing",
        );
        return aborted && metric ? all : undefined;
      },
      { what: "RampRolloutAborted and RampAnalysisMetricFailed for bad", timeoutMs: 30_000, intervalMs: 500 },
    );
    assert.ok(
      !active.some((a) => a.labels.alertname === "RampRolloutAborted" && a.labels.rollout === "held"),
      "a person's abort does not alert",
    );
    assert.ok(
      !active.some((a) => a.labels.rollout === "good"),
      `the promoted rollout raises nothing: ${JSON.stringify(active)}`,
    );
  });

  test("the scrape passes promtool check metrics and names every metric the dashboard and the rules query", async () => {
    const s = await scrape(controller.metricsUrl);
    const lint = promtoolCheckMetrics(s.text);
    assert.equal(lint.code, 0, lint.output);
    assert.equal(lint.output.trim(), "");
    const exported = new Set<string>();
    for (const [name, type] of s.families) {
      exported.add(name);
      if (type === "histogram") for (const x of ["_bucket", "_sum", "_count"]) exported.add(name + x);
    }
    const rules = parseRules(readFileSync(join(repoRoot, RULES_FILE), "utf8")).flatMap((g) =>
      g.rules.map((r) => ({ where: `alert ${r.alert}`, expr: r.expr })),
    );
    for (const { where, expr } of [...dashboardQueries(readDashboard()), ...rules])
      for (const sel of selectors(expr))
        assert.ok(exported.has(sel.metric), `${where}: ${sel.metric} is not on the controller's /metrics`);
    // Bounded cardinality: every ramp_rollout_* series is labelled by a Rollout of this namespace.
    for (const x of s.samples.filter((x) => x.name.startsWith("ramp_rollout_") && x.labels.rollout))
      assert.ok(["held", "good", "bad"].includes(x.labels.rollout ?? ""), JSON.stringify(x));
  });

  test("ramp_kube_cache_objects: each watch cache holds what the apiserver lists in the namespace", async () => {
    const count = async (args: string[]) => {
      const res = await kubectl(["get", ...args, "-n", f.namespace, "-o", "name"]);
      assert.equal(res.code, 0, res.stderr);
      return res.stdout.split("\n").filter((l) => l.trim() !== "").length;
    };
    await waitFor(
      async () => {
        const s = await scrape(controller.metricsUrl);
        const cached = (resource: string) => s.value("ramp_kube_cache_objects", { resource });
        const listed = {
          rollouts: await count(["rollouts.ramp.dev"]),
          replicasets: await count(["replicasets", "-l", "ramp.dev/rollout"]),
          analysisruns: await count(["analysisruns.ramp.dev"]),
          services: await count(["services"]),
        };
        const seen = Object.fromEntries(Object.keys(listed).map((r) => [r, cached(r)]));
        // Thrown, so that a timeout says what differed.
        if (JSON.stringify(seen) !== JSON.stringify(listed) || listed.rollouts === 0)
          throw new Error(`cached ${JSON.stringify(seen)}, listed ${JSON.stringify(listed)}`);
        return true;
      },
      { what: "the cache sizes to match the namespace", timeoutMs: 30_000 },
    );
  });

  test("every dashboard query runs on Prometheus, and the Rollout panels show these Rollouts", async () => {
    await waitFor(
      async () =>
        (await promQuery(prom.url, `ramp_rollout_aborts_total{namespace="${f.namespace}",rollout="bad"}`))
          .length > 0,
      { what: "Prometheus to have scraped bad's abort", timeoutMs: 15_000, intervalMs: 500 },
    );
    const vars = { namespace: f.namespace };
    // Only what has no data yet in this run may be empty: no reconcile error or watch restart happened,
    // and the annotation looks back 2 minutes only for an abort that may be older.
    const allowed = [
      /Reconciles and errors" [BC]/,
      /Phase transitions/,
      /Watch restarts/,
      /Rollout duration/,
      /annotation Aborts/,
      /Aborts over time/,
      /Reconcile latency/,
      /Work queue" B/,
      // Failures, retries and dropped Events: none in a healthy run.
      /Kubernetes API errors" [AB]/,
      /Retries" [AB]/,
      /Events dropped and failed" [AB]/,
      // No Notifier in this run: nothing is sent, failed or queued.
      /Notifications sent" A/,
      /Notifications failed" A/,
      /Notification queue depth" A/,
      // No judge metric in this run (judge-rollout.test.ts scrapes the judge's series).
      /Judge: canary shift with its interval" A/,
      /Judge: p-values" A/,
    ];
    const emptyQueries = async () => {
      const empty: string[] = [];
      for (const { where, expr } of dashboardQueries(readDashboard())) {
        const result = await promQuery(prom.url, asPromQL(expr, vars));
        if (result.length === 0) empty.push(where);
      }
      return empty.filter((w) => !allowed.some((r) => r.test(w)));
    };
    // increase() and rate() need two samples of a series: a counter born in the last scrape has none yet.
    let unexpected: string[] = [];
    await waitFor(
      async () => {
        unexpected = await emptyQueries();
        return unexpected.length === 0;
      },
      { what: "every dashboard query to have data", timeoutMs: 30_000, intervalMs: 1000 },
    ).catch(() => {});
    assert.deepEqual(unexpected, [], `queries with no data: ${unexpected.join(", ")}`);
    const phases = await promQuery(
      prom.url,
      asPromQL(
        'sum by (phase) (max by (namespace, rollout, phase) (ramp_rollout_phase{namespace=~"$namespace"}))',
        vars,
      ),
    );
    const byPhase = Object.fromEntries(phases.map((r) => [r.metric.phase, Number(r.value[1])]));
    assert.deepEqual(byPhase, { Healthy: 1, Progressing: 0, Paused: 0, Degraded: 2 });
  });

  test("deleting a Rollout removes all of its series, its analysis' too", async () => {
    const res = await kubectl(["delete", "rollout.ramp.dev", "bad", "-n", f.namespace, "--wait=true"]);
    assert.equal(res.code, 0, res.stderr);
    const s = await waitFor(
      async () => {
        const got = await scrape(controller.metricsUrl);
        return got.samples.some((x) => x.labels.rollout === "bad" && x.labels.namespace === f.namespace)
          ? undefined
          : got;
      },
      { what: "every series of bad to go", timeoutMs: 30_000, intervalMs: 250 },
    );
    assert.ok(own(s, "ramp_rollout_phase", { rollout: "good", phase: "Healthy" }) === 1, "others stay");
    assert.equal(
      own(s, "ramp_rollout_duration_seconds_count"),
      1,
      "the namespace's histogram stays with good",
    );
  });

  test("a controller restarted mid-rollout measures the duration from the start recorded in status", async () => {
    const shipped = Date.now();
    await f.setImage("good", "app:3");
    await f.waitStatus(
      "good",
      "v3 analysing",
      (s) => s.phase === "Progressing" && (s.currentStepIndex ?? 0) >= 1,
    );
    await controller.kill();
    const killedAfter = (Date.now() - shipped) / 1000;
    controller = await f.startController();
    await prom.reload({ scrapeConfigs: scrapeConfig(controller) });
    await f.waitHealthy("good", 60_000);
    const s = await waitFor(
      async () => {
        const got = await scrape(controller.metricsUrl);
        return own(got, "ramp_rollout_duration_seconds_count") === 1 ? got : undefined;
      },
      { what: "the new controller to observe v3's duration", timeoutMs: 10_000, intervalMs: 200 },
    );
    const seconds = own(s, "ramp_rollout_duration_seconds_sum") ?? -1;
    assert.equal(own(s, "ramp_rollout_last_duration_seconds", { rollout: "good" }), seconds);
    assert.ok(
      seconds >= killedAfter - 1 && seconds <= (Date.now() - shipped) / 1000 + 1,
      `duration ${seconds}s counts from before the restart (${killedAfter}s in)`,
    );
  });
});
