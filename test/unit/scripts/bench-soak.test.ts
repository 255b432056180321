import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseExposition } from "../../../dev/scrape.ts";
import { readingOf, type SoakReading, slope, trimGrowth, trimLevels } from "../../../scripts/bench/soak.ts";

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

describe("bench soak after trims", () => {
  const at = (minute: number, trims: number, mib: number): SoakReading => ({
    at: minute * 60_000,
    trims,
    residentAfterTrim: mib * MiB,
    cache: {},
  });

  test("reads the trim gauges and every cache's size from the controller's exposition", () => {
    const s = parseExposition(
      [
        "ramp_memory_trims_total 4",
        "ramp_memory_resident_after_trim_bytes 2.2e+08",
        'ramp_kube_cache_objects{resource="rollouts"} 10000',
        'ramp_kube_cache_objects{resource="replicasets"} 23000',
      ].join("\n"),
    );
    assert.deepEqual(readingOf(s, 7), {
      at: 7,
      trims: 4,
      residentAfterTrim: 2.2e8,
      cache: { rollouts: 10000, replicasets: 23000 },
    });
  });

  test("one level per trim from the warm-up on: repeats and a trim from before it are not counted", () => {
    const readings = [at(0, 0, 0), at(1, 1, 200), at(2, 1, 200), at(3, 2, 205), at(4, 2, 205), at(5, 4, 210)];
    // Minute 2 still shows the trim of minute 1, before the warm-up ended: not a level of the soak.
    assert.deepEqual(
      trimLevels(readings, 2 * 60_000).map((b) => b / MiB),
      [205, 210],
    );
    assert.deepEqual(
      trimLevels(readings, 0).map((b) => b / MiB),
      [200, 205, 210],
    );
  });

  test("growth compares the medians of the first and last thirds of the levels", () => {
    const levels = [200, 210, 200, 204, 206, 205, 208, 212, 210].map((m) => m * MiB);
    assert.deepEqual(trimGrowth(levels), { trims: 9, warmMiB: 200, endMiB: 210, growthPercent: 5 });
  });

  test("fewer than three trims: nothing to judge", () => {
    assert.equal(trimGrowth([200 * MiB, 210 * MiB]), undefined);
  });
});
