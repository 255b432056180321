// The benchmark harness itself, at a tiny size: it runs to the end on the real control plane and writes a
// well-formed result. Its figures are never asserted here; `npm run bench` is where they are read.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { repoRoot } from "../../../dev/yaml.ts";
import { BenchResult } from "../../../scripts/bench/report.ts";

describe("npm run bench (smoke)", () => {
  test("20 Rollouts through a promote pass, a rollback pass and a 1-minute soak: exits 0 and writes the JSON result", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "ramp-bench-")), "result.json");
    const child = spawn(
      process.execPath,
      [
        "scripts/bench/main.ts",
        "--rollouts",
        "20",
        "--steps",
        "25,1s,50,1s",
        "--timeout",
        "5m",
        "--history",
        "1",
        "--soak",
        "1m",
        "--out",
        out,
      ],
      { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] },
    );
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    assert.equal(code, 0, output);
    const result = BenchResult.parse(JSON.parse(readFileSync(out, "utf8")));
    assert.equal(result.options.rollouts, 20);
    assert.deepEqual(
      result.passes.map((p) => [p.kind, p.perRolloutSeconds.n]),
      [
        ["promote", 20],
        ["rollback", 20],
      ],
    );
    assert.match(output, /pass "promote" \(p50 \/ p99 \/ max\):/);
    // The soak read the controller's own cache sizes; history 1 keeps at most the current, the stable
    // and one old ReplicaSet of each Rollout.
    assert.equal(result.options.history, 1);
    assert.equal(result.soak?.rolloutsCycled, 20);
    assert.equal(result.soak?.cacheObjects?.end.rollouts, 20);
    assert.ok((result.soak?.cacheObjects?.end.replicasets ?? 0) <= 60, JSON.stringify(result.soak));
    assert.match(output, /soak 1 min, cycling over 20 Rollouts:/);
  });
});
