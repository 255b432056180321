// One judgement of a judge metric: its settings with their defaults, every metric judged on its samples,
// the score, and how it is shown: one line per metric in the measurement's message, numbers in its value.
import type { JudgeProvider } from "../../api/index.ts";
import { parseDuration } from "../../api/index.ts";
import { JUDGE_DEFAULTS } from "./defaults.ts";
import { type ScoreResult, type ScoreThresholds, score } from "./score.ts";
import { type Direction, judgeMetric, type MetricJudgement } from "./verdict.ts";

export type JudgedMetricSettings = {
  name: string;
  query: string;
  direction: Direction;
  /** A fraction: 0.1 for "10%". */
  tolerance: number;
  critical: boolean;
  weight: number;
};

export type JudgeSettings = {
  windowMs: number;
  stepMs: number;
  minSamples: number;
  confidence: number;
  thresholds: ScoreThresholds;
  metrics: JudgedMetricSettings[];
};

/** Prometheus refuses a range query of more than 11,000 points per series. */
const MAX_POINTS = 11_000;

/** The settings of `cfg` with every default applied; throws naming the field when they cannot work. */
export function judgeSettings(cfg: JudgeProvider, field: string): JudgeSettings {
  const windowMs = parseDuration(cfg.window ?? JUDGE_DEFAULTS.window, `${field}.window`);
  const stepMs = parseDuration(cfg.step ?? JUDGE_DEFAULTS.step, `${field}.step`);
  const points = Math.floor(windowMs / stepMs);
  if (points < 3 || points > MAX_POINTS)
    throw new Error(
      `${field}: window ${cfg.window ?? JUDGE_DEFAULTS.window} / step ${cfg.step ?? JUDGE_DEFAULTS.step} ` +
        `gives ${points} samples per series; make it between 3 and ${MAX_POINTS} (the defaults give 120)`,
    );
  // Three quarters of the window's samples, as the defaults (90 of 120), unless set.
  const minSamples = cfg.minSamples ?? Math.ceil(points * 0.75);
  if (minSamples > points)
    throw new Error(
      `${field}.minSamples ${minSamples} is more than the ${points} samples window / step can give: ` +
        "lower it, or lengthen the window",
    );
  return {
    windowMs,
    stepMs,
    minSamples,
    confidence: cfg.confidence ?? JUDGE_DEFAULTS.confidence,
    thresholds: cfg.thresholds ?? JUDGE_DEFAULTS.thresholds,
    metrics: cfg.metrics.map((m) => ({
      name: m.name,
      query: m.query,
      direction: m.direction ?? "increase",
      tolerance: m.tolerance ? Number(m.tolerance.slice(0, -1)) / 100 : JUDGE_DEFAULTS.tolerance,
      critical: m.critical === true,
      weight: m.weight ?? 1,
    })),
  };
}

export type Samples = { canary: readonly number[]; baseline: readonly number[] };

export type Judgement = {
  /** What the canary was compared with. */
  against: "stable";
  score: ScoreResult;
  metrics: (MetricJudgement & { name: string; critical: boolean; weight: number })[];
};

/** Judges every metric on its samples (in the settings' order) and scores the lot. */
export function judge(settings: JudgeSettings, samples: readonly Samples[], against: "stable"): Judgement {
  const metrics = settings.metrics.map((m, i) => {
    const s = samples[i] ?? { canary: [], baseline: [] };
    const j = judgeMetric({
      name: m.name,
      against,
      canary: s.canary,
      baseline: s.baseline,
      direction: m.direction,
      tolerance: m.tolerance,
      minSamples: settings.minSamples,
      confidence: settings.confidence,
    });
    return { ...j, name: m.name, critical: m.critical, weight: m.weight };
  });
  return { against, score: score(metrics, settings.thresholds), metrics };
}

const VERDICT_TEXT = { Pass: "PASS", Marginal: "MARGINAL", Fail: "FAIL", NoData: "NO DATA" } as const;

/** The measurement's message: the score's line, then one line per metric (critical ones marked). */
export function judgementText(j: Judgement, thresholds: ScoreThresholds): string {
  const s = j.score;
  const shown = Number.isNaN(s.score) ? "-" : s.score.toFixed(0);
  const head = `judge vs ${j.against}: score ${shown} (pass ${thresholds.pass}, marginal ${thresholds.marginal}) → ${VERDICT_TEXT[s.verdict]}: ${s.reason}`;
  return [head, ...j.metrics.map((m) => `${m.explanation}${m.critical ? " (critical)" : ""}`)].join("\n");
}

/** Rounds to 4 significant digits: enough to read, short enough for many metrics in one value. */
const r4 = (x: number): number | string => (Number.isFinite(x) ? Number(x.toPrecision(4)) : String(x));

/** The measurement's value: the score and each metric's figures, compact (a measurement value is ≤ 4 KiB). */
export function judgementValue(j: Judgement): Record<string, unknown> {
  return {
    score: r4(j.score.score),
    verdict: j.score.verdict,
    against: j.against,
    metrics: j.metrics.map((m) =>
      m.verdict === "NoData"
        ? { name: m.name, verdict: m.verdict, n: [m.samples.canary, m.samples.baseline] }
        : {
            name: m.name,
            verdict: m.verdict,
            canary: r4(m.canaryMedian),
            [j.against]: r4(m.baselineMedian),
            shift: r4(m.shift.relative),
            ci: [r4(m.shift.lower), r4(m.shift.upper)],
            p: Number(m.pValue.toPrecision(3)),
            n: [m.samples.canary, m.samples.baseline],
          },
    ),
  };
}

/** The default initialDelay of a metric: a judge's first judgement waits for a full window, others none. */
export function judgeWindowMs(m: {
  provider: { judge?: { window?: string | undefined } | undefined };
}): number {
  const judgeCfg = m.provider.judge;
  return judgeCfg ? parseDuration(judgeCfg.window ?? JUDGE_DEFAULTS.window, "provider.judge.window") : 0;
}
