// npm run bench -- --peer argo-rollouts: the bench's workload under ramp and under Argo Rollouts, one
// controller at a time on the same local control plane, in the order ramp, Argo (defaults), Argo (client
// limits lifted), ramp, each in a fresh namespace; the figures side by side and as JSON.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { clusterUp } from "../../../dev/cluster/control-plane.ts";
import { buildScript, localPaths, versions } from "../../../dev/cluster/paths.ts";
import { readPidFiles } from "../../../dev/cluster/processes.ts";
import { applyCrds, installCrds } from "../../../dev/crds.ts";
import { kubectl, loadKubeConfig } from "../../../dev/kube.ts";
import {
  ensurePrometheusInstalled,
  type PrometheusHandle,
  startPrometheus,
} from "../../../dev/prometheus.ts";
import { repoRoot } from "../../../dev/yaml.ts";
import { CRDS } from "../../../src/crd/definitions.ts";
import { Infra } from "../infra.ts";
import type { BenchOptions } from "../options.ts";
import { round } from "../report.ts";
import { benchClients } from "../workload.ts";
import { argoVersions, buildArgo, installArgoCrds } from "./argo-process.ts";
import { benchIdentity } from "./identity.ts";
import { type RampBuild, rampAtHead } from "./ramp-build.ts";
import { type Contender, type RoundEnv, type RoundResult, runRound } from "./round.ts";
import { type Ratios, ratios, renderTable } from "./table.ts";

/** "Lifted": far above what the apiserver here can serve, so the client never throttles. */
export const LIFTED = { qps: 1000, burst: 2000 };

export const ORDER: Contender[] = [
  { label: "ramp", kind: "ramp" },
  { label: "argo-defaults", kind: "argo", limits: "defaults" },
  { label: "argo-lifted", kind: "argo", limits: LIFTED },
  { label: "ramp", kind: "ramp" },
];

export type PeerResult = {
  kind: "peer";
  version: 1;
  startedAt: string;
  finishedAt: string;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string; loadAverageAtStart: number[] };
  versions: {
    /** The commit ramp was built from, or "working tree (--source)". */
    ramp: string;
    /** Node flags of ramp's image (its Dockerfile at that commit), then --node-args. */
    rampNodeArgs: string[];
    /** src/ files that differed from HEAD when the run started (not part of what ran, unless --source). */
    uncommittedSrc: string[];
    argoRollouts: string;
    argoCrds: string;
    kubernetes: string;
  };
  options: {
    rollouts: number;
    replicas: number;
    steps: unknown[];
    ship: number;
    workers: number;
    argoLifted: typeof LIFTED;
    rollback: boolean;
  };
  order: string[];
  rounds: RoundResult[];
  ratios: Ratios;
};

const say = (msg: string) => process.stderr.write(`peer │ ${msg}\n`);
const git = (args: string[]) => execFileSync("git", args, { cwd: repoRoot, encoding: "utf8" }).trim();

export async function runPeer(opts: BenchOptions): Promise<number> {
  const startedAt = new Date();
  const loadAverageAtStart = loadavg().map((l) => round(l, 2));
  const build = spawnSync("bash", [buildScript], { stdio: ["ignore", 2, 2] });
  if (build.status !== 0) throw new Error(`${buildScript} failed (exit ${build.status ?? build.signal})`);
  const argo = argoVersions();
  const argoBin = buildArgo();
  await clusterUp({ log: say });
  const ramp: RampBuild | undefined = opts.source ? undefined : rampAtHead(say);
  if (ramp)
    await applyCrds(
      [ramp.crdDir],
      CRDS.map((d) => `${d.plural}.ramp.dev`),
      "ramp's CRDs at HEAD",
    );
  else await installCrds();
  await installArgoCrds(argo);
  const infra = new Infra(say);
  let prometheus: PrometheusHandle | undefined;
  let env: RoundEnv | undefined;
  // Ctrl-C stops the controller and Prometheus, and deletes the round's namespace and the added Nodes.
  const stopOnSignal = () => {
    say("interrupted: cleaning up");
    const ns = env?.current?.namespace;
    void Promise.allSettled([
      env?.current?.controller?.stop(),
      prometheus?.stop(),
      ns && !opts.keep ? kubectl(["delete", "namespace", ns, "--wait=false"]) : undefined,
      opts.keep ? undefined : infra.cleanup(),
    ]).then(() => process.exit(130));
  };
  process.once("SIGINT", stopOnSignal);
  process.once("SIGTERM", stopOnSignal);
  try {
    await infra.nodesFor(opts.rollouts * (opts.replicas + 1));
    if (opts.rollback) {
      await ensurePrometheusInstalled();
      prometheus = await startPrometheus({ scrapeConfigs: [] });
    }
    const kc = loadKubeConfig();
    const apiserver = (await readPidFiles(localPaths().pidsDir)).find((p) => p.name === "kube-apiserver");
    if (!apiserver) throw new Error("no kube-apiserver PID file: is the local control plane up?");
    env = {
      opts,
      kc,
      clients: benchClients(kc),
      argoBin,
      kubeconfig: await benchIdentity(),
      ramp: ramp ?? { entry: "src/controller/main.ts", nodeArgs: [] },
      apiserverPid: apiserver.pid,
      prometheusUrl: prometheus?.url,
      say,
    };
    const rounds: RoundResult[] = [];
    for (const c of ORDER) rounds.push(await runRound(env, c));
    const result: PeerResult = {
      kind: "peer",
      version: 1,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? "unknown",
        memoryGiB: round(totalmem() / 1024 ** 3),
        node: process.version,
        loadAverageAtStart,
      },
      versions: {
        ramp: ramp ? ramp.commit : `working tree (--source) at ${git(["rev-parse", "HEAD"])}`,
        rampNodeArgs: [...(ramp?.nodeArgs ?? []), ...opts.nodeArgs],
        uncommittedSrc: ramp?.uncommittedSrc ?? [],
        argoRollouts: argo.version,
        argoCrds: `${argo.crdVersion} (byte-identical to ${argo.version}'s, checked)`,
        kubernetes: versions().k8s,
      },
      options: {
        rollouts: opts.rollouts,
        replicas: opts.replicas,
        steps: opts.steps,
        ship: opts.ship,
        workers: opts.workers,
        argoLifted: LIFTED,
        rollback: opts.rollback,
      },
      order: ORDER.map((c) => c.label),
      rounds,
      ratios: ratios(rounds),
    };
    const out =
      opts.out ??
      join(
        repoRoot,
        "bench",
        "results",
        `peer-${opts.rollouts}-${startedAt.toISOString().replace(/[:.]/g, "-")}.json`,
      );
    mkdirSync(join(out, ".."), { recursive: true });
    writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(`${heading(result)}\n${renderTable(rounds)}\nresults: ${out}\n`);
    return 0;
  } finally {
    await prometheus?.stop();
    if (!opts.keep) await infra.cleanup();
  }
}

const heading = (r: PeerResult) =>
  `ramp ${r.versions.ramp.slice(0, 12)} vs Argo Rollouts ${r.versions.argoRollouts} (lifted: --qps ${r.options.argoLifted.qps} --burst ${r.options.argoLifted.burst}): ${r.options.rollouts} Rollouts x ${r.options.replicas} replicas, Kubernetes ${r.versions.kubernetes}, ${r.machine.cpus} CPUs (${r.machine.cpuModel}), ${r.startedAt}`;
