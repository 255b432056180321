// The analysis half of `kubectl ramp plan NAME`: each Prometheus query the current step would run, asked of
// the live Prometheus now, with today's value and whether its conditions would pass. Web and job metrics
// are not run: a dry run must not act (a job runs a pod, a web call may change something).

import { assessMeasurement, describeValue } from "../../analysis/assess.ts";
import { ConditionEvaluator } from "../../analysis/conditions.ts";
import { prometheusProvider } from "../../analysis/providers/prometheus.ts";
import type { AnalysisRun, Metric } from "../../api/index.ts";

export type DryRun = {
  run: string;
  metric: string;
  /** The query as written in the template (args not substituted: one may be a Secret's value). */
  query: string | undefined;
  value: string | undefined;
  verdict: "Successful" | "Failed" | "Inconclusive" | "Error" | "NotRun";
  message: string;
};

export type DryRunDeps = {
  /** A Secret key in the Rollout's namespace, read with the user's own rights. */
  secret(name: string, key: string): Promise<string>;
  /** Ask this Prometheus instead of the template's address (one in-cluster name a laptop cannot reach). */
  prometheusUrl?: string | undefined;
};

/** Resolves a run's args as the controller does at its start: literal values and Secret keys. */
async function argsOf(run: AnalysisRun, deps: DryRunDeps): Promise<Record<string, string>> {
  const args: Record<string, string> = {};
  for (const a of run.spec.args ?? []) {
    if (a.value !== undefined) args[a.name] = a.value;
    else if (a.valueFrom?.secretKeyRef)
      args[a.name] = await deps.secret(a.valueFrom.secretKeyRef.name, a.valueFrom.secretKeyRef.key);
  }
  return args;
}

const withAddress = (m: Metric, url: string | undefined): Metric =>
  url && m.provider.prometheus
    ? { ...m, provider: { ...m.provider, prometheus: { ...m.provider.prometheus, address: url } } }
    : m;

export async function dryRunAnalysis(runs: AnalysisRun[], deps: DryRunDeps): Promise<DryRun[]> {
  const evaluator = new ConditionEvaluator({ timeoutMs: 1000 });
  const out: DryRun[] = [];
  try {
    for (const run of runs) {
      const args = await argsOf(run, deps);
      for (const [i, m] of run.spec.metrics.entries())
        out.push(await dryRunMetric(run, withAddress(m, deps.prometheusUrl), i, args, evaluator, deps));
    }
  } finally {
    await evaluator.close();
  }
  return out;
}

async function dryRunMetric(
  run: AnalysisRun,
  metric: Metric,
  index: number,
  args: Record<string, string>,
  evaluator: ConditionEvaluator,
  deps: DryRunDeps,
): Promise<DryRun> {
  const base = { run: run.metadata.name, metric: metric.name, query: metric.provider.prometheus?.query };
  if (!metric.provider.prometheus)
    return {
      ...base,
      value: undefined,
      verdict: "NotRun",
      message: "only Prometheus queries are dry-run: a web or job metric may act",
    };
  try {
    const outcome = await prometheusProvider().measure({
      metric,
      metricIndex: index,
      args,
      namespace: run.metadata.namespace ?? "",
      runName: run.metadata.name,
      runUid: "",
      index: 0,
      secret: deps.secret,
    });
    if (outcome.kind !== "value")
      return { ...base, value: undefined, verdict: "Error", message: "Prometheus gave no value" };
    const verdict = await assessMeasurement(metric, outcome.value, (e, v) => evaluator.evaluate(e, v));
    const conditions = [
      metric.successCondition && `success: ${metric.successCondition}`,
      metric.failureCondition && `failure: ${metric.failureCondition}`,
    ]
      .filter(Boolean)
      .join("; ");
    return {
      ...base,
      value: describeValue(outcome.value),
      verdict:
        verdict.phase === "Successful"
          ? "Successful"
          : verdict.phase === "Failed"
            ? "Failed"
            : "Inconclusive",
      message: verdict.message ?? `met ${conditions || "no condition"}`,
    };
  } catch (err) {
    return {
      ...base,
      value: undefined,
      verdict: "Error",
      message: err instanceof Error ? err.message : String(err),
    };
  }
}

/** One line per metric: `run/metric: value 0.01 → Successful (met success: result[0] < 0.05)`. */
export const renderDryRuns = (rows: DryRun[]): string[] =>
  rows.length === 0
    ? []
    : [
        "",
        "Analysis now (a dry run of each query against the live Prometheus):",
        ...rows.map(
          (r) =>
            `  ${r.run} ${r.metric}: ${r.value === undefined ? "" : `value ${r.value} → `}${r.verdict} (${r.message})`,
        ),
      ];
