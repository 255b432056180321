import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { thresholdOf } from "../../../src/observability/thresholds.ts";

describe("thresholdOf", () => {
  const cases: [string | undefined, number | undefined][] = [
    ["result[0] > 0.05", 0.05],
    ["result >= 0.95", 0.95],
    ["  result[0]<=100 ", 100],
    ["0.95 <= result[0]", 0.95],
    ["result[0] == 1", 1],
    ["result[0] < -2.5e-3", -0.0025],
    ["result[0] > .5", 0.5],
    ["result[0] > 0.05 && result[0] < 0.1", undefined],
    ["result[1] > 0.05", undefined],
    ["size(result) > 0", undefined],
    ["result[0] > threshold", undefined],
    ["", undefined],
    [undefined, undefined],
  ];
  for (const [condition, want] of cases)
    test(`${JSON.stringify(condition)} → ${want}`, () => assert.equal(thresholdOf(condition), want));
});
