import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { minuteFloors, slope } from "../../../scripts/bench/soak.ts";

const MiB = 1048576;

describe("bench soak slope", () => {
  test("a steady climb is its rate", () => {
    const samples = Array.from({ length: 60 }, (_, i) => ({ at: i * 1000, rssBytes: (300 + i) * MiB }));
    assert.ok(Math.abs(slope(samples) * 1000 - 1) < 1e-9);
  });
  test("rising and falling around a level is no trend", () => {
    const samples = Array.from({ length: 600 }, (_, i) => ({
      at: i * 1000,
      rssBytes: (300 + Math.abs((i % 60) - 30) * 4 - 60) * MiB,
    }));
    assert.ok(Math.abs(slope(samples) * 600_000) < 1);
  });
  test("fewer than two samples: 0", () => assert.equal(slope([{ at: 0, rssBytes: MiB }]), 0));
});

describe("bench soak floor", () => {
  test("each whole minute's lowest sample, counted from the first sample", () => {
    // A saw of 2-minute period: 300 at its bottom, 420 at its top, one sample every 10 s.
    const samples = Array.from({ length: 36 }, (_, i) => ({
      at: 5_000 + i * 10_000,
      rssBytes: (300 + Math.abs((i % 12) - 6) * 20) * MiB,
    }));
    assert.deepEqual(
      minuteFloors(samples).map((b) => b / MiB),
      [320, 300, 320, 300, 320, 300],
    );
  });
  test("no samples: no minutes", () => assert.deepEqual(minuteFloors([]), []));
});
