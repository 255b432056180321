// Judging measurements: one value against its conditions, a metric against its limits, a run from its metrics.
// Missing data never counts as success: that is ramp's answer to analysis that promotes on nothing.
import type { Metric, MetricResult, RunPhase } from "../api/index.ts";
import type { ResolvedMetric } from "./resolve.ts";

/** What a provider measured: a number, a list of numbers (a vector), or JSON (web). */
export type Value = number | number[] | unknown;

export type Verdict = { phase: RunPhase; message?: string; noData?: boolean };

/** No data: null/undefined, an empty vector, or NaN (alone or in every element). ±Inf is data. */
export function isNoData(value: Value): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value === "number") return Number.isNaN(value);
  if (Array.isArray(value))
    return value.length === 0 || value.every((v) => typeof v === "number" && Number.isNaN(v));
  return false;
}

export type ConditionEval = (expression: string, value: Value) => Promise<boolean>;

/** The phase of one measurement: the no-data policy first, then failureCondition, then successCondition. */
export async function assessMeasurement(
  metric: Metric,
  value: Value,
  evaluate: ConditionEval,
): Promise<Verdict> {
  if (isNoData(value)) {
    const policy = metric.noData ?? "inconclusive";
    const message = `no data (${describeValue(value)}): noData policy ${policy}`;
    if (policy === "fail") return { phase: "Failed", message, noData: true };
    return { phase: "Inconclusive", message, noData: true };
  }
  const failed = metric.failureCondition ? await evaluate(metric.failureCondition, value) : false;
  if (failed)
    return {
      phase: "Failed",
      message: `value ${describeValue(value)} met failureCondition "${metric.failureCondition}"`,
    };
  if (metric.successCondition) {
    const ok = await evaluate(metric.successCondition, value);
    if (ok) return { phase: "Successful" };
    // With both conditions, neither being true is undecided; with only a success condition, it failed.
    return metric.failureCondition
      ? { phase: "Inconclusive", message: `value ${describeValue(value)} met neither condition` }
      : {
          phase: "Failed",
          message: `value ${describeValue(value)} did not meet successCondition "${metric.successCondition}"`,
        };
  }
  return { phase: "Successful" };
}

export function describeValue(value: Value): string {
  if (Array.isArray(value))
    return value.length === 1 ? describeValue(value[0]) : `[${value.map(describeValue).join(", ")}]`;
  if (typeof value === "number") return Number.isNaN(value) ? "NaN" : String(Math.round(value * 1e6) / 1e6);
  if (value === undefined) return "nothing";
  return JSON.stringify(value) ?? String(value);
}

type Counters = Pick<
  MetricResult,
  "count" | "successful" | "failed" | "inconclusive" | "error" | "consecutiveError"
>;

/** Counters after one more measurement; an ignored no-data measurement counts towards `count` only. */
export function count(prev: Counters, phase: RunPhase, ignored: boolean): Counters {
  const next = { ...prev, count: prev.count + 1 };
  if (ignored) return next;
  if (phase === "Successful") next.successful++;
  if (phase === "Failed") next.failed++;
  if (phase === "Inconclusive") next.inconclusive++;
  if (phase === "Error") next.error++;
  next.consecutiveError = phase === "Error" ? prev.consecutiveError + 1 : 0;
  return next;
}

/** How many measurements a metric takes: `count`, else 1 without an interval, else unbounded. */
export const plannedCount = (m: ResolvedMetric): number =>
  m.count ?? (m.interval === undefined ? 1 : Number.POSITIVE_INFINITY);

/** A metric's phase from its counters and limits (Argo's semantics: a limit is how many are tolerated). */
export function metricPhase(m: ResolvedMetric, c: Counters): RunPhase {
  if (c.failed > (m.failureLimit ?? 0)) return "Failed";
  if (c.consecutiveError > (m.consecutiveErrorLimit ?? 4)) return "Error";
  if (c.inconclusive > (m.inconclusiveLimit ?? 0)) return "Inconclusive";
  if (c.count >= plannedCount(m)) {
    // Finished without a single successful measurement: never a success (failures within failureLimit,
    // noData: fail among them, are not one). Errors only → Error; otherwise Inconclusive, for a person.
    if (c.successful === 0) return c.error > 0 && c.failed === 0 ? "Error" : "Inconclusive";
    return "Successful";
  }
  return c.count === 0 ? "Pending" : "Running";
}

const DONE: RunPhase[] = ["Successful", "Failed", "Error", "Inconclusive"];
export const isDone = (p: RunPhase | undefined): boolean => p !== undefined && DONE.includes(p);

/**
 * The run's phase from its metrics' phases. Dry-run metrics never change it. Failed or Error ends the run
 * at once; otherwise it ends when every metric has, or when terminated.
 */
export function runPhase(metrics: { phase: RunPhase; dryRun: boolean }[], terminated: boolean): RunPhase {
  const real = metrics.filter((m) => !m.dryRun);
  if (real.some((m) => m.phase === "Failed")) return "Failed";
  if (real.some((m) => m.phase === "Error")) return "Error";
  if (real.every((m) => isDone(m.phase)) || terminated) {
    return real.some((m) => m.phase === "Inconclusive") ? "Inconclusive" : "Successful";
  }
  return real.some((m) => m.phase !== "Pending") ? "Running" : "Pending";
}
