// The folders are the architecture: leaves never import the orchestration, the core never imports a
// strategy, a strategy never imports the Reconciler. Biome's noRestrictedImports (biome.json) enforces it
// on every `npm run lint`; this proves the rule bites, and that the tree as it stands obeys it.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { describe, test } from "node:test";

const root = resolve(import.meta.dirname, "../..");
const biome = join(root, "node_modules/.bin/biome");

/** Biome's verdict on `source` at `path`, in a scratch tree with the repository's own biome.json rules. */
function lint(path: string, source: string): { ok: boolean; out: string } {
  const dir = mkdtempSync(join(tmpdir(), "ramp-arch-"));
  try {
    const config = JSON.parse(readFileSync(join(root, "biome.json"), "utf8")) as Record<string, unknown>;
    // The scratch tree is no git checkout, and the probe is the only file to read.
    delete config.vcs;
    config.files = { includes: ["**"] };
    writeFileSync(join(dir, "biome.json"), JSON.stringify(config));
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), source);
    const r = spawnSync(biome, ["lint", path], { cwd: dir, encoding: "utf8" });
    return { ok: !/noRestrictedImports/.test(r.stdout + r.stderr), out: r.stdout + r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const cases: [string, string, boolean][] = [
  ["src/traffic/probe.ts", "../reconcile/plan.ts", false],
  ["src/analysis/providers/probe.ts", "../../strategy/canary/steps.ts", false],
  ["src/kube/probe.ts", "../core/context.ts", false],
  ["src/api/probe.ts", "../cli/run.ts", false],
  ["src/core/probe.ts", "../strategy/canary/plan.ts", false],
  ["src/strategy/canary/probe.ts", "../../reconcile/apply.ts", false],
  ["src/strategy/canary/probe.ts", "../../core/plan.ts", true],
  ["src/reconcile/probe.ts", "../strategy/canary/plan.ts", true],
  ["src/traffic/probe.ts", "../kube/hash.ts", true],
];

describe("architecture: import direction", () => {
  for (const [file, spec, allowed] of cases) {
    test(`${file} importing ${spec}: ${allowed ? "allowed" : "refused"}`, () => {
      const { ok, out } = lint(file, `import { x } from "${spec}";\nexport const y = x;\n`);
      assert.equal(ok, allowed, out);
    });
  }

  test("no leaf module imports the orchestration today (read from the files, not trusted to the linter)", () => {
    const leaves = ["api", "kube", "traffic", "analysis", "cel", "notify"];
    const orchestration = /\/(core|strategy|reconcile|controller|cli)\//;
    const offenders: string[] = [];
    const walk = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
      );
    for (const leaf of leaves) {
      for (const f of walk(join(root, "src", leaf))) {
        for (const m of readFileSync(f, "utf8").matchAll(/from "(\.[^"]+)"/g)) {
          const target = relative(join(root, "src"), resolve(f, "..", m[1] ?? ""));
          if (orchestration.test(`/${target}`)) offenders.push(`${relative(root, f)} → ${m[1]}`);
        }
      }
    }
    assert.deepEqual(offenders, []);
  });
});
