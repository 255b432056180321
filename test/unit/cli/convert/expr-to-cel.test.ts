// Argo's expr conditions translated to CEL: the exact CEL printed, and both sides agreeing on sample values.
// The expected value of each sample is expr's answer, worked out by hand from expr's and Argo's semantics
// (there is no expr evaluator in JS); the CEL is evaluated the way ramp evaluates conditions.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { substitute } from "../../../../src/analysis/providers/args.ts";
import { compileCel } from "../../../../src/cel/index.ts";
import { exprToCel } from "../../../../src/cli/convert/argo/expr-to-cel.ts";

/** A value of `result` and what the expr condition gives for it ("error": expr fails to evaluate). */
type Sample = [result: unknown, expected: boolean | "error"];
type Case = [expr: string, cel: string, samples: Sample[], notes?: RegExp];

/** ramp's own evaluation: the condition worker compiles with `result` as dyn and binds the measurement. */
function evaluate(cel: string, result: unknown, args: Record<string, string> = {}): unknown {
  return compileCel(
    substitute(cel, args, (v) => v),
    { result: "dyn" },
  ).evaluate({ result });
}

function check([expr, cel, samples, notes]: Case, args?: Record<string, string>): void {
  const got = exprToCel(expr);
  assert.ok(got.ok, `refused: ${got.ok ? "" : got.reason}`);
  assert.equal(got.cel, cel);
  if (notes)
    assert.ok(
      got.notes.some((n) => notes.test(n)),
      `notes: ${JSON.stringify(got.notes)}`,
    );
  else assert.deepEqual(got.notes, []);
  for (const [result, expected] of samples) {
    const label = `${cel} with result = ${JSON.stringify(result)}`;
    if (expected === "error") assert.throws(() => evaluate(cel, result, args), label);
    else assert.equal(evaluate(cel, result, args), expected, label);
  }
}

const NO_DATA = /noData/;

describe("exprToCel: conditions from Argo's documentation and examples", () => {
  const cases: Case[] = [
    [
      "result[0] >= 0.95",
      "result[0] >= 0.95",
      [
        [[0.96], true],
        [[0.95], true],
        [[0.5], false],
      ],
    ],
    [
      "result[0] < 0.05 && result[1] > 0",
      "result[0] < 0.05 && result[1] > 0.0",
      [
        [[0.01, 3], true],
        [[0.01, 0], false],
        [[0.2, 3], false],
      ],
    ],
    [
      "len(result) > 0 && result[0] > 0.9",
      "result.size() > 0 && result[0] > 0.9",
      [
        [[0.95], true],
        [[0.5], false],
        [[], false],
      ],
      NO_DATA,
    ],
    [
      "len(result) == 0 || result[0] >= 0.95",
      "result.size() == 0 || result[0] >= 0.95",
      [
        [[], true],
        [[0.96], true],
        [[0.5], false],
      ],
      NO_DATA,
    ],
    [
      "isNaN(result) || result >= 0.95",
      "result != result || result >= 0.95",
      [
        [Number.NaN, true],
        [0.97, true],
        [0.5, false],
      ],
      NO_DATA,
    ],
    [
      "isInf(result)",
      'result == double("inf") || result == double("-inf")',
      [
        [Number.POSITIVE_INFINITY, true],
        [Number.NEGATIVE_INFINITY, true],
        [1e308, false],
      ],
    ],
    [
      "all(result, {# > 0.9})",
      "result.all(x, x > 0.9)",
      [
        [[0.95, 0.99], true],
        [[0.95, 0.5], false],
        [[], true],
      ],
    ],
    [
      "all(result, # < 1000)",
      "result.all(x, x < 1000.0)",
      [
        [[1, 999.5], true],
        [[1000], false],
      ],
    ],
    [
      "any(result, {.value > 5})",
      "result.exists(x, x.value > 5.0)",
      [
        [[{ value: 1 }, { value: 6 }], true],
        [[{ value: 5 }], false],
        [[], false],
      ],
    ],
    [
      "default(result, 0) >= 0.9",
      "(result == null ? 0.0 : result) >= 0.9",
      [
        [0.95, true],
        [0.5, false],
        [null, false],
      ],
      NO_DATA,
    ],
    [
      "default(result, 0) < 0.05",
      "(result == null ? 0.0 : result) < 0.05",
      [
        [0.01, true],
        [0.5, false],
        [null, true],
      ],
      NO_DATA,
    ],
    [
      "result.successful == true",
      "result.successful == true",
      [
        [{ successful: true }, true],
        [{ successful: false }, false],
      ],
    ],
    [
      "asFloat(result.p99) < 500",
      "double(result.p99) < 500.0",
      [
        [{ p99: "312.5" }, true],
        [{ p99: 700 }, false],
        [{ p99: "fast" }, "error"],
      ],
    ],
    [
      "result == 'ok'",
      'result == "ok"',
      [
        ["ok", true],
        ["not ok", false],
        [1, false],
      ],
    ],
    [
      "result.major == '1'",
      'result.major == "1"',
      [
        [{ major: "1" }, true],
        [{ major: "2" }, false],
      ],
    ],
    [
      "result == true",
      "result == true",
      [
        [true, true],
        [false, false],
      ],
    ],
    [
      "result.ok && result.successPercent >= 0.90",
      "result.ok && result.successPercent >= 0.9",
      [
        [{ ok: true, successPercent: 0.95 }, true],
        [{ ok: false, successPercent: 0.95 }, false],
      ],
    ],
    [
      "len(result[0].Values) >= 5 and all(result[0].Values, {# <= 0.01})",
      "result[0].Values.size() >= 5 && result[0].Values.all(x, x <= 0.01)",
      [
        [[{ Values: [0, 0, 0, 0, 0.01] }], true],
        [[{ Values: [0, 0] }], false],
        [[{ Values: [0, 0, 0, 0, 0.5] }], false],
      ],
    ],
    [
      "all(result.service_apdex.values.values, {asFloat(.value) >= 9900})",
      "result.service_apdex.values.values.all(x, double(x.value) >= 9900.0)",
      [
        [{ service_apdex: { values: { values: [{ value: "9950" }, { value: "9900" }] } } }, true],
        [{ service_apdex: { values: { values: [{ value: "9950" }, { value: "100" }] } } }, false],
      ],
    ],
  ];
  for (const c of cases) test(c[0], () => check(c));

  test("an {{args.NAME}} placeholder is kept as written and pasted by ramp as Argo does", () => {
    const args = { "restarts.max-restarts": "3" };
    check(
      [
        "default(result, 0) > {{ args.restarts.max-restarts }}",
        "(result == null ? 0.0 : result) > {{ args.restarts.max-restarts }}",
        [
          [5, true],
          [1, false],
        ],
        NO_DATA,
      ],
      args,
    );
    check(
      [
        "result == '{{args.expected}}'",
        'result == "{{args.expected}}"',
        [
          ["yes", true],
          ["no", false],
        ],
      ],
      {
        expected: "yes",
      },
    );
  });
});

