import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, test } from "node:test";
import { repoRoot } from "../../../dev/yaml.ts";
import {
  QUIET_SLACK_BYTES,
  shouldTrim,
  TRIM_SLACK_BYTES,
  trimNow,
} from "../../../src/controller/memory-trim.ts";

const MiB = 1024 * 1024;

describe("shouldTrim", () => {
  const last = { rss: 300 * MiB, heapUsed: 100 * MiB };
  test("memory outside the live heap grown by more than the slack: trim", () => {
    assert.equal(shouldTrim({ rss: 300 * MiB + TRIM_SLACK_BYTES + 1, heapUsed: 100 * MiB }, last), true);
  });
  test("growth the live heap explains is not trimmed, nor growth within the slack", () => {
    assert.equal(shouldTrim({ rss: 500 * MiB, heapUsed: 300 * MiB }, last), false);
    assert.equal(shouldTrim({ rss: 300 * MiB + TRIM_SLACK_BYTES, heapUsed: 100 * MiB }, last), false);
  });
});

describe("trimNow", () => {
  const last = { rss: 300 * MiB, heapUsed: 100 * MiB };
  const grown = { rss: 300 * MiB + QUIET_SLACK_BYTES + 1, heapUsed: 100 * MiB };
  test("a quiet process (a burst is over) trims past the smaller slack, without waiting for the interval", () => {
    assert.equal(trimNow(grown, last, { due: false, quiet: true }), true);
  });
  test("a busy one waits for the interval and the larger slack", () => {
    assert.equal(trimNow(grown, last, { due: false, quiet: false }), false);
    assert.equal(trimNow(grown, last, { due: true, quiet: false }), false);
    const more = { rss: 300 * MiB + TRIM_SLACK_BYTES + 1, heapUsed: 100 * MiB };
    assert.equal(trimNow(more, last, { due: true, quiet: false }), true);
  });
  test("quiet and within the smaller slack: nothing to give back", () => {
    assert.equal(trimNow(last, last, { due: true, quiet: true }), false);
  });
});

// A real V8: churn builds the page pool a busy controller keeps; the trim must give it back.
const script = (intervalMs: number) => `
  const { startMemoryTrim } = await import(${JSON.stringify(join(repoRoot, "src/controller/memory-trim.ts"))});
  const { createMetrics } = await import(${JSON.stringify(join(repoRoot, "src/observability/metrics.ts"))});
  const lines = [];
  const log = { info: (o, msg) => lines.push({ ...o, msg }) };
  const metrics = createMetrics({ defaultMetrics: false });
  const trim = startMemoryTrim({ log, metrics: metrics.memory, intervalMs: ${intervalMs} });
  let cache = new Map();
  for (let round = 0; round < 30; round++)
    for (let i = 0; i < 60000; i++) cache.set(i, { s: "x".repeat(300) + i + round, a: [round, i, { i }] });
  cache = new Map();
  // An ordinary full collection, as the controller's own happen: the freed pages go to V8's pool.
  globalThis.gc?.();
  await new Promise((r) => setTimeout(r, ${intervalMs * 3}));
  trim?.stop();
  const value = async (name) => (await metrics.registry.getSingleMetric(name).get()).values[0]?.value;
  const exported = {
    trims: await value("ramp_memory_trims_total"),
    rss: await value("ramp_memory_resident_after_trim_bytes"),
    heap: await value("ramp_memory_heap_used_after_trim_bytes"),
  };
  process.stdout.write(JSON.stringify({ started: trim !== undefined, lines, exported }));
`;

const run = (nodeArgs: string[]) => {
  const out = spawnSync(process.execPath, [...nodeArgs, "--input-type=module", "-e", script(300)], {
    encoding: "utf8",
  });
  assert.equal(out.status, 0, out.stderr);
  return JSON.parse(out.stdout) as {
    started: boolean;
    lines: { msg: string; rssMiB: number[] }[];
    exported: { trims: number; rss: number; heap: number };
  };
};

describe("startMemoryTrim in a real process", () => {
  test("with --expose-gc, the pool a burst left is given back", () => {
    const result = run(["--expose-gc", "--max-semi-space-size=4", "--heap-growing-percent=50"]);
    assert.equal(result.started, true);
    const trims = result.lines.filter((l) => l.msg === "memory trimmed");
    assert.ok(trims.length >= 1, `no trim: ${JSON.stringify(result.lines)}`);
    const [before = 0, after = 0] = trims[0]?.rssMiB ?? [];
    assert.ok(after < before, `RSS ${before} → ${after} MiB`);
    // The gauges hold the last trim's result, the one a soak reads for growth.
    assert.equal(result.exported.trims, trims.length);
    const lastAfter = trims.at(-1)?.rssMiB[1] ?? 0;
    assert.ok(
      Math.abs(result.exported.rss / 1048576 - lastAfter) <= 1,
      `${result.exported.rss} vs ${lastAfter} MiB`,
    );
    assert.ok(result.exported.heap > 0 && result.exported.heap < result.exported.rss);
  });
  test("without --expose-gc it does nothing", () => {
    assert.deepEqual(run([]), { started: false, lines: [], exported: { trims: 0, rss: 0, heap: 0 } });
  });
});
