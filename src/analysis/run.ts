// Reconciles one AnalysisRun: takes the measurements that are due, judges them, writes status once.
import type { Logger } from "pino";
import {
  AnalysisRun,
  type Measurement,
  type Metric,
  type MetricResult,
  parseDuration,
  type RunPhase,
} from "../api/index.ts";
import { ROLLOUT_LABEL } from "../api/labels.ts";
import { mergePatchDiff } from "../kube/merge-patch.ts";
import {
  assessMeasurement,
  count,
  isDone,
  metricPhase,
  plannedCount,
  runPhase,
  type Value,
} from "./assess.ts";
import type { ConditionEvaluator } from "./conditions.ts";
import { encodeValue, redact } from "./encode.ts";
import { judgeWindowMs } from "./judge/judgement.ts";
import type { AnalysisMetrics } from "./metrics.ts";
import { prepareRun } from "./prepare.ts";
import { type ProviderDeps, providerFor } from "./providers/index.ts";
import type { SecretRef } from "./providers/job-args.ts";
import type { MeasureContext, Outcome } from "./providers/provider.ts";
import type { ResolvedMetric } from "./resolve.ts";

export type RunDeps = {
  run(key: string): unknown;
  patchStatus(namespace: string, name: string, resourceVersion: string, status: object): Promise<void>;
  secret(namespace: string, name: string, key: string): Promise<string>;
  providers: ProviderDeps;
  evaluator: ConditionEvaluator;
  metrics?: AnalysisMetrics | undefined;
  log: Logger;
  now: () => number;
};

const iso = (ms: number) => new Date(ms).toISOString();
const RETAIN = 10;

const fresh = (name: string, dryRun: boolean): MetricResult => ({
  name,
  phase: "Pending",
  count: 0,
  successful: 0,
  failed: 0,
  inconclusive: 0,
  error: 0,
  consecutiveError: 0,
  ...(dryRun ? { dryRun: true } : {}),
  measurements: [],
});

/** Why a metric ended as it did, in words a person reading `kubectl ramp get` understands. */
function explain(m: ResolvedMetric, r: MetricResult): string | undefined {
  const last = r.measurements?.filter((x) => x.phase !== "Running").at(-1);
  const what = last?.message ?? `value ${last?.value ?? "?"}`;
  if (r.phase === "Failed")
    return `metric ${m.name}: ${what} (${r.failed} failed, failureLimit ${m.failureLimit ?? 0})`;
  if (r.phase === "Error") {
    return r.consecutiveError > (m.consecutiveErrorLimit ?? 4)
      ? `metric ${m.name}: ${r.consecutiveError} consecutive errors (consecutiveErrorLimit ${m.consecutiveErrorLimit ?? 4}), last: ${what}`
      : `metric ${m.name}: every measurement was an error, last: ${what}`;
  }
  if (r.phase === "Inconclusive") {
    return r.inconclusive > (m.inconclusiveLimit ?? 0)
      ? `metric ${m.name}: ${what} (${r.inconclusive} inconclusive, inconclusiveLimit ${m.inconclusiveLimit ?? 0})`
      : r.failed > 0
        ? `metric ${m.name}: no measurement succeeded (${r.failed} failed, failureLimit ${m.failureLimit ?? 0}), last: ${what}`
        : `metric ${m.name}: no measurement had data`;
  }
  return undefined;
}

/** The run's counters: the sum over its metrics, dry-run ones left out. */
function summary(results: MetricResult[]) {
  const sum = (k: "count" | "successful" | "failed" | "inconclusive" | "error") =>
    results.reduce((a, r) => a + (r.dryRun ? 0 : r[k]), 0);
  return {
    count: sum("count"),
    successful: sum("successful"),
    failed: sum("failed"),
    inconclusive: sum("inconclusive"),
    error: sum("error"),
  };
}

export class AnalysisRunReconciler {
  readonly #deps: RunDeps;
  constructor(deps: RunDeps) {
    this.#deps = deps;
  }

