// Property tests of analysis judging: whatever the values, conditions and limits, missing data and errors
// never add up to a success, and a success always rests on at least one successful measurement.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import {
  assessMeasurement,
  count,
  isDone,
  isNoData,
  metricPhase,
  runPhase,
  type Value,
} from "../../../src/analysis/assess.ts";
import type { ResolvedMetric } from "../../../src/analysis/resolve.ts";
import type { Metric, RunPhase } from "../../../src/api/index.ts";
import { runs } from "../../support/property.ts";

const valueArb: fc.Arbitrary<Value> = fc.oneof(
  fc.double(),
  fc.constantFrom(Number.NaN, null, undefined, Number.POSITIVE_INFINITY),
  fc.array(fc.double(), { maxLength: 3 }),
  fc.array(fc.constant(Number.NaN), { maxLength: 3 }),
  fc.record({ ok: fc.boolean() }),
);
const metricArb = fc.record({
  successCondition: fc.option(fc.constant("S"), { nil: undefined }),
  failureCondition: fc.option(fc.constant("F"), { nil: undefined }),
  noData: fc.option(fc.constantFrom("inconclusive", "fail", "ignore") as fc.Arbitrary<Metric["noData"]>, {
    nil: undefined,
  }),
  failureLimit: fc.option(fc.nat(3), { nil: undefined }),
  inconclusiveLimit: fc.option(fc.nat(3), { nil: undefined }),
  consecutiveErrorLimit: fc.option(fc.nat(5), { nil: undefined }),
  count: fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }),
  interval: fc.option(fc.constant("1s"), { nil: undefined }),
});
const metricOf = (m: Partial<ResolvedMetric>): ResolvedMetric =>
  JSON.parse(
    JSON.stringify({ name: "m", provider: { prometheus: { address: "http://p", query: "q" } }, ...m }),
  );

/** A measurement: an error, or a value and what each condition evaluates to on it. */
const measurementArb = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ error: true as const }) },
  { weight: 4, arbitrary: fc.record({ value: valueArb, s: fc.boolean(), f: fc.boolean() }) },
);

describe("analysis judging properties", () => {
  test("one measurement: no data is never Successful, whatever the conditions say", async () => {
    await fc.assert(
      fc.asyncProperty(metricArb, valueArb, fc.boolean(), fc.boolean(), async (m, value, s, f) => {
        const metric = metricOf(m);
        const verdict = await assessMeasurement(metric, value, async (e) => (e === "S" ? s : f));
        if (isNoData(value)) {
          assert.notEqual(verdict.phase, "Successful");
          assert.equal(verdict.phase, metric.noData === "fail" ? "Failed" : "Inconclusive");
        }
        if (verdict.phase === "Successful") {
          assert.ok(!(metric.failureCondition && f), "Successful although the failure condition held");
          assert.ok(!metric.successCondition || s, "Successful although the success condition did not hold");
        }
      }),
      runs(500),
    );
  });

  test("a metric: never Successful without a successful measurement, nor past its limits", async () => {
    await fc.assert(
      fc.asyncProperty(metricArb, fc.array(measurementArb, { maxLength: 10 }), async (m, measurements) => {
        const metric = metricOf(m);
        let c = { count: 0, successful: 0, failed: 0, inconclusive: 0, error: 0, consecutiveError: 0 };
        let phase: RunPhase = metricPhase(metric, c);
        let noData = 0;
        let errors = 0;
        // As src/analysis/run.ts does: measure until the metric's phase is decided.
        for (const x of measurements) {
          if (isDone(phase)) break;
          if ("error" in x) {
            errors++;
            c = count(c, "Error", false);
          } else {
            const v = await assessMeasurement(metric, x.value, async (e) => (e === "S" ? x.s : x.f));
            if (v.noData) noData++;
            c = count(c, v.phase, v.noData === true && metric.noData === "ignore");
          }
          phase = metricPhase(metric, c);
        }
        const why = JSON.stringify({ metric, counters: c, phase });
        if (phase !== "Successful") return;
        assert.ok(c.successful > 0, `Successful without a successful measurement: ${why}`);
        assert.ok(c.failed <= (metric.failureLimit ?? 0), why);
        assert.ok(c.inconclusive <= (metric.inconclusiveLimit ?? 0), why);
        assert.ok(c.consecutiveError <= (metric.consecutiveErrorLimit ?? 4), why);
        // Missing values are tolerated only as far as the metric says: none with the defaults.
        const policy = metric.noData ?? "inconclusive";
        if (policy === "inconclusive")
          assert.ok(noData <= (metric.inconclusiveLimit ?? 0), `more no-data than inconclusiveLimit: ${why}`);
        if (policy === "fail")
          assert.ok(noData <= (metric.failureLimit ?? 0), `more no-data than failureLimit: ${why}`);
        if (metric.consecutiveErrorLimit === 0)
          assert.equal(errors, 0, `Successful despite an error: ${why}`);
      }),
      runs(500),
    );
  });

  test("a run: Successful only when no real metric failed, errored or was inconclusive", () => {
    const phase = fc.constantFrom<RunPhase>(
      "Pending",
      "Running",
      "Successful",
      "Failed",
      "Error",
      "Inconclusive",
    );
    fc.assert(
      fc.property(
        fc.array(fc.record({ phase, dryRun: fc.boolean() }), { maxLength: 5 }),
        fc.boolean(),
        (metrics, terminated) => {
          const run = runPhase(metrics, terminated);
          const real = metrics.filter((m) => !m.dryRun).map((m) => m.phase);
          if (real.includes("Failed")) assert.equal(run, "Failed");
          else if (real.includes("Error")) assert.equal(run, "Error");
          if (run === "Successful") {
            assert.ok(!real.some((p) => p === "Failed" || p === "Error" || p === "Inconclusive"));
            assert.ok(
              terminated || real.every((p) => p === "Successful"),
              "Successful with a metric unfinished",
            );
          }
        },
      ),
      runs(500),
    );
  });
});
