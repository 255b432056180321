// The Grafana dashboard (chart/dashboards/ramp.json) against the code: current schema, the variables
// users expect, and every query naming only metrics (and labels) the controller's registries define, so
// the dashboard cannot drift from the metrics. The integration test runs every query on a real Prometheus.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { Histogram } from "prom-client";
import { repoRoot } from "../../../dev/yaml.ts";
import { AnalysisMetrics } from "../../../src/analysis/metrics.ts";
import { notifyMetrics } from "../../../src/notify/deliver/metrics.ts";
import { parseRules, RULES_FILE } from "../../../src/observability/alert-files.ts";
import { createMetrics } from "../../../src/observability/metrics.ts";
import { RolloutMetrics } from "../../../src/observability/rollout-metrics.ts";
import { ROLLOUT_STATE_FAMILIES } from "../../../src/observability/rollout-state.ts";
import { dashboardQueries, panelsOf, readDashboard, selectors } from "../../support/promql.ts";

/**
 * Exported series name → its label names: the registry the controller builds (runController) and the
 * Rollout state families it renders from its caches at scrape time.
 */
function exportedSeries(): Map<string, Set<string>> {
  const metrics = createMetrics();
  new RolloutMetrics(metrics.registry);
  new AnalysisMetrics(metrics.registry);
  notifyMetrics(metrics.registry);
  const out = new Map<string, Set<string>>();
  for (const m of metrics.registry.getMetricsAsArray()) {
    const labels = (m as unknown as { labelNames?: string[] }).labelNames ?? [];
    if (m instanceof Histogram) {
      out.set(`${m.name}_bucket`, new Set([...labels, "le"]));
      out.set(`${m.name}_sum`, new Set(labels));
      out.set(`${m.name}_count`, new Set(labels));
    } else out.set(m.name, new Set(labels));
  }
  for (const f of ROLLOUT_STATE_FAMILIES) out.set(f.name, new Set(f.labelNames));
  return out;
}

// Labels Prometheus adds to every series: from the scrape target, and `cluster` (an external label or a
// relabeling) where one Prometheus serves many clusters.
const TARGET_LABELS = ["job", "instance", "cluster"];

const dashboard = readDashboard();
const ds = (x: { uid?: string } | undefined) => x?.uid;
/** Grafana's reference to the data source variable (a literal, not a JavaScript template). */
const DS_VAR = ["$", "{datasource}"].join("");

