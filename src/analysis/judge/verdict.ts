// One metric's judgement: canary against baseline, as a shift relative to the baseline's median.
// A metric fails only when the change in the bad direction is significant AND its whole interval lies
// beyond the tolerance: "a 10% change is acceptable" is the null hypothesis, so a version whose true
// change is within the tolerance fails at most (1 − confidence)/2 of the time (docs/adr/0013).
import { hodgesLehmann } from "./hodges-lehmann.ts";
import { type Alternative, mannWhitney } from "./mann-whitney.ts";

/** Which change is bad: "increase" for latency or errors, "decrease" for throughput, "either" for both. */
export type Direction = "increase" | "decrease" | "either";

export type MetricSamples = {
  /** Names the metric in the explanation. */
  name?: string;
  /** What the canary is compared with, in the explanation: "baseline" (the default) or "stable". */
  against?: string;
  canary: readonly number[];
  baseline: readonly number[];
  direction: Direction;
  /** Acceptable relative change in the bad direction: 0.10 lets the canary be 10% worse. */
  tolerance: number;
  /** Fewer finite samples than this on either side is NoData. */
  minSamples: number;
  /** Two-sided level of the interval; 1 − confidence is the test's significance level. */
  confidence: number;
};

export type Counts = { canary: number; baseline: number; dropped: number };

export type MetricJudgement =
  | { verdict: "NoData"; samples: Counts; explanation: string }
  | {
      verdict: "Pass" | "Fail";
      samples: Counts;
      canaryMedian: number;
      baselineMedian: number;
      /** Hodges-Lehmann shift and its interval, each divided by |baseline median|. */
      shift: { relative: number; lower: number; upper: number };
      /** Mann-Whitney p-value for the bad direction ("either": two-sided). */
      pValue: number;
      explanation: string;
    };

const ALTERNATIVE: Record<Direction, Alternative> = {
  increase: "greater",
  decrease: "less",
  either: "two-sided",
};

/** Judges one metric: NoData below minSamples, else Fail or Pass by the rule above. */
export function judgeMetric(input: MetricSamples): MetricJudgement {
  validate(input);
  const name = input.name ?? "metric";
  const canary = input.canary.filter(Number.isFinite);
  const baseline = input.baseline.filter(Number.isFinite);
  const samples: Counts = {
    canary: canary.length,
    baseline: baseline.length,
    dropped: input.canary.length + input.baseline.length - canary.length - baseline.length,
  };
  if (canary.length < input.minSamples || baseline.length < input.minSamples) {
    const dropped = samples.dropped > 0 ? ` (${samples.dropped} non-finite dropped)` : "";
    const explanation = `${name}: ${canary.length} canary and ${baseline.length} ${input.against ?? "baseline"} samples${dropped}, need ${input.minSamples} on each side → NO DATA`;
    return { verdict: "NoData", samples, explanation };
  }
  const test = mannWhitney(canary, baseline, ALTERNATIVE[input.direction]);
  const hl = hodgesLehmann(canary, baseline, input.confidence);
  const baselineMedian = median(baseline);
  const shift = {
    relative: relative(hl.shift, baselineMedian),
    lower: relative(hl.lower, baselineMedian),
    upper: relative(hl.upper, baselineMedian),
  };
  const significant = test.pValue < 1 - input.confidence;
  const tooHigh = input.direction !== "decrease" && shift.lower > input.tolerance;
  const tooLow = input.direction !== "increase" && shift.upper < -input.tolerance;
  const verdict = significant && (tooHigh || tooLow) ? "Fail" : "Pass";
  const explanation =
    `${name}: canary ${percent(shift.relative)} (CI ${percent(shift.lower)}…${percent(shift.upper)}) vs ${input.against ?? "baseline"}, ` +
    `${pText(test.pValue)}, tolerance ${percent(input.tolerance, false)} → ${verdict.toUpperCase()}`;
  return {
    verdict,
    samples,
    canaryMedian: median(canary),
    baselineMedian,
    shift,
    pValue: test.pValue,
    explanation,
  };
}

function validate(input: MetricSamples): void {
  if (!(Number.isFinite(input.tolerance) && input.tolerance >= 0))
    throw new RangeError(`judgeMetric: tolerance must be a finite number ≥ 0, got ${input.tolerance}`);
  if (!(Number.isInteger(input.minSamples) && input.minSamples >= 1))
    throw new RangeError(`judgeMetric: minSamples must be an integer ≥ 1, got ${input.minSamples}`);
  if (!(input.confidence > 0 && input.confidence < 1))
    throw new RangeError(`judgeMetric: confidence must be in (0, 1), got ${input.confidence}`);
}

/** A difference relative to the baseline median's size; against a zero median any change is infinite. */
export function relative(difference: number, baselineMedian: number): number {
  if (difference === 0) return 0;
  return difference / Math.abs(baselineMedian);
}

export function median(values: readonly number[]): number {
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? Number.NaN)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** +18%, -3.5%, +inf%: whole percent from 10% up, one decimal below, so small shifts do not read as 0. */
export function percent(fraction: number, signed = true): string {
  const sign = signed && fraction > 0 ? "+" : "";
  if (!Number.isFinite(fraction)) return `${fraction > 0 ? sign : "-"}inf%`;
  const value = fraction * 100;
  const digits = Math.abs(value) >= 10 || Number.isInteger(value) ? 0 : 1;
  return `${sign}${value.toFixed(digits)}%`;
}

function pText(p: number): string {
  return p < 0.001 ? "p<0.001" : `p=${Number(p.toPrecision(2))}`;
}