describe("exprToCel: every translated form", () => {
  const cases: Case[] = [
    // Numbers: int literals beside a measured value become doubles; `/` is always a double division.
    [
      "result * 100 >= 95",
      "result * 100.0 >= 95.0",
      [
        [0.96, true],
        [0.9, false],
      ],
    ],
    [
      "(result + 1) / 2 > 1",
      "(result + 1.0) / 2.0 > 1.0",
      [
        [2, true],
        [1, false],
      ],
    ],
    [
      "len(result) / 2 > 1",
      "double(result.size()) / 2.0 > 1.0",
      [
        [[1, 2, 3], true],
        [[1, 2], false],
      ],
      NO_DATA,
    ],
    [
      "1 - (2 - result) == 0",
      "1.0 - (2.0 - result) == 0.0",
      [
        [1, true],
        [2, false],
      ],
    ],
    [
      "-result[0] < -1",
      "-result[0] < -1.0",
      [
        [[2], true],
        [[0.5], false],
      ],
    ],
    [
      "result < 1_000 and .5 < result",
      "result < 1000.0 && 0.5 < result",
      [
        [999, true],
        [0.25, false],
      ],
    ],
    [
      "result.x.y == 0x10",
      "result.x.y == 16.0",
      [
        [{ x: { y: 16 } }, true],
        [{ x: { y: 15 } }, false],
      ],
    ],
    [
      "2 ** 10 == result",
      "1024.0 == result",
      [
        [1024, true],
        [1000, false],
      ],
    ],
    // expr's % takes ints only: on a measured (float) value it fails in both.
    ["result % 2 == 1", "result % 2 == 1.0", [[3, "error"]]],
    [
      "int(result) == 3",
      "int(result) == 3",
      [
        [3.7, true],
        [-3.7, false],
        [4.1, false],
      ],
    ],
    [
      "asInt(result.count) > 2",
      "int(result.count) > 2",
      [
        [{ count: "5" }, true],
        [{ count: 2.9 }, false],
      ],
    ],
    [
      'float("1.5") < result',
      'double("1.5") < result',
      [
        [2, true],
        [1, false],
      ],
    ],
    [
      "abs(result - 1) < 0.1",
      "(result - 1.0 < 0.0 ? -(result - 1.0) : result - 1.0) < 0.1",
      [
        [1.05, true],
        [0.95, true],
        [0.8, false],
      ],
    ],
    // Comparisons, logic, ternaries.
    [
      "1 < result < 3",
      "1.0 < result && result < 3.0",
      [
        [2, true],
        [3, false],
        [0, false],
      ],
    ],
    [
      "not (result > 1 or result < 0)",
      "!(result > 1.0 || result < 0.0)",
      [
        [0.5, true],
        [2, false],
        [-1, false],
      ],
    ],
    [
      "(result > 1) == true",
      "(result > 1.0) == true",
      [
        [2, true],
        [0, false],
      ],
    ],
    [
      "result > 0 ? result < 1 : false",
      "result > 0.0 ? result < 1.0 : false",
      [
        [0.5, true],
        [-1, false],
        [2, false],
      ],
    ],
    [
      "(result > 0 ? 1 : 0.5) == 1",
      "(result > 0.0 ? 1.0 : 0.5) == 1.0",
      [
        [2, true],
        [-1, false],
      ],
    ],
    [
      "result[0] > 0.5\n  && result[0] < 1 // a comment",
      "result[0] > 0.5 && result[0] < 1.0",
      [
        [[0.7], true],
        [[1], false],
      ],
    ],
    // Members and indexes.
    [
      "result[-1] > 1",
      "result[result.size() - 1] > 1.0",
      [
        [[0, 2], true],
        [[2, 0], false],
        [[], "error"],
      ],
    ],
    [
      'result["p99"] < 250',
      'result["p99"] < 250.0',
      [
        [{ p99: 200 }, true],
        [{ p99: 300 }, false],
      ],
    ],
    [
      "result.in == 1",
      'result["in"] == 1.0',
      [
        [{ in: 1 }, true],
        [{ in: 2 }, false],
      ],
    ],
    [
      "result.a == nil",
      "!has(result.a) || result.a == null",
      [
        [{}, true],
        [{ a: null }, true],
        [{ a: 1 }, false],
      ],
    ],
    [
      "result['a-b'] != nil",
      '"a-b" in result && result["a-b"] != null',
      [
        [{ "a-b": 1 }, true],
        [{}, false],
      ],
    ],
    [
      "isNil(result) || result > 1",
      "result == null || result > 1.0",
      [
        [null, true],
        [2, true],
        [0, false],
      ],
      NO_DATA,
    ],
    [
      "!isNaN(result) && result > 1",
      "result == result && result > 1.0",
      [
        [Number.NaN, false],
        [2, true],
      ],
      NO_DATA,
    ],
    // Membership and strings.
    [
      "result in [1, 2.5]",
      "result in [1.0, 2.5]",
      [
        [1, true],
        [2.5, true],
        [2, false],
      ],
    ],
    [
      "result not in [1, 2]",
      "!(result in [1.0, 2.0])",
      [
        [3, true],
        [1, false],
      ],
    ],
    [
      '"p99" in result',
      '"p99" in result',
      [
        [{ p99: 1 }, true],
        [{}, false],
      ],
    ],
    [
      'result startsWith "can" and result endsWith "ary"',
      'result.startsWith("can") && result.endsWith("ary")',
      [
        ["canary", true],
        ["stable", false],
      ],
    ],
    [
      'result.name not contains "x"',
      '!result.name.contains("x")',
      [
        [{ name: "abc" }, true],
        [{ name: "axe" }, false],
      ],
    ],
    [
      "result.name matches '^a\\\\d+$'",
      'result.name.matches("^a\\\\d+$")',
      [
        [{ name: "a12" }, true],
        [{ name: "b1" }, false],
      ],
      /RE2/,
    ],
    [
      'hasPrefix(result, "v1")',
      'result.startsWith("v1")',
      [
        ["v1.2", true],
        ["v2", false],
      ],
    ],
    [
      'result == "say \\"hi\\"" || result == \'it\\\'s\'',
      'result == "say \\"hi\\"" || result == "it\'s"',
      [
        ['say "hi"', true],
        ["it's", true],
        ["hi", false],
      ],
    ],
    [
      'result + "x" == "ax"',
      'result + "x" == "ax"',
      [
        ["a", true],
        ["b", false],
      ],
    ],
    ['len("héllo") == 5', '"héllo".size() == 5', [[0, true]]],
    // Predicates: all/any/none/one/filter/map/count, nested, with # and .field.
    [
      "none(result, # > 1) and one(result, # == 1)",
      "!result.exists(x, x > 1.0) && result.exists_one(x, x == 1.0)",
      [
        [[1, 0], true],
        [[1, 1], false],
        [[2, 1], false],
      ],
    ],
    [
      "count(result, {# > 1}) >= 2",
      "result.filter(x, x > 1.0).size() >= 2",
      [
        [[2, 3], true],
        [[2, 0], false],
      ],
    ],
    [
      "len(filter(result, .ok)) == 1",
      "result.filter(x, x.ok).size() == 1",
      [
        [[{ ok: true }, { ok: false }], true],
        [[], false],
      ],
    ],
    [
      "map(result, .v)[0] > 1",
      "result.map(x, x.v)[0] > 1.0",
      [
        [[{ v: 2 }], true],
        [[{ v: 1 }], false],
      ],
    ],
    [
      "all(result, any(#.vals, # > 1))",
      "result.all(x, x.vals.exists(y, y > 1.0))",
      [
        [[{ vals: [0, 2] }], true],
        [[{ vals: [0] }], false],
      ],
    ],
    [
      "any([1, 2], # == result)",
      "[1, 2].exists(x, x == result)",
      [
        [2, true],
        [3, false],
      ],
    ],
  ];
  for (const c of cases) test(c[0].replaceAll("\n", "⏎"), () => check(c));

  test("a computed index is translated, with a note that CEL refuses a negative one", () => {
    check(["result[len(result) - 1] > 1", "result[result.size() - 1] > 1.0", [[[0, 2], true]], /negative/]);
  });

  test("an {{args.NAME}} in arithmetic carries a note on int and double", () => {
    check(
      [
        "result * {{ args.f }} > 1",
        "result * {{ args.f }} > 1.0",
        [
          [1, true],
          [0.1, false],
        ],
        /decimal point/,
      ],
      {
        f: "2.0",
      },
    );
  });
});

