// npm run demo: ramp's main job on a local cluster. Ships v2 (healthy, promoted) and v3 (30% errors,
// rolled back by ramp on its own) through a Gateway API canary checked by a real Prometheus. Traffic flows
// through Traefik (a real Gateway API implementation) to a stand-in on every pod, and the demo prints the
// split it measures there at each step.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { clusterDown, clusterUp, isClusterUp } from "../dev/cluster/control-plane.ts";
import { buildScript } from "../dev/cluster/paths.ts";
import { type ControllerProcess, startController } from "../dev/controller.ts";
import { installCrds } from "../dev/crds.ts";
import { kubeconfigPath, kubectl, loadKubeConfig, releaseRollouts } from "../dev/kube.ts";
import { ensurePrometheusInstalled, type PrometheusHandle, startPrometheus } from "../dev/prometheus.ts";
import { Traefik } from "../dev/traefik.ts";
import { PodServers } from "../dev/traffic/pods.ts";
import { installUpstreamCrds } from "../dev/upstream-crds.ts";
import { repoRoot } from "../dev/yaml.ts";
import type { RolloutStatus } from "../src/api/index.ts";

const { values: opts } = parseArgs({
  options: {
    keep: { type: "boolean", default: false },
    "non-interactive": { type: "boolean", default: false },
  },
});
const interactive = !opts["non-interactive"] && process.stdout.isTTY === true && !process.env.CI;
const NS = "ramp-demo";
const VERSIONS = { "demo:v1": 0.005, "demo:v2": 0.01, "demo:v3": 0.3 };
const say = (msg: string) => process.stdout.write(`ramp demo │ ${msg}\n`);

/** Every answer the demo's load got through Traefik in the last 30 s: when, which version, whether it failed. */
const answers: { at: number; version: string; failed: boolean }[] = [];
function split(since: number): string {
  const window = answers.filter((a) => a.at >= since);
  const by: Record<string, number> = {};
  for (const a of window) by[a.version] = (by[a.version] ?? 0) + 1;
  const parts = Object.entries(by)
    .sort()
    .map(([v, n]) => `${v} ${((n * 100) / window.length).toFixed(1)}%`);
  const failed = window.filter((a) => a.failed).length;
  return `${parts.join(", ")} of ${window.length} requests (${failed} answered 5xx)`;
}

const started: { cluster: boolean; stop: (() => Promise<unknown>)[] } = { cluster: false, stop: [] };
let stopping = false;
async function shutdown(code: number): Promise<never> {
  if (stopping) process.exit(code);
  stopping = true;
  for (const stop of started.stop.reverse()) await stop().catch(() => {});
  if (started.cluster) await clusterDown().catch(() => {});
  process.exit(code);
}
process.on("SIGINT", () => void shutdown(130));
process.on("SIGTERM", () => void shutdown(143));
process.on("SIGHUP", () => void shutdown(129));

// A demo killed without a chance to clean up (SIGKILL) leaves processes behind: the next one ends them.
const pidFile = join(repoRoot, ".ramp", "demo-pids.json");
function clearLeftovers(): void {
  if (!existsSync(pidFile)) return;
  for (const pid of JSON.parse(readFileSync(pidFile, "utf8")) as number[]) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {}
  }
  rmSync(pidFile, { force: true });
}
const remember = (pids: number[]) => {
  mkdirSync(dirname(pidFile), { recursive: true });
  const known = existsSync(pidFile) ? (JSON.parse(readFileSync(pidFile, "utf8")) as number[]) : [];
  writeFileSync(pidFile, JSON.stringify([...known, ...pids]));
};
started.stop.push(async () => rmSync(pidFile, { force: true }));

async function status(): Promise<RolloutStatus> {
  const r = await kubectl(["get", "rollout.ramp.dev", "demo", "-n", NS, "-o", "jsonpath={.status}"]);
  return r.code === 0 && r.stdout ? (JSON.parse(r.stdout) as RolloutStatus) : {};
}

/** Waits for the outcome of a release while showing it: the plugin's live view, or plain lines without a TTY. */
async function follow(version: string, done: (s: RolloutStatus) => boolean): Promise<RolloutStatus> {
  let view: ChildProcess | undefined;
  if (interactive) {
    view = spawn(join(repoRoot, "bin", "kubectl-ramp"), ["get", "rollout", "demo", "-n", NS, "--watch"], {
      stdio: ["ignore", "inherit", "inherit"],
      env: { ...process.env, KUBECONFIG: kubeconfigPath() },
    });
  }
  let last = "";
  let state = "";
  let since = Date.now();
  let reported = false;
  for (;;) {
    const s = await status();
    const line = `${version}: ${s.phase ?? "…"} step ${s.currentStepIndex ?? 0}/${s.stepCount ?? 0} weight ${s.canary?.weight ?? 0}% — ${s.message ?? ""}`;
    if (!interactive && line !== last) say(line);
    last = line;
    // Once a step has held 2 s, what Traefik actually did with the requests of its last 1.5 s.
    const now = `${s.currentPodHash}/${s.currentStepIndex}/${s.canary?.weight}`;
    if (now !== state) [state, since, reported] = [now, Date.now(), false];
    if (!reported && Date.now() - since >= 2_000 && (s.canary?.weight ?? 0) > 0) {
      say(`  measured at Traefik, weight ${s.canary?.weight}%: ${split(Date.now() - 1_500)}`);
      reported = true;
    }
    if ((s.observedGeneration ?? 0) > 0 && done(s)) {
      view?.kill("SIGINT");
      return s;
    }
    await sleep(500);
  }
}

