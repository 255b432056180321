// The three forms of ramp's alerts stay one: the chart's copy and the Grafana provisioning file are what
// scripts/gen-integrations.ts makes from deploy/prometheus/ramp-rules.yaml; the Grafana file has the shape
// Grafana's provisioning reads (pkg/services/provisioning/alerting/rules_types.go); every alert is
// documented in docs/runbook.md. promtool checks and tests the rules in test/integration/observability.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { parse } from "yaml";
import { repoRoot } from "../../../dev/yaml.ts";
import {
  GRAFANA_DATASOURCE_UID,
  grafanaAlerting,
  parseRules,
  RULES_FILE,
  rulesCopy,
} from "../../../src/observability/alert-files.ts";

const read = (path: string) => readFileSync(join(repoRoot, path), "utf8");
const source = read(RULES_FILE);
const groups = parseRules(source);
const rules = groups.flatMap((g) => g.rules);
const RUNBOOK = "https://github.com/ramp-dev/ramp/blob/main/docs/runbook.md#";

describe("alert rules", () => {
  test("issue 8's alerts are all there, each with a severity", () => {
    const names = rules.map((r) => r.alert);
    for (const name of [
      "RampRolloutAborted",
      "RampAnalysisMetricFailed",
      "RampAnalysisMetricError",
      "RampRolloutProgressDeadlineExceeded",
      "RampReconcileErrors",
      "RampNoLeader",
      "RampControllerDown",
    ])
      assert.ok(names.includes(name), name);
    assert.equal(new Set(names).size, names.length, "unique names");
    for (const r of rules) assert.match(r.labels?.severity ?? "", /^(critical|warning|info)$/, r.alert);
  });

  test("every alert has summary, description and a runbook link to its own section of docs/runbook.md", () => {
    const runbook = read("docs/runbook.md");
    // GitHub's anchor for "## RampRolloutAborted" is #ramprolloutaborted.
    const anchors = [...runbook.matchAll(/^## (\S+)$/gm)].map((m) => (m[1] ?? "").toLowerCase());
    for (const r of rules) {
      const a = r.annotations;
      assert.ok(a.summary && a.summary.length > 10, `${r.alert}: summary`);
      assert.ok(a.description && a.description.length > 40, `${r.alert}: description`);
      assert.equal(a.runbook, `${RUNBOOK}${r.alert.toLowerCase()}`, `${r.alert}: runbook`);
      assert.equal(a.runbook_url, a.runbook, `${r.alert}: runbook_url`);
      assert.ok(anchors.includes(r.alert.toLowerCase()), `docs/runbook.md has no section ## ${r.alert}`);
    }
    assert.deepEqual(anchors.sort(), rules.map((r) => r.alert.toLowerCase()).sort(), "one section per alert");
    for (const section of runbook.split(/^## /m).slice(1)) {
      const title = section.split("\n")[0];
      for (const part of ["**Meaning.**", "**Investigate.**", "**Act.**"])
        assert.ok(section.includes(part), `${title}: no ${part}`);
      assert.match(
        section,
        /kubectl (ramp get rollout|get pods|get lease)/,
        `${title}: no command to investigate`,
      );
    }
  });

  test("the chart's copy and the Grafana file are generated from the rules file (npm run gen:integrations)", () => {
    assert.equal(
      read("chart/files/ramp-rules.yaml"),
      rulesCopy(source),
      "chart/files/ramp-rules.yaml is stale",
    );
    assert.equal(
      read("deploy/grafana/alerting/ramp-alerts.yaml"),
      grafanaAlerting(source),
      "deploy/grafana/alerting/ramp-alerts.yaml is stale",
    );
    assert.deepEqual(parse(read("chart/files/ramp-rules.yaml")), parse(source));
    const tpl = read("chart/templates/prometheusrule.yaml");
    assert.match(tpl, /\.Files\.Get "files\/ramp-rules\.yaml"/);
    assert.match(tpl, /if \.Values\.prometheusRule\.enabled/);
  });

  test("the Grafana file: the provisioning format's fields only, the same queries, for, labels and annotations", () => {
    const doc = parse(read("deploy/grafana/alerting/ramp-alerts.yaml")) as {
      apiVersion: number;
      groups: Record<string, unknown>[];
    };
    assert.deepEqual(Object.keys(doc).sort(), ["apiVersion", "groups"]);
    assert.equal(doc.apiVersion, 1);
    const groupKeys = ["orgId", "name", "folder", "interval", "rules"];
    const ruleKeys = new Set([
      "uid",
      "title",
      "condition",
      "data",
      "dashboardUid",
      "panelId",
      "noDataState",
      "execErrState",
      "for",
      "keepFiringFor",
      "annotations",
      "labels",
      "isPaused",
      "notification_settings",
    ]);
    const queryKeys = new Set(["refId", "queryType", "relativeTimeRange", "datasourceUid", "model"]);
    assert.equal(doc.groups.length, groups.length);
    for (const [i, g] of doc.groups.entries()) {
      assert.deepEqual(Object.keys(g).sort(), [...groupKeys].sort());
      assert.equal(g.name, groups[i]?.name);
      assert.match(String(g.interval), /^\d+[smh]$/);
      assert.ok(String(g.folder).trim() !== "");
      const gRules = g.rules as Record<string, unknown>[];
      assert.equal(gRules.length, groups[i]?.rules.length);
      for (const [j, r] of gRules.entries()) {
        const src = groups[i]?.rules[j];
        assert.ok(src);
        for (const k of Object.keys(r)) assert.ok(ruleKeys.has(k), `${src.alert}: unknown field ${k}`);
        assert.equal(r.title, src.alert);
        assert.match(String(r.uid), /^[a-zA-Z0-9_-]{1,40}$/, `${src.alert}: uid ${r.uid}`);
        assert.ok(["Alerting", "NoData", "OK", "KeepLast"].includes(String(r.noDataState)));
        assert.equal(r.noDataState, "OK", "no series means nothing fires, as in Prometheus");
        assert.ok(["Alerting", "Error", "OK", "KeepLast"].includes(String(r.execErrState)));
        assert.equal(r.for, src.for ?? "0s");
        assert.deepEqual(r.labels, src.labels ?? {});
        assert.deepEqual(r.annotations, src.annotations);
        // Grafana interpolates environment variables in labels ($x) and braced ones in annotations (${x}).
        assert.ok(!JSON.stringify(r.labels).includes("$"), `${src.alert}: $ in labels`);
        assert.ok(!JSON.stringify(r.annotations).includes("${"), `${src.alert}: \${ in annotations`);
        const data = r.data as Record<string, unknown>[];
        for (const q of data)
          for (const k of Object.keys(q)) assert.ok(queryKeys.has(k), `${src.alert}: ${k}`);
        const refs = data.map((q) => q.refId);
        assert.ok(refs.includes(r.condition), `${src.alert}: condition ${r.condition} is not a query`);
        const [a, c] = data as [
          { datasourceUid: string; model: Record<string, unknown> },
          { model: Record<string, unknown> },
        ];
        assert.equal(a.datasourceUid, GRAFANA_DATASOURCE_UID);
        assert.equal(a.model.expr, src.expr.trim());
        assert.equal(a.model.instant, true);
        assert.equal(c.model.type, "threshold");
        assert.equal(c.model.expression, "A");
        assert.deepEqual(c.model.conditions, [{ evaluator: { type: "gt", params: [0] } }]);
      }
    }
  });
});
