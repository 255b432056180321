// The dashboard's times: ages as kubectl prints them, and the countdown of a timed pause.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { formatAge, formatRemaining, formatSeconds } from "../../../src/dashboard/web/app/lib/format.ts";

const now = Date.parse("2026-01-10T12:00:00Z");
const ago = (s: number) => new Date(now - s * 1000).toISOString();

describe("dashboard web: formatSeconds", () => {
  const cases: [number, string][] = [
    [0, "0s"],
    [45, "45s"],
    [60, "1m"],
    [192, "3m12s"],
    [600, "10m"],
    [3599, "59m"],
    [3600, "1h"],
    [7500, "2h5m"],
    [86400, "1d"],
    [4 * 86400 + 3 * 3600, "4d3h"],
    [40 * 86400 + 5 * 3600, "40d"],
    [-5, "0s"],
  ];
  for (const [s, want] of cases) test(`${s}s → ${want}`, () => assert.equal(formatSeconds(s), want));
});

describe("dashboard web: formatAge", () => {
  test("an age from an RFC 3339 time", () => assert.equal(formatAge(ago(7500), now), "2h5m"));
  test("a time in the future (clock skew) is 0s, not negative", () =>
    assert.equal(formatAge(ago(-30), now), "0s"));
  test("an unreadable time is ?", () => assert.equal(formatAge("not a time", now), "?"));
});

describe("dashboard web: formatRemaining", () => {
  test("minutes and padded seconds", () => assert.equal(formatRemaining(ago(-65), now), "1m05s left"));
  test("seconds only", () => assert.equal(formatRemaining(ago(-9), now), "9s left"));
  test("a part second rounds up, so it never shows 0s left early", () =>
    assert.equal(formatRemaining(new Date(now + 200).toISOString(), now), "1s left"));
  test("due or past: ending", () => assert.equal(formatRemaining(ago(3), now), "ending"));
  test("unreadable: empty", () => assert.equal(formatRemaining("x", now), ""));
});
