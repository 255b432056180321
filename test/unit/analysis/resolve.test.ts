// Metric fields written as "{{args.NAME}}": what each resolves to, and the message when it resolves to
// nothing the field can use (the run then ends Error with it).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { argsOf, resolveField, resolveMetric } from "../../../src/analysis/resolve.ts";
import type { Metric } from "../../../src/api/index.ts";

const args = { count: "3", limit: "1", every: "2s", secs: "5", abc: "abc", zero: "0", big: "99999999999" };
type Field = Parameters<typeof resolveField>[1];

describe("resolveField", () => {
  const resolves: [Field, number | string, number | string][] = [
    ["count", 4, 4],
    ["count", "4", 4],
    ["count", "{{args.count}}", 3],
    ["count", "{{ args.count }}", 3],
    ["count", "1{{args.count}}", 13],
    ["failureLimit", "{{args.zero}}", 0],
    ["failureLimit", "{{args.limit}}", 1],
    ["inconclusiveLimit", "{{args.limit}}", 1],
    ["consecutiveErrorLimit", "{{args.zero}}", 0],
    ["interval", "{{args.every}}", "2s"],
    ["interval", "{{args.secs}}", "5"],
    ["interval", 30, 30],
    ["initialDelay", "{{args.every}}", "2s"],
  ];
  for (const [field, raw, want] of resolves)
    test(`${field} ${JSON.stringify(raw)} → ${JSON.stringify(want)}`, () =>
      assert.equal(resolveField("errors", field, raw, args), want));

  const refused: [Field, string, string][] = [
    [
      "count",
      "{{args.abc}}",
      'metric "errors": count "{{args.abc}}" resolved to "abc", which is not a whole number: pass an integer in the analysis arg "abc"',
    ],
    [
      "count",
      "{{args.zero}}",
      'metric "errors": count "{{args.zero}}" resolved to "0", which is less than 1: pass an integer >= 1 in the analysis arg "zero"',
    ],
    [
      "failureLimit",
      "{{args.big}}",
      'metric "errors": failureLimit "{{args.big}}" resolved to "99999999999", which is more than 2147483647: pass a smaller integer in the analysis arg "big"',
    ],
    [
      "failureLimit",
      "{{args.every}}",
      'metric "errors": failureLimit "{{args.every}}" resolved to "2s", which is not a whole number: pass an integer in the analysis arg "every"',
    ],
    [
      "consecutiveErrorLimit",
      "{{args.limit}}.5",
      'metric "errors": consecutiveErrorLimit "{{args.limit}}.5" resolved to "1.5", which is not a whole number: pass an integer in the analysis arg "limit"',
    ],
    [
      "inconclusiveLimit",
      "{{args.count}}{{args.abc}}",
      'metric "errors": inconclusiveLimit "{{args.count}}{{args.abc}}" resolved to "3abc", which is not a whole number: pass an integer in the analysis args "count", "abc"',
    ],
    [
      "interval",
      "{{args.abc}}",
      'metric "errors": interval "{{args.abc}}" resolved to "abc", which is not a duration: pass whole seconds (30) or a duration such as "30s", "5m", "1h30m" in the analysis arg "abc"',
    ],
    [
      "initialDelay",
      "{{args.count}} minutes",
      'metric "errors": initialDelay "{{args.count}} minutes" resolved to "3 minutes", which is not a duration: pass whole seconds (30) or a duration such as "30s", "5m", "1h30m" in the analysis arg "count"',
    ],
    [
      "count",
      "{{args.missing}}",
      'metric "errors": count "{{args.missing}}" names the arg "missing", which the run does not have: declare it in the template\'s args',
    ],
  ];
  for (const [field, raw, message] of refused)
    test(`${field} ${raw} is refused naming the metric, the field and the arg`, () =>
      assert.throws(() => resolveField("errors", field, raw, args), { message }));
});

describe("resolveMetric", () => {
  const metric: Metric = {
    name: "errors",
    provider: { prometheus: { address: "http://p", query: "up" } },
    successCondition: "result[0] == 1",
    count: "{{args.count}}",
    failureLimit: "{{args.limit}}",
    interval: "{{args.every}}",
    initialDelay: 1,
  };
  test("every templated field becomes its value; the rest stay as written", () => {
    assert.deepEqual(resolveMetric(metric, args), {
      ...metric,
      count: 3,
      failureLimit: 1,
      interval: "2s",
      initialDelay: 1,
    });
  });
  test("a field left out stays left out (its default applies)", () => {
    const { count: _c, failureLimit: _f, ...rest } = metric;
    const r = resolveMetric(rest, args);
    assert.equal("count" in r, false);
    assert.equal("failureLimit" in r, false);
  });
  test("the first field that does not resolve throws", () => {
    assert.throws(() => resolveMetric({ ...metric, failureLimit: "{{args.abc}}" }, args), /failureLimit/);
  });
});

test("argsOf names each arg once, in order", () => {
  assert.deepEqual(argsOf("{{args.a}}-{{ args.b }}-{{args.a}}"), ["a", "b"]);
  assert.deepEqual(argsOf("30s"), []);
});
