// The analysis series Grafana alerts fire on; removed with their AnalysisRuns so cardinality stays bounded.
import { Counter, Gauge, type Registry } from "prom-client";
import { type AnalysisRun, RUN_PHASES } from "../api/index.ts";
import { ROLLOUT_LABEL } from "../api/labels.ts";
import { thresholdOf } from "../observability/thresholds.ts";

type Labels = "namespace" | "rollout" | "analysisrun" | "metric";

export class AnalysisMetrics {
  readonly value: Gauge<Labels>;
  readonly phase: Gauge<Labels | "phase">;
  readonly measurements: Counter<Labels | "phase">;
  readonly threshold: Gauge<Labels | "condition">;
  /** A judge's last judgement, per judged metric: the canary's relative shift and its interval. */
  readonly judgeShift: Gauge<Labels | "judged" | "bound">;
  readonly judgePValue: Gauge<Labels | "judged">;
  /** How many measurements of each run/metric/phase were already counted (status is the source of truth). */
  readonly #counted = new Map<string, number>();
  /** The metric names seen per run (and judged metric names per judge), so forget() can name every series. */
  readonly #series = new Map<
    string,
    { rollout: string; metrics: Set<string>; judged: Map<string, Set<string>> }
  >();

  constructor(registry: Registry) {
    const labelNames = ["namespace", "rollout", "analysisrun", "metric"] as const;
    this.value = new Gauge({
      name: "ramp_analysis_metric_value",
      help: "Last measured value of an analysis metric (first element of a vector; NaN when it had no data).",
      labelNames,
      registers: [registry],
    });
    this.phase = new Gauge({
      name: "ramp_analysis_metric_phase",
      help: "1 for the current phase of an analysis metric, 0 for the others.",
      labelNames: [...labelNames, "phase"],
      registers: [registry],
    });
    this.measurements = new Counter({
      name: "ramp_analysis_measurements_total",
      help: "Measurements taken, by the phase they were judged.",
      labelNames: [...labelNames, "phase"],
      registers: [registry],
    });
    this.threshold = new Gauge({
      name: "ramp_analysis_metric_threshold",
      help: "The number a metric's success or failure condition compares the value with (plain comparisons only).",
      labelNames: [...labelNames, "condition"],
      registers: [registry],
    });
    this.judgeShift = new Gauge({
      name: "ramp_analysis_judge_shift_ratio",
      help: "A judge's last shift of the canary against the compared version, relative to its median (0.18 = +18%): bound estimate, lower or upper (the confidence interval).",
      labelNames: [...labelNames, "judged", "bound"],
      registers: [registry],
    });
    this.judgePValue = new Gauge({
      name: "ramp_analysis_judge_p_value",
      help: "A judge's last Mann-Whitney p-value per judged metric, for the change in the bad direction.",
      labelNames: [...labelNames, "judged"],
      registers: [registry],
    });
  }

