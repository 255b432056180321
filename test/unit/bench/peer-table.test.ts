// The peer bench's table: one column per round in the order run, ramp's rounds averaged into the ratios,
// and a dash where a figure is missing (no rollback pass) rather than a made-up number.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { PeerPass } from "../../../scripts/bench/peer/pass.ts";
import type { RoundResult } from "../../../scripts/bench/peer/round.ts";
import { ratio, ratios, renderTable } from "../../../scripts/bench/peer/table.ts";

const spread = (p50: number, p99 = p50) => ({ n: 10, p50, p99, max: p99 });

function pass(kind: PeerPass["kind"], seconds: number, writes: number): PeerPass {
  return {
    kind,
    rollouts: 10,
    totalSeconds: seconds,
    perRolloutSeconds: spread(seconds),
    ...(kind === "promote" ? { overheadSeconds: { p50: seconds - 10, p99: seconds - 10 } } : {}),
    specChangeToCanaryReplicaSetMs: spread(100),
    failedMeasurementToZeroCanaryMs: spread(500),
    failedMeasurementStampToZeroCanaryMs: spread(900),
    controllerCpuSeconds: 1,
    apiserverCpuSeconds: 2,
    client: { requests: {}, writes: 0, reads: 0, writesPerRolloutPerStep: writes },
    apiserver: { writes: 0, reads: 0, other: 0, allClientsByResource: {}, writesPerRolloutPerStep: writes },
    otherControllers: [],
  };
}

function round(
  contender: RoundResult["contender"],
  seconds: number,
  rss: number,
  rollback = true,
): RoundResult {
  return {
    contender,
    namespace: `ns-${contender}`,
    idleRssMiB: rss / 2,
    peakRssMiB: rss,
    settledRssMiB: rss - 10,
    createSeconds: 1,
    firstHealthySeconds: 2,
    passes: [pass("promote", seconds, 3), ...(rollback ? [pass("rollback", 5, 2)] : [])],
    controllerCpuSeconds: 3,
    otherControllersAtStart: [],
  };
}

test("ratio is ramp over the other, two decimals, undefined without both or over 0", () => {
  assert.equal(ratio(1, 3), 0.33);
  assert.equal(ratio(undefined, 3), undefined);
  assert.equal(ratio(1, 0), undefined);
});

test("ramp's rounds are averaged for the ratios; each round keeps its own column", () => {
  const rounds = [
    round("ramp", 12, 100),
    round("argo-defaults", 40, 80),
    round("argo-lifted", 20, 80),
    round("ramp", 14, 120),
  ];
  const r = ratios(rounds);
  assert.deepEqual(r["Rollout completion p50 (s)"], { rampOverDefaults: 0.33, rampOverLifted: 0.65 });
  assert.deepEqual(r["peak RSS (MiB)"], { rampOverDefaults: 1.38, rampOverLifted: 1.38 });
  const table = renderTable(rounds);
  const header = table.split("\n")[0] ?? "";
  assert.match(header, /ramp #1 \| argo-defaults #2 \| argo-lifted #3 \| ramp #4 \| ramp ÷ argo defaults/);
  const row = table.split("\n").find((l) => l.startsWith("| Rollout completion p50 (s)")) ?? "";
  assert.deepEqual(
    row
      .split("|")
      .map((c) => c.trim())
      .filter((c) => c !== ""),
    ["Rollout completion p50 (s)", "12", "40", "20", "14", "0.33", "0.65"],
  );
});

test("a figure no round has (no rollback pass) is a dash, never a number", () => {
  const rounds = [round("ramp", 12, 100, false), round("argo-defaults", 40, 80, false)];
  const row =
    renderTable(rounds)
      .split("\n")
      .find((l) => l.startsWith("| failed measurement → 0% p50")) ?? "";
  assert.deepEqual(
    row
      .split("|")
      .map((c) => c.trim())
      .filter((c) => c !== ""),
    ["failed measurement → 0% p50 (ms)", "-", "-", "-", "-"],
  );
});
