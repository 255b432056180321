// Reads the metric names and label matchers out of PromQL (dashboard panels, alert rules), so tests can
// check them against what the controller exports. A small lexer, not a parser: enough for our queries.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../../dev/yaml.ts";

const WORDS = new Set([
  // aggregations and their modifiers
  ..."sum min max avg group stddev stdvar count count_values bottomk topk quantile by without".split(" "),
  // binary operators and vector matching
  ..."and or unless on ignoring group_left group_right bool offset atan2".split(" "),
  // functions used by ramp's dashboards and rules (any other name makes the test fail loudly)
  ..."rate irate increase delta idelta deriv histogram_quantile absent absent_over_time changes resets".split(
    " ",
  ),
  ..."label_replace label_join vector scalar time timestamp clamp clamp_min clamp_max abs ceil floor round".split(
    " ",
  ),
  ..."sort sort_desc max_over_time min_over_time avg_over_time sum_over_time count_over_time last_over_time".split(
    " ",
  ),
  ..."label_values query_result".split(" "),
]);

export type Selector = { metric: string; labels: string[] };

/** Every metric selector in `expr`: its name and the label names its matchers use. */
export function selectors(expr: string): Selector[] {
  const out: Selector[] = [];
  // Grafana's variables and ranges are not PromQL: [$__rate_interval] and "$namespace" go away with them.
  let rest = expr.replace(/\[[^\]]*\]/g, " ");
  // Clauses that list label names, not metrics.
  rest = rest.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g, " ");
  const token =
    /([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\{([^}]*)\})?|\{([^}]*)\}|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g;
  for (const m of rest.matchAll(token)) {
    const name = m[1];
    if (name === undefined) continue; // a string, or a bare {…} (not used by ramp)
    if (WORDS.has(name) && m[2] === undefined) continue;
    if (/^(Inf|NaN|e\d*)$/i.test(name)) continue;
    const matchers = m[3] ?? "";
    const labels = [...matchers.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)/g)].map((x) => x[1] ?? "");
    out.push({ metric: name, labels });
  }
  return out;
}

export type Dashboard = {
  schemaVersion: number;
  uid: string;
  title: string;
  templating: { list: Record<string, unknown>[] };
  annotations: { list: Record<string, unknown>[] };
  panels: Panel[];
};
export type Panel = {
  id: number;
  type: string;
  title: string;
  datasource?: { type?: string; uid?: string };
  targets?: { refId: string; expr: string; datasource?: { type?: string; uid?: string } }[];
  panels?: Panel[];
};

export const dashboardFile = join(repoRoot, "chart", "dashboards", "ramp.json");

export function readDashboard(): Dashboard {
  return JSON.parse(readFileSync(dashboardFile, "utf8")) as Dashboard;
}

/** Every panel (rows' nested panels too), without the rows themselves. */
export function panelsOf(d: Dashboard): Panel[] {
  return d.panels.flatMap((p) => (p.type === "row" ? (p.panels ?? []) : [p]));
}

/** Every PromQL expression of the dashboard: panel targets, variable queries, annotation queries. */
export function dashboardQueries(d: Dashboard): { where: string; expr: string }[] {
  const out: { where: string; expr: string }[] = [];
  for (const p of panelsOf(d))
    for (const t of p.targets ?? []) out.push({ where: `panel "${p.title}" ${t.refId}`, expr: t.expr });
  for (const v of d.templating.list) {
    const q = v.query as { query?: string } | string | undefined;
    if (v.type !== "query") continue;
    // label_values(SELECTOR, LABEL) asks Prometheus for the series of SELECTOR.
    const text = typeof q === "string" ? q : (q?.query ?? "");
    out.push({ where: `variable ${String(v.name)}`, expr: unwrapLabelValues(text) });
  }
  for (const a of d.annotations.list)
    if (typeof a.expr === "string") out.push({ where: `annotation ${String(a.name)}`, expr: a.expr });
  return out;
}

function unwrapLabelValues(expr: string): string {
  const lv = /^label_values\((.*),\s*([a-zA-Z_]+)\)$/.exec(expr.trim());
  return lv ? (lv[1] ?? "") : expr;
}

/**
 * A dashboard query as Prometheus would get it from Grafana: variables replaced (all clusters, jobs,
 * namespaces and Rollouts unless given), label_values(...) turned into the series query it stands for.
 */
export function asPromQL(
  expr: string,
  vars: { namespace?: string; rollout?: string; cluster?: string; job?: string } = {},
): string {
  return unwrapLabelValues(expr)
    .replaceAll("$__rate_interval", "15s")
    .replaceAll("$__range", "10m")
    .replaceAll("$cluster", vars.cluster ?? ".*")
    .replaceAll("$job", vars.job ?? ".*")
    .replaceAll("$namespace", vars.namespace ?? ".*")
    .replaceAll("$rollout", vars.rollout ?? ".*");
}