  /** Brings the series of a run up to its status. */
  observe(run: AnalysisRun): void {
    const base = {
      namespace: run.metadata.namespace ?? "",
      rollout: run.metadata.labels?.[ROLLOUT_LABEL] ?? "",
      analysisrun: run.metadata.name,
    };
    const seen = this.#series.get(`${base.namespace}/${base.analysisrun}`) ?? {
      rollout: base.rollout,
      metrics: new Set<string>(),
      judged: new Map<string, Set<string>>(),
    };
    this.#series.set(`${base.namespace}/${base.analysisrun}`, seen);
    for (const m of run.spec.metrics) {
      const conditions = { success: m.successCondition, failure: m.failureCondition };
      for (const [condition, expr] of Object.entries(conditions)) {
        const t = thresholdOf(expr);
        if (t === undefined) continue;
        seen.metrics.add(m.name);
        this.threshold.set({ ...base, metric: m.name, condition }, t);
      }
    }
    for (const r of run.status?.metricResults ?? []) {
      seen.metrics.add(r.name);
      const labels = { ...base, metric: r.name };
      for (const p of RUN_PHASES) this.phase.set({ ...labels, phase: p }, r.phase === p ? 1 : 0);
      const last = r.measurements?.filter((m) => m.value !== undefined).at(-1);
      if (last?.value !== undefined) {
        // Parsed once: every status write of a run observes it again.
        const decoded = decode(last.value);
        this.value.set(labels, firstNumber(decoded));
        this.#observeJudgement(labels, decoded, seen.judged);
      }
      const byPhase = new Map<string, number>([
        ["Successful", r.successful],
        ["Failed", r.failed],
        ["Inconclusive", r.inconclusive],
        ["Error", r.error],
      ]);
      for (const [p, n] of byPhase) {
        const key = `${base.namespace}/${base.analysisrun}/${r.name}/${p}`;
        const before = this.#counted.get(key) ?? 0;
        if (n > before) this.measurements.inc({ ...labels, phase: p }, n - before);
        this.#counted.set(key, Math.max(n, before));
      }
    }
  }

  /** The shift, interval and p-value of each judged metric, when the value is a judge's (judgement.ts). */
  #observeJudgement(labels: Record<Labels, string>, v: unknown, judged: Map<string, Set<string>>): void {
    const metrics = judgeFigures(v);
    if (!metrics) return;
    const names = judged.get(labels.metric) ?? new Set<string>();
    judged.set(labels.metric, names);
    for (const m of metrics) {
      names.add(m.name);
      const at = { ...labels, judged: m.name };
      this.judgeShift.set({ ...at, bound: "estimate" }, m.shift);
      this.judgeShift.set({ ...at, bound: "lower" }, m.lower);
      this.judgeShift.set({ ...at, bound: "upper" }, m.upper);
      this.judgePValue.set(at, m.p);
    }
  }

  /** Removes every series of a deleted run. */
  forget(namespace: string, analysisrun: string): void {
    const series = this.#series.get(`${namespace}/${analysisrun}`);
    this.#series.delete(`${namespace}/${analysisrun}`);
    for (const metric of series?.metrics ?? []) {
      const labels = { namespace, analysisrun, rollout: series?.rollout ?? "", metric };
      this.value.remove(labels);
      for (const condition of ["success", "failure"]) this.threshold.remove({ ...labels, condition });
      for (const p of RUN_PHASES) {
        this.phase.remove({ ...labels, phase: p });
        this.measurements.remove({ ...labels, phase: p });
      }
      for (const judged of series?.judged.get(metric) ?? []) {
        for (const bound of ["estimate", "lower", "upper"])
          this.judgeShift.remove({ ...labels, judged, bound });
        this.judgePValue.remove({ ...labels, judged });
      }
    }
    for (const key of this.#counted.keys())
      if (key.startsWith(`${namespace}/${analysisrun}/`)) this.#counted.delete(key);
  }
}

type JudgeFigures = { name: string; shift: number; lower: number; upper: number; p: number };

/** A judge's value (judgement.ts): each measured metric's figures; NaN for one that had no data. */
function judgeFigures(v: unknown): JudgeFigures[] | undefined {
  if (!v || typeof v !== "object" || !("against" in v) || !("metrics" in v) || !Array.isArray(v.metrics))
    return undefined;
  const num = (x: unknown) =>
    typeof x === "number" ? x : x === "Infinity" ? Infinity : x === "-Infinity" ? -Infinity : Number.NaN;
  return (v.metrics as { name?: unknown; shift?: unknown; ci?: unknown; p?: unknown }[]).map((m) => {
    const ci = Array.isArray(m.ci) ? m.ci : [];
    return { name: String(m.name), shift: num(m.shift), lower: num(ci[0]), upper: num(ci[1]), p: num(m.p) };
  });
}

/** A measurement's value as JSON; undefined when it is not JSON (then neither figure is exported). */
function decode(encoded: string): unknown {
  try {
    return JSON.parse(encoded);
  } catch {
    return undefined;
  }
}

function firstNumber(v: unknown): number {
  // A judge's value is an object: its score is the number to plot.
  if (v && typeof v === "object" && "score" in v && typeof v.score === "number") return v.score;
  const first = Array.isArray(v) ? v[0] : v;
  if (typeof first === "number") return first;
  if (first === "+Inf") return Number.POSITIVE_INFINITY;
  if (first === "-Inf") return Number.NEGATIVE_INFINITY;
  if (typeof first === "boolean") return first ? 1 : 0;
  return Number.NaN;
}
