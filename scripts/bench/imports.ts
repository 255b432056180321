// npm run bench:imports: what each dependency (and each part of ramp's build) costs a fresh process on
// import: resident memory, live heap, code space and external memory, after a full collection, each in
// its own node with the image's flags, median of a few runs (docs/performance.md, "Where the memory goes").
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { repoRoot } from "../../dev/yaml.ts";
import { buildDist, imageEntry } from "./entrypoint.ts";

/** Bare names resolve from the repository; paths are dist/ modules (built first). */
export const DEFAULT_MODULES = [
  "@kubernetes/client-node",
  "pino",
  "prom-client",
  "zod",
  "@marcbachmann/cel-js",
  "xstate",
  "axios",
  "prometheus-query",
  "yaml",
  "cloudevents",
  "undici",
  "dist/controller/manager.js",
];

// Run in the child: a baseline, the import, and again; every reading after a synchronous full collection.
const PROBE = `
const v8 = await import("node:v8");
const read = () => {
  globalThis.gc({ type: "major", execution: "sync" });
  const m = process.memoryUsage();
  const code = v8.getHeapSpaceStatistics().find((s) => s.space_name === "code_space");
  return { rss: m.rss, heap: m.heapUsed, code: code ? code.space_used_size : 0, external: m.external, buffers: m.arrayBuffers };
};
const before = read();
await import(process.env.RAMP_PROBE_MODULE);
const after = read();
process.stdout.write(JSON.stringify({ before, after }));
`;

type Reading = { rss: number; heap: number; code: number; external: number; buffers: number };
export type ImportCost = { module: string } & Reading;

function probeOnce(target: string, nodeArgs: string[]): Reading {
  const run = spawnSync(process.execPath, [...nodeArgs, "--expose-gc", "--input-type=module", "-e", PROBE], {
    cwd: repoRoot,
    encoding: "utf8",
    env: { ...process.env, RAMP_PROBE_MODULE: target },
  });
  if (run.status !== 0) throw new Error(`import ${target} failed: ${run.stderr}`);
  const { before, after } = JSON.parse(run.stdout) as { before: Reading; after: Reading };
  return {
    rss: after.rss - before.rss,
    heap: after.heap - before.heap,
    code: after.code - before.code,
    external: after.external - before.external,
    buffers: after.buffers - before.buffers,
  };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

export function importCost(module: string, nodeArgs: string[], runs = 5): ImportCost {
  const target = module.startsWith("dist/") ? pathToFileURL(join(repoRoot, module)).href : module;
  const readings = Array.from({ length: runs }, () => probeOnce(target, nodeArgs));
  const pick = (k: keyof Reading) => median(readings.map((r) => r[k]));
  return {
    module,
    rss: pick("rss"),
    heap: pick("heap"),
    code: pick("code"),
    external: pick("external"),
    buffers: pick("buffers"),
  };
}

const mib = (b: number) => (b / 1048576).toFixed(1);

function main(argv: string[]): void {
  const modules = argv.length > 0 ? argv : DEFAULT_MODULES;
  if (modules.some((m) => m.startsWith("dist/"))) buildDist();
  const { nodeArgs } = imageEntry();
  process.stdout.write(`node ${nodeArgs.join(" ")}; MiB after a full collection, median of 5 runs\n`);
  process.stdout.write(
    "| module | RSS | heap used | code space | external | array buffers |\n|---|---|---|---|---|---|\n",
  );
  for (const m of modules) {
    const c = importCost(m, nodeArgs);
    process.stdout.write(
      `| ${m} | ${mib(c.rss)} | ${mib(c.heap)} | ${mib(c.code)} | ${mib(c.external)} | ${mib(c.buffers)} |\n`,
    );
  }
}

if (import.meta.main) main(process.argv.slice(2));
