// ramp's alerts ship three ways from one Prometheus rules file: as it is, as the chart's copy, and as a
// Grafana unified-alerting provisioning file (apiVersion 1) with the same queries, `for`, labels and
// annotations. Used by scripts/gen-integrations.ts and by the tests that keep the three in step.
import { parse, stringify } from "yaml";

export const RULES_FILE = "deploy/prometheus/ramp-rules.yaml";

/** The data source the Grafana rules query: kube-prometheus-stack provisions its Prometheus with this uid. */
export const GRAFANA_DATASOURCE_UID = "prometheus";
export const GRAFANA_FOLDER = "ramp";

export type PromRule = {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations: Record<string, string>;
};
export type PromGroup = { name: string; interval?: string; rules: PromRule[] };

export function parseRules(text: string): PromGroup[] {
  const doc = parse(text) as { groups?: PromGroup[] };
  if (!Array.isArray(doc?.groups)) throw new Error(`${RULES_FILE}: no groups`);
  return doc.groups;
}

/** The chart's copy: the same rules, headed by a note saying where they come from. */
export function rulesCopy(source: string): string {
  return `# Generated from ${RULES_FILE} by \`npm run gen:integrations\`: edit that file, not this one.\n${source}`;
}

/** "RampRolloutAborted" → "ramp-rollout-aborted" (Grafana uids: at most 40 of [a-zA-Z0-9_-]). */
export const grafanaUid = (alert: string): string =>
  alert.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();

/**
 * Grafana's form of each rule: query A is the PromQL expression (instant), condition C fires for every
 * series A returns with a value above 0, which every ramp alert expression does while it fires. No data
 * means nothing fires (OK), as in Prometheus; a query error is an Error state.
 */
export function grafanaAlerting(source: string): string {
  const groups = parseRules(source).map((g) => ({
    orgId: 1,
    name: g.name,
    folder: GRAFANA_FOLDER,
    interval: g.interval ?? "1m",
    rules: g.rules.map((r) => ({
      uid: grafanaUid(r.alert),
      title: r.alert,
      condition: "C",
      data: [
        {
          refId: "A",
          relativeTimeRange: { from: 900, to: 0 },
          datasourceUid: GRAFANA_DATASOURCE_UID,
          model: {
            refId: "A",
            datasource: { type: "prometheus", uid: GRAFANA_DATASOURCE_UID },
            expr: r.expr.trim(),
            instant: true,
            range: false,
            intervalMs: 60000,
            maxDataPoints: 43200,
          },
        },
        {
          refId: "C",
          datasourceUid: "__expr__",
          model: {
            refId: "C",
            datasource: { type: "__expr__", uid: "__expr__" },
            type: "threshold",
            expression: "A",
            conditions: [{ evaluator: { type: "gt", params: [0] } }],
          },
        },
      ],
      noDataState: "OK",
      execErrState: "Error",
      for: r.for ?? "0s",
      labels: r.labels ?? {},
      annotations: r.annotations,
      isPaused: false,
    })),
  }));
  const header = [
    `# Generated from ${RULES_FILE} by \`npm run gen:integrations\`: edit that file, not this one.`,
    "# Grafana unified alerting provisioning: put it under provisioning/alerting/ (or mount it there from a",
    `# ConfigMap). The rules query the Prometheus data source with uid "${GRAFANA_DATASOURCE_UID}" (the uid`,
    "# kube-prometheus-stack gives it); change datasourceUid if yours differs. They land in the folder",
    `# "${GRAFANA_FOLDER}". Annotations are not interpolated by Grafana's provisioning, so {{ $labels.x }} stays.`,
  ].join("\n");
  return `${header}\n${stringify({ apiVersion: 1, groups }, { lineWidth: 0 })}`;
}
