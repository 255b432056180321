import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { assessMeasurement, count, isNoData, metricPhase, runPhase } from "../../../src/analysis/assess.ts";
import { ConditionEvaluator } from "../../../src/analysis/conditions.ts";
import { encodeValue, redact } from "../../../src/analysis/encode.ts";
import { promqlEscape, substitute } from "../../../src/analysis/providers/args.ts";
import { pick } from "../../../src/analysis/providers/web.ts";
import type { ResolvedMetric } from "../../../src/analysis/resolve.ts";
import type { RunPhase } from "../../../src/api/index.ts";

const evaluator = new ConditionEvaluator({ timeoutMs: 500 });
after(() => evaluator.close());
const evaluate = (e: string, v: unknown) => evaluator.evaluate(e, v);
const metric = (m: Partial<ResolvedMetric>): ResolvedMetric => ({
  name: "m",
  provider: { prometheus: { address: "http://p", query: "q" } },
  ...m,
});

describe("isNoData", () => {
  const cases: [unknown, boolean][] = [
    [[], true],
    [Number.NaN, true],
    [[Number.NaN, Number.NaN], true],
    [null, true],
    [undefined, true],
    [[Number.NaN, 1], false],
    [0, false],
    [[0], false],
    [Number.POSITIVE_INFINITY, false],
    [{ ok: false }, false],
  ];
  for (const [v, want] of cases) test(`${encodeValue(v)} → ${want}`, () => assert.equal(isNoData(v), want));
});

describe("assessMeasurement", () => {
  const cases: [string, Partial<ResolvedMetric>, unknown, RunPhase][] = [
    ["success condition met", { successCondition: "result[0] < 0.05" }, [0.01], "Successful"],
    ["success condition missed: failed", { successCondition: "result[0] < 0.05" }, [0.3], "Failed"],
    ["failure condition met", { failureCondition: "result[0] > 0.05" }, [0.31], "Failed"],
    ["failure condition not met: successful", { failureCondition: "result[0] > 0.05" }, [0.01], "Successful"],
    [
      "both, neither true: inconclusive",
      { successCondition: "result[0] < 0.01", failureCondition: "result[0] > 0.1" },
      [0.05],
      "Inconclusive",
    ],
    [
      "both, failure wins",
      { successCondition: "result[0] < 1", failureCondition: "result[0] > 0.1" },
      [0.5],
      "Failed",
    ],
    [
      "empty vector: inconclusive by default, never success",
      { successCondition: "true" },
      [],
      "Inconclusive",
    ],
    ["NaN scalar: inconclusive", { successCondition: "true" }, Number.NaN, "Inconclusive"],
    ["no condition (as Argo): a measurement with data is successful", {}, [0.7], "Successful"],
    ["no condition: no data is still never a success", {}, [], "Inconclusive"],
    ["no data with noData: fail", { successCondition: "true", noData: "fail" }, [], "Failed"],
    [
      "no data with noData: ignore is still not a success",
      { successCondition: "true", noData: "ignore" },
      [],
      "Inconclusive",
    ],
    ["+Inf is data and compares", { successCondition: "result < 1.0" }, Number.POSITIVE_INFINITY, "Failed"],
    ["a scalar", { successCondition: "result >= 0.95" }, 0.99, "Successful"],
    [
      "web JSON",
      { successCondition: "result.ok == true && result.errors < 3" },
      { ok: true, errors: 1 },
      "Successful",
    ],
  ];
  for (const [name, m, value, phase] of cases) {
    test(name, async () => assert.equal((await assessMeasurement(metric(m), value, evaluate)).phase, phase));
  }
  test("the message names the value and the condition", async () => {
    const v = await assessMeasurement(metric({ failureCondition: "result[0] > 0.05" }), [0.31], evaluate);
    assert.equal(v.message, 'value 0.31 met failureCondition "result[0] > 0.05"');
  });
  test("a condition that runs too long is cut off", async () => {
    const big = Array.from({ length: 3000 }, (_, i) => i);
    await assert.rejects(
      evaluator.evaluate("result.all(x, result.all(y, result.all(z, x + y + z >= 0)))", big),
      /took longer than 500ms/,
    );
    assert.equal(await evaluator.evaluate("result[0] == 0", big), true, "a fresh worker answers afterwards");
  });
  test("a condition that is not a bool is an error", async () => {
    await assert.rejects(evaluator.evaluate("result[0]", [1]), /must be true or false/);
  });
});