describe("exprToCel: refusals name the construct and its column", () => {
  const cases: [expr: string, reason: RegExp][] = [
    ["result ?? 0", /^column 8: .*nil-coalescing operator \?\?/],
    ["result?.foo > 1", /^column 7: optional chaining \?\./],
    ["let x = result; x > 1", /^column 1: a let variable/],
    ["result | len() > 0", /^column 8: the pipe operator \|/],
    ["result in 1..3", /^column 12: the range operator \.\./],
    ["result[1:3] == [1]", /^column 7: a slice/],
    ["max(result) < 0.05", /^column 1: the function max\(\)/],
    ["min(result, 1) < 0.05", /^column 1: the function min\(\)/],
    ["result > 0 && foo(result)", /^column 15: the function foo\(\)/],
    ["2 ** result > 1", /^column 3: the power operator \*\*/],
    ["result ^ 2 > 1", /^column 8: the power operator/],
    ["results[0] > 1", /^column 1: unknown variable results/],
    ["{a: 1}.a == result", /^column 1: a map literal/],
    ["result.foo() > 1", /^column 8: the method call \.foo\(\)/],
    ["default(result.p, 0) > 1", /^column 1: default\(\) on anything but result/],
    ["isNil(result.p)", /^column 1: isNil\(\) on anything but result/],
    ["all(result, #index > 0)", /^column 13: the predicate variable #index/],
    ["if result > 1 { true } else { false }", /^column 1: an if … else block/],
    ["result ?: 1", /^column 8: the short ternary/],
    ["result > {{ inputs.max }}", /^column 10: a template placeholder other than \{\{args\.NAME\}\}/],
    ["result == b'x'", /^column 11: a bytes literal/],
    ["[1, 'a'] == result", /^column 1: an array literal mixing types/],
    ["result > 1; true", /^column 11: a sequence of expressions/],
    ["result >=", /^column 10: syntax error: the expression ends too early/],
    ['result == "abc', /^column 11: syntax error: an unterminated string/],
    ["result > 1 @", /^column 12: syntax error: an unexpected character "@"/],
    ["(result > 1", /^column 12: syntax error: expected "\)"/],
    ["len(result, 1) > 0", /^column 1: len\(\) takes 1 argument, not 2/],
    ["find(result, # > 1) == 2", /^column 1: the function find\(\)/],
    ['$env["result"] > 1', /^column 1: unknown variable \$env/],
    ["result = 1", /^column 8: syntax error: unexpected "="/],
    ["result > 1 &&\n  result ?? 2", /^line 2, column 10: .*\?\?/],
  ];
  for (const [expr, reason] of cases)
    test(expr.replaceAll("\n", "⏎"), () => {
      const got = exprToCel(expr);
      assert.equal(got.ok, false, JSON.stringify(got));
      if (!got.ok) assert.match(got.reason, reason);
    });
});
