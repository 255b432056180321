// The README's first command: `npm run demo` ships v2 (promoted) and v3 (rolled back by ramp on its own).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { repoRoot } from "../../dev/yaml.ts";

test("npm run demo: v2 is promoted and v3 is rolled back, each with its reason", {
  timeout: 300_000,
}, async () => {
  const child = spawn(process.execPath, [join(repoRoot, "scripts", "demo.ts"), "--non-interactive"], {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => {
    out += d;
  });
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    out += d;
  });
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  assert.equal(code, 0, out.slice(-3000));
  assert.match(out, /ramp demo │ +demo:v2 +promoted/);
  assert.match(
    out,
    /ramp demo │ +demo:v3 +rolled back \(AnalysisFailed: metric success-rate: value 0\.\d+ did not meet successCondition "result\[0\] >= 0\.95"/,
  );
  assert.match(out, /demo:v2: Paused step 1\/8 weight 10%/, "progress was shown while it ran");
});
