// A metric's measurements as uPlot data: seconds on x, numbers on y, null where there is no number.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  hasNumbers,
  measurementNumber,
  measurementsToData,
} from "../../../src/dashboard/web/app/lib/chart.ts";

describe("dashboard web: measurementNumber", () => {
  const cases: [string | undefined, number | null][] = [
    ["0.98", 0.98],
    [" 12 ", 12],
    ["-3e-2", -0.03],
    ["[0.5]", 0.5],
    ["[0.5, 0.7]", 0.5],
    ['["4"]', 4],
    ["true", 1],
    ["false", 0],
    ["NaN", null],
    ["", null],
    ["[]", null],
    ["error: timeout", null],
    ["12abc", null],
    [undefined, null],
  ];
  for (const [value, want] of cases)
    test(`${JSON.stringify(value)} → ${want}`, () => assert.equal(measurementNumber(value), want));
});

describe("dashboard web: measurementsToData", () => {
  test("sorted by time, x in Unix seconds, a gap for an Error measurement, unreadable times left out", () => {
    const data = measurementsToData([
      { at: "2026-01-01T00:01:00Z", value: "0.97", phase: "Successful" },
      { at: "2026-01-01T00:00:00Z", value: "0.99", phase: "Successful" },
      { at: "2026-01-01T00:02:00Z", phase: "Error", message: "prometheus: timeout" },
      { at: "garbage", value: "1", phase: "Successful" },
    ]);
    const t0 = Date.parse("2026-01-01T00:00:00Z") / 1000;
    assert.deepEqual(data, [
      [t0, t0 + 60, t0 + 120],
      [0.99, 0.97, null],
    ]);
    assert.equal(hasNumbers(data), true);
  });

  test("no measurements: empty columns, nothing to plot", () => {
    const data = measurementsToData([]);
    assert.deepEqual(data, [[], []]);
    assert.equal(hasNumbers(data), false);
  });
});
