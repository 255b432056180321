// npm run bench:plugin: the plugin's start-up, timed as a person meets it: each sample is one whole
// `kubectl ramp …` process (kubectl finds bin/kubectl-ramp on PATH and execs it; a completion request
// is kubectl running kubectl_complete-ramp), wall clock and CPU-seconds (user + system of the process
// tree, from /proc/self/stat's cutime and cstime). `get rollout` runs against the local cluster, which
// must be up (npm run cluster:up); the Rollout it reads is created in a namespace of its own, and removed.
// Targets (issue 22): --help and a completion request ≤ 150 ms median, get rollout ≤ 400 ms median.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { binaries } from "../../dev/cluster/paths.ts";
import {
  createTestNamespace,
  deleteTestNamespace,
  kubeconfigPath,
  kubectl,
  loadKubeConfig,
} from "../../dev/kube.ts";
import { repoRoot } from "../../dev/yaml.ts";

const { values } = parseArgs({
  options: { runs: { type: "string", default: "20" }, "no-cluster": { type: "boolean", default: false } },
});
const RUNS = Number(values.runs);
const say = (msg: string) => process.stderr.write(`bench:plugin │ ${msg}\n`);

/** CPU-seconds of this process's waited-for children so far (cutime + cstime, in clock ticks of 1/100 s). */
function childCpu(): number {
  const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1]?.split(" ") ?? [];
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

const env = {
  ...process.env,
  PATH: `${join(repoRoot, "bin")}:${process.env.PATH ?? ""}`,
  KUBECONFIG: kubeconfigPath(),
};

/** One whole process: its wall-clock and CPU seconds; throws when it fails. */
function once(args: string[]): { wall: number; cpu: number } {
  const cpu = childCpu();
  const started = performance.now();
  const r = spawnSync(binaries().kubectl, args, { env, encoding: "utf8" });
  const wall = (performance.now() - started) / 1000;
  if (r.status !== 0) throw new Error(`kubectl ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return { wall, cpu: childCpu() - cpu };
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? Number.NaN;
};
const ms = (s: number) => `${Math.round(s * 1000)} ms`.padStart(8);

type Row = { name: string; target: number; wall: number[]; cpu: number[] };

function measure(name: string, args: string[], targetMs: number): Row {
  // Two runs first: they fill Node's compile cache, as any first use does once.
  once(args);
  once(args);
  const row: Row = { name, target: targetMs / 1000, wall: [], cpu: [] };
  for (let i = 0; i < RUNS; i++) {
    const s = once(args);
    row.wall.push(s.wall);
    row.cpu.push(s.cpu);
  }
  return row;
}

// The machine is shared: its load says how far wall-clock figures can be trusted (CPU-seconds less so).
const loadBefore = loadavg()[0] ?? 0;
const rows: Row[] = [];
rows.push(measure("kubectl ramp --help", ["ramp", "--help"], 150));
rows.push(measure("completion (kubectl __complete ramp p)", ["__complete", "ramp", "p"], 150));

let namespace: string | undefined;
if (!values["no-cluster"]) {
  if (!existsSync(kubeconfigPath()))
    throw new Error("no local cluster: npm run cluster:up (or --no-cluster)");
  const kc = loadKubeConfig();
  namespace = await createTestNamespace("bench-plugin", kc);
  try {
    let manifest = readFileSync(join(repoRoot, "test/fixtures/canary/three-steps.yaml"), "utf8");
    const vars = { NAME: "web", IMAGE: "app:1", PAUSE1: "1h", PAUSE2: "{}", DEADLINE: "600" };
    for (const [k, v] of Object.entries(vars)) manifest = manifest.replaceAll(`\${${k}}`, v);
    const applied = await kubectl(["apply", "-n", namespace, "-f", "-"], { input: manifest });
    if (applied.code !== 0) throw new Error(applied.stderr);
    rows.push(
      measure("kubectl ramp get rollout web", ["ramp", "get", "rollout", "web", "-n", namespace], 400),
    );
  } finally {
    await deleteTestNamespace(namespace, { wait: false, kc });
  }
}

say(
  `${RUNS} runs each, after 2 warm-up runs; Node ${process.version}; load average ${loadBefore.toFixed(1)} → ${(loadavg()[0] ?? 0).toFixed(1)}`,
);
process.stdout.write(
  `${"command".padEnd(42)}${"wall p50".padStart(9)}${"p90".padStart(9)}${"min".padStart(9)}${"CPU p50".padStart(9)}${"target".padStart(9)}\n`,
);
let missed = 0;
for (const r of rows) {
  const p50 = quantile(r.wall, 0.5);
  if (p50 > r.target) missed++;
  process.stdout.write(
    `${r.name.padEnd(42)}${ms(p50)} ${ms(quantile(r.wall, 0.9))} ${ms(Math.min(...r.wall))} ${ms(quantile(r.cpu, 0.5))} ${ms(r.target)}${p50 > r.target ? "  (missed)" : ""}\n`,
  );
}
process.exitCode = missed > 0 ? 1 : 0;
