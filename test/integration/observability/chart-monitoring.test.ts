// The chart's monitoring objects rendered by the real helm: the PrometheusRule carries exactly the rules
// file's groups, the dashboard ConfigMap exactly chart/dashboards/ramp.json with the sidecar's label; both
// are accepted by the real apiserver (the PrometheusRule against the Prometheus Operator's CRD).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { parse } from "yaml";
import { createTestNamespace, deleteTestNamespace, kubectl } from "../../../dev/kube.ts";
import { repoRoot } from "../../../dev/yaml.ts";
import { RULES_FILE } from "../../../src/observability/alert-files.ts";
import { find, installMonitoringCrds, type Manifest, render } from "../../support/chart.ts";
import { dashboardFile } from "../../support/promql.ts";

const monitoring = (docs: Manifest[]) =>
  docs.filter(
    (d) => d.kind === "PrometheusRule" || (d.kind === "ConfigMap" && d.metadata.name.endsWith("-dashboard")),
  );

describe("chart: PrometheusRule and Grafana dashboard ConfigMap", () => {
  let ns: string;
  before(async () => {
    ns = await createTestNamespace("chart-monitoring");
  });
  after(async () => {
    if (ns) await deleteTestNamespace(ns, { wait: false });
  });

  test("defaults: the dashboard ConfigMap for the sidecar, no PrometheusRule", async () => {
    const docs = await render({ release: "ramp", namespace: ns });
    assert.ok(!docs.some((d) => d.kind === "PrometheusRule"));
    const cm = find(docs, "ConfigMap", "ramp-dashboard");
    assert.equal(cm.metadata.labels?.grafana_dashboard, "1");
    assert.equal(cm.metadata.labels?.["app.kubernetes.io/part-of"], "ramp");
    const data = cm.data as Record<string, string>;
    assert.deepEqual(Object.keys(data), ["ramp.json"]);
    assert.equal(data["ramp.json"], readFileSync(dashboardFile, "utf8").trimEnd());
    assert.deepEqual(JSON.parse(data["ramp.json"] ?? ""), JSON.parse(readFileSync(dashboardFile, "utf8")));
  });

  test("grafana.dashboard.enabled=false renders no ConfigMap", async () => {
    const docs = await render({
      release: "ramp",
      namespace: ns,
      values: { grafana: { dashboard: { enabled: false } } },
    });
    assert.deepEqual(monitoring(docs), []);
  });

  test("where the sidecar and the Prometheus Operator look: namespace, labels and annotations from values", async () => {
    const docs = await render({
      release: "ramp",
      namespace: ns,
      values: {
        grafana: {
          dashboard: {
            namespace: "monitoring",
            labels: { grafana_dashboard: "ramp" },
            annotations: { grafana_folder: "Delivery" },
          },
        },
        prometheusRule: {
          enabled: true,
          namespace: "monitoring",
          labels: { release: "kube-prometheus-stack" },
        },
      },
    });
    const cm = find(docs, "ConfigMap", "ramp-dashboard");
    assert.equal(cm.metadata.namespace, "monitoring");
    assert.equal(cm.metadata.labels?.grafana_dashboard, "ramp");
    assert.deepEqual((cm.metadata as { annotations?: unknown }).annotations, { grafana_folder: "Delivery" });
    const rule = find(docs, "PrometheusRule");
    assert.equal(rule.metadata.namespace, "monitoring");
    assert.equal(rule.metadata.labels?.release, "kube-prometheus-stack");
  });

  test("prometheusRule.enabled: the rules file's groups, verbatim; both objects applied server-side", async () => {
    await installMonitoringCrds();
    const docs = await render({
      release: "ramp",
      namespace: ns,
      values: { prometheusRule: { enabled: true } },
    });
    const rule = find(docs, "PrometheusRule");
    assert.equal(rule.apiVersion, "monitoring.coreos.com/v1");
    assert.equal(rule.metadata.namespace, ns);
    assert.deepEqual(rule.spec, parse(readFileSync(join(repoRoot, RULES_FILE), "utf8")));
    const input = JSON.stringify({ apiVersion: "v1", kind: "List", items: monitoring(docs) });
    const res = await kubectl(["apply", "--server-side", "--field-manager=ramp-tests", "-n", ns, "-f", "-"], {
      input,
    });
    assert.equal(res.code, 0, res.stderr);
    const got = await kubectl(["get", "prometheusrule", rule.metadata.name, "-n", ns, "-o", "json"]);
    assert.equal(got.code, 0, got.stderr);
    const stored = JSON.parse(got.stdout) as { spec: { groups: { rules: { alert: string }[] }[] } };
    // Every alert of the rules file made it into the stored object (none dropped by its schema).
    const alerts = (spec: { groups: { rules: { alert: string }[] }[] }) =>
      spec.groups.flatMap((g) => g.rules.map((r) => r.alert));
    assert.deepEqual(alerts(stored.spec), alerts(rule.spec as typeof stored.spec));
    assert.ok(alerts(stored.spec).includes("RampPausesEndingLate"));
  });
});
