// The README's first command: `npm run demo` ships v2 (promoted) and v3 (rolled back by ramp on its own),
// through Traefik, printing the split it measured there at each step.
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
  // The split Traefik actually made, measured from the demo's own requests, at each step of v2.
  for (const [weight, v1] of [
    ["10", /demo:v1 (8[5-9]|9[0-5])\.\d%/],
    ["25", /demo:v1 (7[0-9]|80)\.\d%/],
    ["50", /demo:v1 (4[5-9]|5[0-5])\.\d%/],
  ] as const) {
    const line = out.match(new RegExp(`measured at Traefik, weight ${weight}%: .*`))?.[0] ?? "";
    assert.match(line, v1, `the measured split at ${weight}%: ${line}`);
  }
  assert.match(out, /measured at Traefik, weight 100%: demo:v2 100\.0% of \d+ requests/);
});