describe("metric and run phases", () => {
  const c = (
    n: Partial<
      Record<"count" | "successful" | "failed" | "inconclusive" | "error" | "consecutiveError", number>
    >,
  ) => ({ count: 0, successful: 0, failed: 0, inconclusive: 0, error: 0, consecutiveError: 0, ...n });
  const cases: [string, Partial<ResolvedMetric>, ReturnType<typeof c>, RunPhase][] = [
    ["nothing yet", {}, c({}), "Pending"],
    ["one success of one", {}, c({ count: 1, successful: 1 }), "Successful"],
    [
      "failures within failureLimit keep running",
      { count: 5, interval: "1s", failureLimit: 2 },
      c({ count: 3, successful: 1, failed: 2 }),
      "Running",
    ],
    [
      "failures beyond failureLimit",
      { count: 5, interval: "1s", failureLimit: 2 },
      c({ count: 3, failed: 3 }),
      "Failed",
    ],
    [
      "errors within consecutiveErrorLimit (4)",
      { count: 10, interval: "1s" },
      c({ count: 4, error: 4, consecutiveError: 4 }),
      "Running",
    ],
    [
      "a fifth consecutive error",
      { count: 10, interval: "1s" },
      c({ count: 5, error: 5, consecutiveError: 5 }),
      "Error",
    ],
    [
      "inconclusive beyond its limit",
      { count: 3, interval: "1s" },
      c({ count: 1, inconclusive: 1 }),
      "Inconclusive",
    ],
    [
      "count reached with only ignored no-data measurements",
      { count: 2, interval: "1s", noData: "ignore" },
      c({ count: 2 }),
      "Inconclusive",
    ],
    [
      "count reached with only errors: Error, never success",
      { count: 2, interval: "1s" },
      c({ count: 2, error: 2, consecutiveError: 2 }),
      "Error",
    ],
    [
      "count reached, every measurement failed within failureLimit (noData: fail on no data): never success",
      { count: 1, failureLimit: 1, noData: "fail" },
      c({ count: 1, failed: 1 }),
      "Inconclusive",
    ],
    [
      "count reached, failures tolerated",
      { count: 3, interval: "1s", failureLimit: 1 },
      c({ count: 3, successful: 2, failed: 1 }),
      "Successful",
    ],
    ["no count with an interval runs on", { interval: "1s" }, c({ count: 100, successful: 100 }), "Running"],
  ];
  for (const [name, m, counters, phase] of cases)
    test(name, () => assert.equal(metricPhase(metric(m), counters), phase));

  test("an error resets on the next good measurement", () => {
    const after = count(count(c({}), "Error", false), "Successful", false);
    assert.equal(after.consecutiveError, 0);
    assert.equal(after.error, 1);
  });
  test("an ignored measurement counts only towards count", () =>
    assert.deepEqual(count(c({}), "Inconclusive", true), c({ count: 1 })));

  const run: [string, [RunPhase, boolean][], boolean, RunPhase][] = [
    [
      "all successful",
      [
        ["Successful", false],
        ["Successful", false],
      ],
      false,
      "Successful",
    ],
    [
      "one failed ends the run",
      [
        ["Failed", false],
        ["Running", false],
      ],
      false,
      "Failed",
    ],
    [
      "one error",
      [
        ["Error", false],
        ["Successful", false],
      ],
      false,
      "Error",
    ],
    [
      "inconclusive once all are done",
      [
        ["Inconclusive", false],
        ["Successful", false],
      ],
      false,
      "Inconclusive",
    ],
    [
      "still running",
      [
        ["Running", false],
        ["Successful", false],
      ],
      false,
      "Running",
    ],
    [
      "a failed dry-run metric never fails the run",
      [
        ["Failed", true],
        ["Successful", false],
      ],
      false,
      "Successful",
    ],
    ["terminated while running ends it", [["Running", false]], true, "Successful"],
  ];
  for (const [name, metrics, terminated, phase] of run) {
    test(`run: ${name}`, () =>
      assert.equal(
        runPhase(
          metrics.map(([p, d]) => ({ phase: p, dryRun: d })),
          terminated,
        ),
        phase,
      ));
  }
});

describe("args, values and secrets", () => {
  test("PromQL args are escaped so they cannot change the query's structure", () => {
    const q = substitute(
      'sum(rate(x{svc="{{args.svc}}"}[1m]))',
      { svc: 'a"} or vector(1) or x{y="' },
      promqlEscape,
    );
    assert.equal(q, 'sum(rate(x{svc="a\\"} or vector(1) or x{y=\\""}[1m]))');
  });
  test("a missing arg is named", () =>
    assert.throws(() => substitute("{{args.nope}}", {}, promqlEscape), /no arg "nope"/));
  test("values are stored with NaN and infinities spelled out, long vectors cut", () => {
    assert.equal(encodeValue([0.5, Number.NaN, Number.POSITIVE_INFINITY]), '[0.5,"NaN","+Inf"]');
    assert.match(encodeValue(Array.from({ length: 5000 }, () => 1.2345)), /"…4980 more"\]$/);
  });
  test("secret values are redacted from messages", () =>
    assert.equal(redact("401 for token s3cr3t-value", ["s3cr3t-value"]), "401 for token *****"));
  test("jsonPath picks a value", () => {
    assert.equal(pick({ data: { items: [{ ok: true }] } }, "{$.data.items[0].ok}"), true);
    assert.throws(() => pick({}, "data.ok"), /must start with \$/);
  });
});