  async reconcile(key: string): Promise<{ requeueAfterMs?: number } | undefined> {
    const raw = this.#deps.run(key) as
      | { metadata?: { name?: string; namespace?: string; resourceVersion?: string }; status?: object }
      | undefined;
    if (!raw?.metadata?.name) return undefined;
    const parsed = AnalysisRun.safeParse(raw);
    const ns = raw.metadata.namespace ?? "";
    const rv = raw.metadata.resourceVersion ?? "";
    if (!parsed.success) {
      await this.#write(ns, raw.metadata.name, rv, raw.status, {
        phase: "Error",
        message: `invalid AnalysisRun: ${parsed.error.issues[0]?.message}`,
      });
      return undefined;
    }
    const run = parsed.data;
    const status = run.status ?? {};
    if (isDone(status.phase)) {
      this.#deps.metrics?.observe(run);
      return undefined;
    }
    const now = this.#deps.now();
    const startedAt = status.startedAt ?? iso(now);

    const prepared = await prepareRun(run, ns, this.#deps.secret);
    if ("failed" in prepared) {
      await this.#write(ns, run.metadata.name, rv, status, {
        ...prepared.failed,
        startedAt,
        finishedAt: iso(now),
      });
      return undefined;
    }
    const { args, secrets, secretArgs, metrics, dryRun: dry, retain } = prepared;
    const results: MetricResult[] = [];
    const due: number[] = [];
    for (const [index, m] of metrics.entries()) {
      const prev = status.metricResults?.find((r) => r.name === m.name) ?? fresh(m.name, dry.has(m.name));
      if (isDone(prev.phase)) {
        results.push(prev);
        continue;
      }
      const at = { now, startedAt, args, secrets, secretArgs, due, index };
      const result = await this.#advance(run, m, prev, at);
      const limit = retain.get(m.name) ?? RETAIN;
      results.push({ ...result, measurements: (result.measurements ?? []).slice(-limit) });
    }

    const phase = runPhase(
      results.map((r) => ({ phase: r.phase, dryRun: r.dryRun === true })),
      run.spec.terminate === true,
    );
    const decisive = results.find((r) => !r.dryRun && r.phase === phase && phase !== "Successful");
    const decisiveMetric = metrics.find((m) => m.name === decisive?.name);
    const message =
      decisive && decisiveMetric
        ? explain(decisiveMetric, decisive)
        : run.spec.terminate
          ? "terminated"
          : undefined;
    const next = {
      phase,
      ...(message ? { message: redact(message, secrets) } : {}),
      startedAt,
      ...(isDone(phase) ? { finishedAt: iso(now) } : {}),
      metricResults: results,
      runSummary: summary(results),
    };
    await this.#write(ns, run.metadata.name, rv, status, next);
    this.#deps.metrics?.observe({ ...run, status: next });
    if (isDone(phase) || due.length === 0) return undefined;
    return { requeueAfterMs: Math.max(50, Math.min(...due) - now) };
  }

  /** One metric: resume a pending measurement, take one if due, and fold the outcome into its counters. */
  async #advance(
    run: AnalysisRun,
    m: ResolvedMetric,
    prev: MetricResult,
    at: {
      now: number;
      startedAt: string;
      args: Record<string, string>;
      secrets: Set<string>;
      secretArgs: Record<string, SecretRef>;
      due: number[];
      index: number;
    },
  ): Promise<MetricResult> {
    const measurements = [...(prev.measurements ?? [])];
    const last = measurements.at(-1);
    const intervalMs =
      m.interval === undefined ? 0 : parseDuration(m.interval, `metrics[${m.name}].interval`);
    const initialMs =
      m.initialDelay === undefined
        ? judgeWindowMs(m)
        : parseDuration(m.initialDelay, `metrics[${m.name}].initialDelay`);
    if (run.spec.terminate) {
      const phase = metricPhase(m, prev);
      return { ...prev, phase: isDone(phase) ? phase : "Successful" };
    }
    const ctx: MeasureContext = {
      metric: m,
      metricIndex: at.index,
      args: at.args,
      secretArgs: at.secretArgs,
      namespace: run.metadata.namespace ?? "",
      runName: run.metadata.name,
      runUid: run.metadata.uid ?? "",
      runStartedAt: Date.parse(at.startedAt),
      rollout: run.metadata.labels?.[ROLLOUT_LABEL] ?? "",
      index: prev.count + (last?.phase === "Running" ? 0 : 1),
      secret: async (name, key) => {
        const v = await this.#deps.secret(ctx.namespace, name, key);
        at.secrets.add(v);
        return v;
      },
    };
    const provider = providerFor(m, this.#deps.providers);
    let outcome: Outcome | Error;
    let started = at.now;
    if (last?.phase === "Running" && provider.resume) {
      started = Date.parse(last.startedAt ?? iso(at.now));
      measurements.pop();
      outcome = await this.#safely(
        () => provider.resume?.(ctx, last.metadata ?? {}) ?? Promise.reject(new Error("cannot resume")),
      );
    } else {
      const nextAt = last?.finishedAt
        ? Date.parse(last.finishedAt) + intervalMs
        : Date.parse(at.startedAt) + initialMs;
      if (prev.count >= plannedCount(m)) return prev;
      if (at.now < nextAt) {
        at.due.push(nextAt);
        return prev;
      }
      outcome = await this.#safely(() => provider.measure(ctx));
    }
    // Finished when the answer came, not when this pass began: the next interval counts from it (as Argo).
    const finished = this.#deps.now();
    const measurement = await this.#judge(m, outcome, started, finished, at.secrets);
    measurements.push(measurement);
    if (measurement.phase === "Running") {
      at.due.push(finished + 1000);
      return { ...prev, phase: "Running", measurements };
    }
    const ignored = measurement.metadata?.noData === "ignored";
    const counters = count(prev, measurement.phase, ignored);
    const phase = metricPhase(m, counters);
    if (!isDone(phase)) at.due.push(finished + intervalMs);
    return { ...prev, ...counters, phase, measurements };
  }

  async #safely(fn: () => Promise<Outcome>): Promise<Outcome | Error> {
    try {
      return await fn();
    } catch (err) {
      return err instanceof Error ? err : new Error(String(err));
    }
  }

  async #judge(
    m: Metric,
    outcome: Outcome | Error,
    started: number,
    now: number,
    secrets: Set<string>,
  ): Promise<Measurement> {
    const times = { startedAt: new Date(started).toISOString(), finishedAt: new Date(now).toISOString() };
    if (outcome instanceof Error)
      return { phase: "Error", message: redact(outcome.message, secrets), ...times };
    if (outcome.kind === "pending")
      return { phase: "Running", startedAt: times.startedAt, metadata: outcome.metadata };
    if (outcome.kind === "phase") {
      return {
        phase: outcome.phase,
        ...(outcome.value !== undefined ? { value: outcome.value } : {}),
        message: redact(outcome.message, secrets),
        ...times,
        ...(outcome.metadata ? { metadata: outcome.metadata } : {}),
      };
    }
    const value: Value = outcome.value;
    try {
      const verdict = await assessMeasurement(m, value, (expr, v) => this.#deps.evaluator.evaluate(expr, v));
      const ignored = verdict.noData && m.noData === "ignore";
      return {
        phase: verdict.phase,
        value: encodeValue(value),
        ...(verdict.message ? { message: redact(verdict.message, secrets) } : {}),
        ...times,
        ...(ignored ? { metadata: { noData: "ignored" } } : {}),
      };
    } catch (err) {
      return {
        phase: "Error",
        value: encodeValue(value),
        message: redact((err as Error).message, secrets),
        ...times,
      };
    }
  }

  async #write(
    namespace: string,
    name: string,
    rv: string,
    before: object | undefined,
    after: Record<string, unknown>,
  ): Promise<void> {
    const patch = mergePatchDiff(before as Record<string, unknown> | undefined, after);
    if (Object.keys(patch).length > 0) await this.#deps.patchStatus(namespace, name, rv, patch);
  }
}

export type { RunPhase };
