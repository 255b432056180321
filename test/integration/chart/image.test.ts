// Given the Dockerfile (no container engine here to build it), when its stages are carried out by the
// test interpreter, then the image holds production dependencies only, src/ compiled to dist/ (no
// TypeScript left to strip at run time), a non-root distroless Node 24 runtime, and its entrypoint runs
// the controller.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { parse } from "yaml";
import { inContext, parseDockerfile, type StagedImage, stageImage } from "../../../dev/image.ts";
import { repoRoot } from "../../../dev/yaml.ts";
import pkg from "../../../package.json" with { type: "json" };
import { chartDir } from "../../support/chart.ts";

const dockerfile = readFileSync(join(repoRoot, "Dockerfile"), "utf8");
const values = parse(readFileSync(join(chartDir, "values.yaml"), "utf8")) as {
  image: { repository: string };
  podSecurityContext: { runAsUser: number; runAsGroup: number };
  metrics: { port: number };
  health: { port: number };
};

describe("the controller image (Dockerfile)", () => {
  let image: StagedImage | undefined;
  before(() => {
    image = stageImage();
  });
  after(() => image?.cleanup());

  test("Node 24 installs and compiles, a distroless Node 24 runs as the chart's non-root user", () => {
    const stages = parseDockerfile(dockerfile);
    assert.equal(stages.length, 3);
    // Each base pinned by digest (the tag kept for people), so a rebuild cannot pick up other bytes.
    const pinned = /@sha256:[0-9a-f]{64}$/;
    assert.match(stages[0]?.base ?? "", /^node:24[-.]/);
    assert.match(stages[1]?.base ?? "", /^node:24[-.]/);
    assert.match(stages[2]?.base ?? "", /^gcr\.io\/distroless\/nodejs24-debian\d+:nonroot@/);
    for (const s of stages) assert.match(s.base, pinned, `${s.base} is pinned by digest`);
    assert.ok(image);
    assert.equal(
      image.user,
      `${values.podSecurityContext.runAsUser}:${values.podSecurityContext.runAsGroup}`,
    );
    assert.notEqual(values.podSecurityContext.runAsUser, 0);
    assert.deepEqual(image.entrypoint, [
      "/nodejs/bin/node",
      "--max-semi-space-size=4",
      "--heap-growing-percent=50",
      "--expose-gc",
      "dist/bundle/main.js",
    ]);
    assert.deepEqual(image.cmd, [
      `--metrics-addr=:${values.metrics.port}`,
      `--health-addr=:${values.health.port}`,
    ]);
    assert.equal(image.env.NODE_ENV, "production");
    assert.match(dockerfile, new RegExp(`${values.image.repository.replaceAll(".", "\\.")}:${pkg.version}`));
  });

  test(".dockerignore sends the image's inputs and nothing else (no state, credentials or caches)", () => {
    for (const p of [
      "package.json",
      "package-lock.json",
      "tsconfig.json",
      "tsconfig.build.json",
      "src/controller/main.ts",
      "src/analysis/condition-worker.ts",
    ]) {
      assert.ok(inContext(p), `${p} is sent`);
    }
    for (const p of [
      ".ramp/local/kubeconfig",
      ".git/config",
      "node_modules/node/bin/node",
      "dev/kube.ts",
      "chart/values.yaml",
      ".env",
    ]) {
      assert.ok(!inContext(p), `${p} is not sent`);
    }
  });

  test("production dependencies only, and the controller as JavaScript: no .ts, no compiler", () => {
    assert.ok(image);
    const workdir = image.workdir;
    const modules = join(workdir, "node_modules");
    for (const dep of Object.keys(pkg.dependencies))
      assert.ok(existsSync(join(modules, dep)), `${dep} installed`);
    // The lock marks what only devDependencies need ("dev": true): none of it may be in the image.
    const lock = JSON.parse(readFileSync(join(repoRoot, "package-lock.json"), "utf8")) as {
      packages: Record<string, { dev?: boolean }>;
    };
    const devOnly = Object.entries(lock.packages).filter(([path, p]) => path !== "" && p.dev);
    assert.ok(
      devOnly.some(([path]) => path === "node_modules/typescript"),
      "the lock marks dev-only packages",
    );
    const shipped = devOnly.filter(([path]) => existsSync(join(workdir, path))).map(([path]) => path);
    assert.deepEqual(shipped, [], "dev-only packages in the image");
    assert.ok(existsSync(join(workdir, "dist", "controller", "main.js")));
    const ts = readdirSync(join(workdir, "dist"), { recursive: true }).filter((f) =>
      String(f).endsWith(".ts"),
    );
    assert.deepEqual(ts, [], "TypeScript in dist/");
    for (const gone of ["src", "test", ".tsc"])
      assert.ok(!existsSync(join(workdir, gone)), `no ${gone}/ in the image`);
  });

  test("the compiled condition worker loads beside its module and evaluates", () => {
    assert.ok(image);
    const script = `
      const { ConditionEvaluator } = await import("./dist/analysis/conditions.js");
      const e = new ConditionEvaluator({ timeoutMs: 5000 });
      process.stdout.write(String(await e.evaluate("result > 0.5", 0.9)));
      await e.close();`;
    // No --input-type: the worker would inherit it and refuse its file.
    const run = spawnSync(process.execPath, ["-e", script], {
      cwd: image.workdir,
      env: { PATH: process.env.PATH ?? "", ...image.env },
      encoding: "utf8",
    });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, "true");
  });

  test("the bundle's condition worker, the one the entrypoint starts, loads and evaluates", () => {
    assert.ok(image);
    // The bundled thread is plain CEL over a message port: evaluate as ConditionEvaluator does.
    const script = `
      const { Worker } = await import("node:worker_threads");
      const w = new Worker(new URL("./dist/bundle/condition-worker.js", "file://" + process.cwd() + "/"));
      const answer = await new Promise((resolve, reject) => {
        w.on("error", reject);
        w.on("message", (m) => m.ready ? w.postMessage({ id: 1, expression: "result > 0.5", value: 0.9 }) : resolve(m));
      });
      process.stdout.write(JSON.stringify(answer));
      await w.terminate();`;
    const run = spawnSync(process.execPath, ["-e", script], {
      cwd: image.workdir,
      env: { PATH: process.env.PATH ?? "", ...image.env },
      encoding: "utf8",
    });
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), { id: 1, ok: true, result: true });
  });

  test("the dashboard's app is bundled at build time: ramp-dashboard serves it with no sources in the image", () => {
    assert.ok(image);
    const script = `
      const { buildAssets } = await import("./dist/dashboard/web/build.js");
      const a = await buildAssets();
      const js = [...a.files.keys()].find((n) => n.endsWith(".js"));
      process.stdout.write(JSON.stringify({ js, bytes: a.files.get(js)?.body.length, index: a.index.includes("/assets/" + js) }));`;
    const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
      cwd: image.workdir,
      env: { PATH: process.env.PATH ?? "", ...image.env },
      encoding: "utf8",
    });
    assert.equal(run.status, 0, run.stderr);
    const out = JSON.parse(run.stdout) as { js: string; bytes: number; index: boolean };
    assert.match(out.js, /^app\.[A-Z0-9]+\.js$/);
    assert.ok(out.bytes > 10_000, "the whole app");
    assert.ok(out.index, "index.html points at it");
    const help = spawnSync(process.execPath, ["dist/dashboard/main.js", "--help"], {
      cwd: image.workdir,
      env: { PATH: process.env.PATH ?? "", ...image.env },
      encoding: "utf8",
    });
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /^Usage: ramp-dashboard/);
  });

  test("the entrypoint loads the whole controller with those dependencies (--help)", () => {
    assert.ok(image);
    const [, ...args] = image.entrypoint;
    const run = spawnSync(process.execPath, [...args, "--help"], {
      cwd: image.workdir,
      env: { PATH: process.env.PATH ?? "", ...image.env },
      encoding: "utf8",
    });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^Usage: ramp-controller/);
  });
});