async function release(version: string) {
  const t0 = Date.now();
  const before = await status();
  const patch = JSON.stringify([
    { op: "replace", path: "/spec/template/spec/containers/0/image", value: version },
  ]);
  await kubectl(["patch", "rollout.ramp.dev", "demo", "-n", NS, "--type=json", "-p", patch]);
  say(`shipping ${version} (${Math.round(VERSIONS[version as keyof typeof VERSIONS] * 100)}% errors)`);
  await sleep(500);
  const s = await follow(
    version,
    (x) =>
      (x.phase === "Healthy" && x.stableRS === x.currentPodHash && x.stableRS !== before.stableRS) ||
      (x.phase === "Degraded" && !!x.abort),
  );
  const outcome = s.abort ? `rolled back (${s.abort.reason}: ${s.abort.message})` : "promoted";
  say(`${version} ${outcome}`);
  return { version, outcome, seconds: Math.round((Date.now() - t0) / 1000) };
}

async function main(): Promise<void> {
  say("starting: local Kubernetes (built from source the first time), Prometheus, the controller");
  clearLeftovers();
  if (!(await isClusterUp())) {
    const build = spawnSync("bash", [buildScript], { stdio: "inherit" });
    if (build.status !== 0) await shutdown(1);
    await clusterUp({ log: (l) => say(l) });
    started.cluster = true;
  }
  await ensurePrometheusInstalled();
  await installCrds();
  await installUpstreamCrds();
  // The last demo's Rollout keeps ramp's finalizer: with its controller gone, only this lets it go.
  await releaseRollouts(NS);
  await kubectl(["delete", "namespace", NS, "--wait=true", "--ignore-not-found"], { timeoutMs: 120_000 });
  await kubectl(["create", "namespace", NS]);

  // A stand-in on every pod (its loopback twin), failing as its version does; Prometheus scrapes the
  // answers they gave to real requests.
  const pods = await PodServers.start(loadKubeConfig(), NS, {
    behaviour: Object.fromEntries(Object.entries(VERSIONS).map(([v, errors]) => [v, { errors }])),
  });
  started.stop.push(() => pods.stop());
  const metrics = await pods.serveMetrics();
  started.stop.push(() => metrics.close());
  const traefik = await Traefik.start({ namespaces: [NS], logLevel: "WARN" });
  started.stop.push(() => traefik.stop());
  remember([traefik.pid]);
  await traefik.gateway(NS, "demo-gateway");
  const prometheus: PrometheusHandle = await startPrometheus({
    port: 29090,
    scrapeConfigs: [{ job_name: "demo", static_configs: [{ targets: [metrics.address] }] }],
  });
  started.stop.push(() => prometheus.stop());
  remember([prometheus.pid]);
  const controller: ControllerProcess = await startController({
    name: "demo",
    namespace: NS,
    args: ["--log-level", "info"],
  });
  started.stop.push(() => controller.stop());
  remember([controller.pid]);

  const applied = await kubectl([
    "apply",
    "--server-side",
    "-n",
    NS,
    "-f",
    join(repoRoot, "examples", "demo"),
  ]);
  if (applied.code !== 0) {
    say(`applying examples/demo failed: ${applied.stderr}`);
    await shutdown(1);
  }
  // Real requests through Traefik, about 60 a second, for as long as the demo runs.
  let load = true;
  started.stop.push(async () => {
    load = false;
  });
  void (async () => {
    while (load) {
      await Promise.all(
        Array.from({ length: 6 }, async () => {
          const r = await traefik.send({ host: "demo.example.com", timeoutMs: 5_000 });
          // A pod's stand-in names its version in every answer, failed ones too.
          const version = r.body.startsWith("demo:") ? r.body : `no answer (HTTP ${r.status})`;
          answers.push({ at: Date.now(), version, failed: r.status !== 200 });
        }),
      );
      while ((answers[0]?.at ?? Number.POSITIVE_INFINITY) < Date.now() - 30_000) answers.shift();
      await sleep(100);
    }
  })();

  await follow("demo:v1", (s) => s.phase === "Healthy");
  say("v1 is live; traffic flows through Traefik by the HTTPRoute at about 60 requests a second");
  const results = [await release("demo:v2"), await release("demo:v3")];

  say("summary");
  for (const r of results) say(`  ${r.version.padEnd(8)} ${r.outcome}  (${r.seconds}s)`);
  if (opts.keep) {
    say("still running (Ctrl-C stops everything):");
    say(`  KUBECONFIG=${kubeconfigPath()} kubectl ramp get rollout demo -n ${NS}`);
    say(`  Prometheus: ${prometheus.url}   traffic: curl -H 'Host: demo.example.com' ${traefik.url}`);
    await new Promise(() => {});
  }
  await shutdown(results[0]?.outcome === "promoted" && results[1]?.outcome.startsWith("rolled back") ? 0 : 1);
}

main().catch(async (err: unknown) => {
  say(`failed: ${err instanceof Error ? err.message : String(err)}`);
  await shutdown(1);
});
