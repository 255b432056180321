// npm run bench:judge: how often the judge fails identical versions and how often it catches regressions,
// by simulation on latency-like samples with a fixed seed (same output on every run), plus what it costs.
// Options: --judgements N (per row, default 2000), --samples N, --confidence C, --tolerance T (defaults from
// src/analysis/judge/defaults.ts), --sweep (false-positive rate and +20% power over samples × confidence).
import { parseArgs } from "node:util";
import { JUDGE_DEFAULTS } from "../../src/analysis/judge/defaults.ts";
import { score } from "../../src/analysis/judge/score.ts";
import { judgeMetric } from "../../src/analysis/judge/verdict.ts";

/** xoshiro128** seeded through splitmix32: small, fast, and the same stream on every platform. */
export class Random {
  private s = new Uint32Array(4);
  private spare: number | undefined;

  constructor(seed: number) {
    let x = seed >>> 0;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
  }

  /** Uniform in (0, 1): never 0, so logarithms and Pareto draws stay finite. */
  next(): number {
    const s = this.s;
    const [s0 = 0, s1 = 0, s2 = 0, s3 = 0] = s;
    const result = Math.imul(rotl(Math.imul(s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (s1 << 9) >>> 0;
    s[2] = s2 ^ s0;
    s[3] = s3 ^ s1;
    s[1] = s1 ^ (s[2] ?? 0);
    s[0] = s0 ^ (s[3] ?? 0);
    s[2] = (s[2] ?? 0) ^ t;
    s[3] = rotl(s[3] ?? 0, 11);
    return (result + 0.5) / 2 ** 32;
  }

  /** Standard normal by the polar method (Marsaglia), keeping the second value of each pair. */
  normal(): number {
    if (this.spare !== undefined) {
      const v = this.spare;
      this.spare = undefined;
      return v;
    }
    for (;;) {
      const u = 2 * this.next() - 1;
      const v = 2 * this.next() - 1;
      const r = u * u + v * v;
      if (r >= 1 || r === 0) continue;
      const f = Math.sqrt((-2 * Math.log(r)) / r);
      this.spare = v * f;
      return u * f;
    }
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** A latency-like metric: log-normal noise around a median, and a Pareto tail on a share of samples. */
export type MetricModel = {
  name: string;
  medianMs: number;
  sigma: number;
  tailShare: number;
  tailAlpha: number;
};

/** One sample every step is, say, a p99 over 10 s: noisy (σ 0.25 in log space) with 3% spikes of Pareto(1.5). */
export const P99: MetricModel = {
  name: "latency p99",
  medianMs: 250,
  sigma: 0.25,
  tailShare: 0.03,
  tailAlpha: 1.5,
};
export const P50: MetricModel = {
  name: "latency p50",
  medianMs: 40,
  sigma: 0.12,
  tailShare: 0.01,
  tailAlpha: 2,
};

/**
 * The load both versions see at each step: a slow wave over the window plus AR(1) drift (±15% and ~10%),
 * the same for canary and baseline, as both serve the same traffic over the same window.
 */
export function load(rng: Random, steps: number): number[] {
  const phase = 2 * Math.PI * rng.next();
  const out: number[] = [];
  let drift = 0;
  for (let t = 0; t < steps; t++) {
    drift = 0.8 * drift + 0.06 * rng.normal();
    out.push(Math.exp(0.15 * Math.sin(phase + (2 * Math.PI * t) / steps) + drift));
  }
  return out;
}

/** Samples of `model` under `loads`, every one multiplied by `factor` (1.2 = a +20% regression). */
export function draw(rng: Random, model: MetricModel, loads: readonly number[], factor: number): number[] {
  return loads.map((l) => {
    const spike = rng.next() < model.tailShare ? rng.next() ** (-1 / model.tailAlpha) : 1;
    return model.medianMs * l * factor * Math.exp(model.sigma * rng.normal()) * spike;
  });
}

export type Settings = { samples: number; confidence: number; tolerance: number; minSamples: number };

function judge(rng: Random, model: MetricModel, loads: readonly number[], factor: number, s: Settings) {
  return judgeMetric({
    name: model.name,
    canary: draw(rng, model, loads, factor),
    baseline: draw(rng, model, loads, 1),
    direction: "increase",
    tolerance: s.tolerance,
    minSamples: s.minSamples,
    confidence: s.confidence,
  });
}

/**
 * Share of `n` judgements that fail: the p99 alone, p99 + p50 (both regressed) through `score`, and, for
 * comparison only, the p99 under the rule the judge rejected: significant and the estimate past tolerance.
 */
export function failRates(seed: number, n: number, factor: number, s: Settings, combine = true) {
  const rng = new Random(seed);
  let single = 0;
  let combined = 0;
  let estimateRule = 0;
  for (let i = 0; i < n; i++) {
    const loads = load(rng, s.samples);
    const p99 = judge(rng, P99, loads, factor, s);
    if (p99.verdict === "Fail") single++;
    if (p99.verdict !== "NoData" && p99.pValue < 1 - s.confidence && p99.shift.relative > s.tolerance)
      estimateRule++;
    if (!combine) continue;
    const p50 = judge(rng, P50, loads, factor, s);
    const metrics = [p99, p50].map((m) => ({ verdict: m.verdict, weight: 1, critical: false }));
    if (score(metrics, JUDGE_DEFAULTS.thresholds).verdict === "Fail") combined++;
  }
  return { single: single / n, combined: combined / n, estimateRule: estimateRule / n };
}

const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;
const row = (cells: string[], widths: number[]): string =>
  cells.map((c, i) => (i === 0 ? c.padEnd(widths[0] ?? 0) : c.padStart(widths[i] ?? 0))).join("");

function mainTable(n: number, s: Settings): string[] {
  const rows = [
    { label: "identical (false positives)", factor: 1 },
    { label: `+${100 * s.tolerance}% (at the tolerance)`, factor: 1 + s.tolerance },
    { label: "+10% regression", factor: 1.1 },
    { label: "+20% regression", factor: 1.2 },
    { label: "+50% regression", factor: 1.5 },
    { label: "-20% (faster canary)", factor: 0.8 },
  ];
  const widths = [30, 17, 22];
  const lines = [row(["canary vs baseline", "p99 alone: Fail", "p99+p50 score: Fail"], widths)];
  rows.forEach((r, i) => {
    const rates = failRates(1000 + i, n, r.factor, s);
    lines.push(row([r.label, pct(rates.single), pct(rates.combined)], widths));
  });
  return lines;
}

/** The p99 alone over samples × confidence × tolerance: what each lever buys, under either rule. */
function sweepTable(n: number, s: Settings): string[] {
  const widths = [13, 11, 10, 11, 9, 8, 4, 11, 9, 8];
  const head = ["samples/side", "confidence", "tolerance", "identical", "at tol.", "+20%", "|"];
  const lines = [
    `${" ".repeat(36)}interval rule (ramp): Fail${" ".repeat(5)}estimate rule (rejected): Fail`,
    row([...head, "identical", "at tol.", "+20%"], widths),
  ];
  for (const samples of [60, 90, 120, 180, 240])
    for (const tolerance of [0.05, 0.1])
      for (const confidence of [0.9, 0.95]) {
        const t = { ...s, samples, confidence, tolerance, minSamples: Math.min(s.minSamples, samples) };
        const rates = [1, 1 + tolerance, 1.2].map((f, i) =>
          failRates(2000 + 10 * samples + i, n, f, t, false),
        );
        const ours = rates.map((r) => pct(r.single));
        const theirs = rates.map((r) => pct(r.estimateRule));
        lines.push(
          row([String(samples), String(confidence), `${100 * tolerance}%`, ...ours, "|", ...theirs], widths),
        );
      }
  return lines;
}

function main(): void {
  const { values } = parseArgs({
    options: {
      judgements: { type: "string", default: "2000" },
      samples: { type: "string", default: String(JUDGE_DEFAULTS.samplesPerSide) },
      confidence: { type: "string", default: String(JUDGE_DEFAULTS.confidence) },
      tolerance: { type: "string", default: String(JUDGE_DEFAULTS.tolerance) },
      sweep: { type: "boolean", default: false },
    },
  });
  const n = Number(values.judgements);
  const s: Settings = {
    samples: Number(values.samples),
    confidence: Number(values.confidence),
    tolerance: Number(values.tolerance),
    minSamples: JUDGE_DEFAULTS.minSamples,
  };
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  const d = JUDGE_DEFAULTS;
  console.log(
    `judge defaults: window ${d.window}, one sample per ${d.step} = ${d.samplesPerSide} samples per side, ` +
      `minSamples ${d.minSamples}, confidence ${d.confidence}, tolerance ${100 * d.tolerance}%, ` +
      `score pass ${d.thresholds.pass} / marginal ${d.thresholds.marginal}`,
  );
  console.log(
    `this run: ${values.sweep ? "sweep" : `${s.samples} samples per side, confidence ${s.confidence}, tolerance ${100 * s.tolerance}%`}, ` +
      `${n} judgements per row, direction increase, seeded (xoshiro128**)`,
  );
  console.log(
    `samples: ${describe(P99)}; ${describe(P50)}; both sides share one load: ±15% wave + AR(1) drift`,
  );
  const lines = values.sweep ? sweepTable(n, s) : mainTable(n, s);
  for (const line of lines) console.log(line);
  const cpu = process.cpuUsage(cpu0);
  const wall = (performance.now() - wall0) / 1000;
  console.log(`CPU ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s, wall ${wall.toFixed(2)} s`);
}

function describe(m: MetricModel): string {
  return `${m.name} log-normal median ${m.medianMs} ms σ ${m.sigma}, ${100 * m.tailShare}% Pareto(${m.tailAlpha}) spikes`;
}

if (import.meta.main) main();