describe("Grafana dashboard", () => {
  test("current schema, a stable uid, a Prometheus data source variable and namespace/rollout variables", () => {
    assert.ok(dashboard.schemaVersion >= 39, `schemaVersion ${dashboard.schemaVersion}`);
    assert.equal(dashboard.uid, "ramp-rollouts");
    const vars = Object.fromEntries(dashboard.templating.list.map((v) => [v.name, v]));
    assert.equal(vars.datasource?.type, "datasource");
    assert.equal(vars.datasource?.query, "prometheus");
    for (const name of ["namespace", "rollout"]) {
      const v = vars[name];
      assert.equal(v?.type, "query", name);
      assert.equal(ds(v?.datasource as { uid?: string }), DS_VAR, name);
      assert.equal(v?.includeAll, true, name);
      assert.equal(v?.multi, true, name);
      assert.equal(v?.allValue, ".*", name);
    }
    assert.match(
      JSON.stringify(vars.rollout?.query),
      /namespace=~\\"\$namespace\\"/,
      "rollouts of the chosen namespaces",
    );
  });

  test("every panel and query uses the data source variable; ids are unique; the grid is 24 wide without overlaps", () => {
    const panels = panelsOf(dashboard);
    const ids = dashboard.panels.map((p) => p.id);
    assert.equal(new Set(ids).size, ids.length);
    type Box = { x: number; y: number; w: number; h: number };
    const boxes: [string, Box][] = [];
    for (const p of dashboard.panels as ((typeof dashboard.panels)[number] & { gridPos: Box })[]) {
      const g = p.gridPos;
      assert.ok(g.x >= 0 && g.w > 0 && g.x + g.w <= 24, `${p.title}: ${JSON.stringify(g)}`);
      for (const [other, o] of boxes)
        assert.ok(
          g.x >= o.x + o.w || o.x >= g.x + g.w || g.y >= o.y + o.h || o.y >= g.y + g.h,
          `${p.title} overlaps ${other}`,
        );
      boxes.push([p.title, g]);
    }
    for (const p of panels) {
      assert.equal(ds(p.datasource), DS_VAR, p.title);
      assert.ok((p.targets ?? []).length > 0, `${p.title} has no query`);
      for (const t of p.targets ?? []) assert.equal(ds(t.datasource), DS_VAR, `${p.title} ${t.refId}`);
    }
  });

  test("every query names only metrics the controller exports, with labels those metrics have", () => {
    const exported = exportedSeries();
    const queries = dashboardQueries(dashboard);
    assert.ok(queries.length > 25, `${queries.length} queries`);
    for (const { where, expr } of queries) {
      const sels = selectors(expr);
      assert.ok(sels.length > 0, `${where}: no metric in ${expr}`);
      for (const s of sels) {
        const labels = exported.get(s.metric);
        assert.ok(labels, `${where}: ${s.metric} is not a metric the controller exports`);
        for (const l of s.labels)
          assert.ok(labels.has(l) || TARGET_LABELS.includes(l), `${where}: ${s.metric} has no label ${l}`);
      }
    }
  });

  test("the alert rules name only exported metrics and labels too", () => {
    const exported = exportedSeries();
    for (const g of parseRules(readFileSync(join(repoRoot, RULES_FILE), "utf8")))
      for (const r of g.rules)
        for (const s of selectors(r.expr)) {
          const labels = exported.get(s.metric);
          assert.ok(labels, `${r.alert}: ${s.metric} is not exported`);
          for (const l of s.labels) assert.ok(labels.has(l), `${r.alert}: ${s.metric} has no label ${l}`);
        }
  });

  test("it shows what issue 8 asks for: phases, weight and step, analysis against thresholds, aborts, controller health", () => {
    const used = new Set(dashboardQueries(dashboard).flatMap((q) => selectors(q.expr).map((s) => s.metric)));
    for (const name of [
      "ramp_rollout_phase",
      "ramp_rollout_info",
      "ramp_rollout_canary_weight",
      "ramp_rollout_step",
      "ramp_rollout_replicas_available",
      "ramp_analysis_metric_value",
      "ramp_analysis_metric_threshold",
      "ramp_rollout_aborts_total",
      "ramp_rollout_duration_seconds_bucket",
      "ramp_rollout_last_duration_seconds",
      "ramp_rollout_reconcile_duration_seconds_bucket",
      "ramp_rollout_reconcile_errors_total",
      "ramp_workqueue_depth",
      "ramp_kube_api_requests_total",
      "ramp_leader",
    ])
      assert.ok(used.has(name), `no panel shows ${name}`);
  });

  test("$cluster and $job variables, and every query of every panel follows both", () => {
    const vars = Object.fromEntries(dashboard.templating.list.map((v) => [v.name, v]));
    for (const name of ["cluster", "job"]) {
      const v = vars[name];
      assert.equal(v?.type, "query", name);
      assert.equal(ds(v?.datasource as { uid?: string }), DS_VAR, name);
      assert.equal(v?.includeAll, true, name);
      assert.equal(v?.multi, true, name);
      assert.equal(v?.allValue, ".*", "a series without the label matches All too");
    }
    assert.match(JSON.stringify(vars.job?.query), /cluster=~\\"\$cluster\\"/, "jobs of the chosen clusters");
    const names = dashboard.templating.list.map((v) => v.name);
    assert.ok(names.indexOf("cluster") < names.indexOf("namespace"), "cluster, job, then namespace");
    for (const { where, expr } of dashboardQueries(dashboard)) {
      if (where.startsWith("variable cluster")) continue;
      for (const s of selectors(expr)) {
        assert.ok(s.labels.includes("cluster"), `${where}: ${s.metric} ignores $cluster`);
        if (!where.startsWith("variable job"))
          assert.ok(s.labels.includes("job"), `${where}: ${s.metric} ignores $job`);
      }
    }
  });

  test("controller panels for API latency and errors, retries, dropped Events and stuck workers", () => {
    const byTitle = new Map(panelsOf(dashboard).map((p) => [p.title, p]));
    const uses = (title: string, metric: string) =>
      (byTitle.get(title)?.targets ?? []).some((t) => selectors(t.expr).some((s) => s.metric === metric));
    assert.ok(uses("Kubernetes API latency", "ramp_kube_api_request_duration_seconds_bucket"));
    assert.ok(uses("Kubernetes API errors", "ramp_kube_api_requests_total"));
    assert.match(
      byTitle.get("Kubernetes API errors")?.targets?.[0]?.expr ?? "",
      /code=~"error\|401\|403\|429\|5\.\."/,
    );
    assert.ok(uses("Retries", "ramp_kube_api_retries_total"));
    assert.ok(uses("Retries", "ramp_workqueue_retries_total"));
    assert.ok(uses("Events dropped and failed", "ramp_kube_events_dropped_total"));
    assert.ok(uses("Events dropped and failed", "ramp_kube_event_write_failures_total"));
    assert.ok(uses("Stuck workers", "ramp_workqueue_longest_running_processor_seconds"));
    assert.ok(uses("Stuck workers", "ramp_workqueue_unfinished_work_seconds"));
  });

  test("a Notifications row: sent by destination, failed by destination and reason, queue depth by destination", () => {
    const rows = dashboard.panels.filter((p) => p.type === "row").map((p) => p.title);
    assert.ok(rows.includes("Notifications"), `rows: ${rows.join(", ")}`);
    // The row holds the panels placed below it, up to the next row.
    const at = dashboard.panels.findIndex((p) => p.type === "row" && p.title === "Notifications");
    const next = dashboard.panels.findIndex((p, i) => i > at && p.type === "row");
    const inRow = dashboard.panels.slice(at + 1, next === -1 ? undefined : next);
    const grouped = inRow.flatMap((p) =>
      (p.targets ?? []).map((t) => {
        const by = /^(sum|max) by \(([^)]*)\) \((rate\()?(ramp_notifications_[a-z_]+)\{/.exec(t.expr);
        return `${p.title}: ${by?.[4]} by ${by?.[2]}${by?.[3] ? " per second" : ""}`;
      }),
    );
    assert.deepEqual(grouped, [
      "Notifications sent: ramp_notifications_sent_total by destination per second",
      "Notifications failed: ramp_notifications_failed_total by destination, reason per second",
      "Notification queue depth: ramp_notifications_queue_depth by destination",
    ]);
  });

  test("Rollout panels follow the namespace and rollout variables, as far as each metric has those labels", () => {
    const exported = exportedSeries();
    for (const { where, expr } of dashboardQueries(dashboard)) {
      if (where.startsWith("variable")) continue;
      for (const s of selectors(expr)) {
        if (!s.metric.startsWith("ramp_rollout_") && !s.metric.startsWith("ramp_analysis_")) continue;
        const labels = exported.get(s.metric) ?? new Set();
        if (labels.has("namespace"))
          assert.match(expr, /namespace=~"\$namespace"/, `${where} ignores $namespace`);
        if (labels.has("rollout")) assert.match(expr, /rollout=~"\$rollout"/, `${where} ignores $rollout`);
      }
    }
  });

  test("rollout durations: quantiles from the per-namespace histogram, per Rollout from the last-duration gauge", () => {
    const exported = exportedSeries();
    assert.deepEqual([...(exported.get("ramp_rollout_duration_seconds_bucket") ?? [])].sort(), [
      "le",
      "namespace",
    ]);
    const uses = (metric: string) =>
      dashboardQueries(dashboard).filter((q) => selectors(q.expr).some((s) => s.metric === metric));
    const quantiles = uses("ramp_rollout_duration_seconds_bucket");
    assert.equal(quantiles.length, 2);
    for (const q of quantiles) assert.match(q.expr, /^histogram_quantile\(0\.[59], sum by \(le\) /, q.where);
    const last = uses("ramp_rollout_last_duration_seconds");
    assert.equal(last.length, 1);
    assert.match(last[0]?.expr ?? "", /^max by \(namespace, rollout\) /, "one row per Rollout");
  });

  test("the chart's ConfigMap template embeds this file for Grafana's dashboard sidecar", () => {
    const tpl = readFileSync(join(repoRoot, "chart", "templates", "grafana-dashboard.yaml"), "utf8");
    assert.match(tpl, /\.Files\.Get "dashboards\/ramp\.json"/);
    assert.match(tpl, /"grafana_dashboard" "1"/);
    assert.match(tpl, /if \$dashboard\.enabled/);
  });
});
