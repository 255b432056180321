// A judge metric's settings (defaults, refusals naming the field), one judgement over several metrics, and
// how it reads: the message's lines and the compact value; the version placeholders of a judged query.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  judge,
  judgementText,
  judgementValue,
  judgeSettings,
  judgeWindowMs,
} from "../../../../src/analysis/judge/judgement.ts";
import { normalSfInverse } from "../../../../src/analysis/judge/normal.ts";
import { versionQuery } from "../../../../src/analysis/providers/judge.ts";
import type { JudgeProvider } from "../../../../src/api/index.ts";

const FIELD = "spec.metrics[0].provider.judge";
/** 60 values spread exactly like a log-normal around 200 (σ 0.1), no randomness. */
const stable = Array.from({ length: 60 }, (_, i) => 200 * Math.exp(0.1 * -normalSfInverse((i + 0.5) / 60)));
const times = (f: number) => stable.map((v) => v * f);

const cfg = (extra: Partial<JudgeProvider> = {}): JudgeProvider => ({
  prometheus: { address: "http://prometheus:9090" },
  metrics: [{ name: "latency", query: 'x{hash="{{version.hash}}"}' }],
  ...extra,
});

describe("judge settings", () => {
  test("defaults: 20m at 10s, minSamples 90, confidence 0.9, 95/75, increase, 5%, weight 1", () => {
    const s = judgeSettings(cfg(), FIELD);
    assert.deepEqual(
      { ...s, metrics: s.metrics.map(({ query: _q, ...m }) => m) },
      {
        windowMs: 1_200_000,
        stepMs: 10_000,
        minSamples: 90,
        confidence: 0.9,
        thresholds: { pass: 95, marginal: 75 },
        metrics: [{ name: "latency", direction: "increase", tolerance: 0.05, critical: false, weight: 1 }],
      },
    );
    // The first judgement waits for the window: initialDelay's default for a judge metric only.
    assert.equal(judgeWindowMs({ provider: { judge: cfg({ window: "5m" }) } }), 300_000);
    assert.equal(judgeWindowMs({ provider: {} }), 0);
  });

  test("minSamples defaults to three quarters of window / step; tolerance reads as a percentage", () => {
    const s = judgeSettings(
      cfg({ window: "1m", step: "2s", metrics: [{ name: "m", query: "q", tolerance: "12.5%" }] }),
      FIELD,
    );
    assert.equal(s.minSamples, 23);
    assert.equal(s.metrics[0]?.tolerance, 0.125);
  });

  test("settings that cannot work are refused naming the field", () => {
    assert.throws(
      () => judgeSettings(cfg({ window: "5s", step: "10s" }), FIELD),
      /^Error: spec\.metrics\[0\]\.provider\.judge: window 5s \/ step 10s gives 0 samples per series; make it between 3 and 11000/,
    );
    assert.throws(
      () => judgeSettings(cfg({ window: "1m", step: "1s", minSamples: 61 }), FIELD),
      /^Error: spec\.metrics\[0\]\.provider\.judge\.minSamples 61 is more than the 60 samples/,
    );
  });
});

describe("one judgement", () => {
  test("confidence: the same +8% canary fails at 0.6 and passes at 0.999 (tolerance 5%)", () => {
    const at = (confidence: number) =>
      judge(
        judgeSettings(cfg({ confidence, window: "10m", step: "10s" }), FIELD),
        [{ canary: times(1.08), baseline: stable }],
        "stable",
      ).score.verdict;
    assert.equal(at(0.6), "Fail");
    assert.equal(at(0.999), "Pass");
  });

  test("the message: the score's line, then one line per metric, critical ones marked", () => {
    const settings = judgeSettings(
      cfg({
        window: "10m",
        step: "10s",
        metrics: [
          { name: "p99", query: "q", tolerance: "10%", critical: true },
          { name: "rps", query: "q", direction: "decrease", weight: 3 },
        ],
      }),
      FIELD,
    );
    const j = judge(
      settings,
      [
        { canary: times(1.3), baseline: stable },
        { canary: stable, baseline: stable },
      ],
      "stable",
    );
    const lines = judgementText(j, settings.thresholds).split("\n");
    assert.equal(
      lines[0],
      "judge vs stable: score 75 (pass 95, marginal 75) → FAIL: 1 critical metric(s) failed",
    );
    assert.match(
      lines[1] ?? "",
      /^p99: canary \+30% \(CI \+2\d%…\+3\d%\) vs stable, p<0\.001, tolerance 10% → FAIL \(critical\)$/,
    );
    assert.match(
      lines[2] ?? "",
      /^rps: canary 0% \(CI -\d(\.\d)?%…\+\d(\.\d)?%\) vs stable, p=[\d.]+, tolerance 5% → PASS$/,
    );
    const value = judgementValue(j) as { score: number; verdict: string; metrics: Record<string, unknown>[] };
    assert.equal(value.score, 75);
    assert.equal(value.verdict, "Fail");
    assert.deepEqual(Object.keys(value.metrics[0] ?? {}), [
      "name",
      "verdict",
      "canary",
      "stable",
      "shift",
      "ci",
      "p",
      "n",
    ]);
    assert.deepEqual(value.metrics[0]?.n, [60, 60]);
    // Ten metrics (the most a judge holds) still fit a measurement's value (4 KiB).
    const many = judgeSettings(
      cfg({ metrics: Array.from({ length: 10 }, (_, i) => ({ name: `metric-number-${i}`, query: "q" })) }),
      FIELD,
    );
    const all = judge(
      { ...many, minSamples: 30 },
      many.metrics.map(() => ({ canary: times(1.01), baseline: stable })),
      "stable",
    );
    assert.ok(JSON.stringify(judgementValue(all)).length < 4096);
  });
});

describe("a judged query", () => {
  test("{{version.hash}} and {{version.role}} per version, then {{args.NAME}} escaped for PromQL", () => {
    const q =
      'rate(x{pod_template_hash="{{version.hash}}",role="{{version.role}}",team="{{args.team}}"}[1m])';
    assert.equal(
      versionQuery(q, { hash: "abc123", role: "canary" }, { team: 'a"b' }),
      'rate(x{pod_template_hash="abc123",role="canary",team="a\\"b"}[1m])',
    );
    assert.equal(
      versionQuery(q, { hash: "def456", role: "stable" }, { team: "a" }),
      'rate(x{pod_template_hash="def456",role="stable",team="a"}[1m])',
    );
  });
});
