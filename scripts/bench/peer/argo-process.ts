// Argo Rollouts' controller for the peer bench: built from its Go module (scripts/cluster/
// build-argo-rollouts.sh, cached), its CRDs installed from the module, and run as a local process against
// the bench's kubeconfig (out of cluster), watching one namespace, its client rate limits at its defaults or
// lifted. Its /metrics serves its client's request counter, read as ramp's is.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "../../../dev/cluster/health.ts";
import { versionsFile } from "../../../dev/cluster/paths.ts";
import { type ControllerProcess, superviseProcess } from "../../../dev/controller.ts";
import { installMigrationCrds } from "../../../dev/migration-crds.ts";
import type { Scrape } from "../../../dev/scrape.ts";
import { repoRoot } from "../../../dev/yaml.ts";
import type { RequestCounts } from "../sampler.ts";

export type ArgoVersions = { version: string; crdVersion: string; toolchain: string; crdDir: string };

/** The pins of scripts/cluster/versions.sh, read as build-argo-rollouts.sh reads them. */
export function argoVersions(): ArgoVersions {
  const names = [
    "ARGO_ROLLOUTS_BENCH_VERSION",
    "ARGO_ROLLOUTS_VERSION",
    "ARGO_ROLLOUTS_GOTOOLCHAIN",
    "UPSTREAM_CRDS",
  ];
  const script = `. "$1"; ${names.map((n) => `printf '%s\\n' "$${n}"`).join("; ")}`;
  const [version = "", crdVersion = "", toolchain = "", crds = ""] = execFileSync(
    "bash",
    ["-c", script, "versions", versionsFile],
    { encoding: "utf8" },
  ).split("\n");
  return { version, crdVersion, toolchain, crdDir: join(crds, `argo-rollouts-${crdVersion}`) };
}

/** Builds the controller once (10-30 minutes), then prints the cached binary's path at once. */
export function buildArgo(): string {
  const script = join(repoRoot, "scripts", "cluster", "build-argo-rollouts.sh");
  const run = spawnSync("bash", [script], { stdio: ["ignore", "pipe", 2], encoding: "utf8" });
  if (run.status !== 0) throw new Error(`${script} failed (exit ${run.status ?? run.signal})`);
  return run.stdout.trim();
}

/**
 * Installs Argo's CRDs the way the migrate tests do (dev/migration-crds.ts, their pinned version), after
 * checking that they are byte for byte the CRDs of the version the bench runs, from its module.
 */
export async function installArgoCrds(v: ArgoVersions): Promise<void> {
  await installMigrationCrds();
  const gomodcache = execFileSync("go", ["env", "GOMODCACHE"], { encoding: "utf8" }).trim();
  const benchDir = join(
    gomodcache,
    "github.com",
    "argoproj",
    `argo-rollouts@${v.version}`,
    "manifests",
    "crds",
  );
  for (const f of readdirSync(v.crdDir).filter((n) => n.endsWith(".yaml"))) {
    if (readFileSync(join(v.crdDir, f), "utf8") !== readFileSync(join(benchDir, f), "utf8"))
      throw new Error(
        `${f} of argo-rollouts ${v.crdVersion} differs from ${v.version}'s: install the bench's own`,
      );
  }
}

export type ArgoLimits = { qps: number; burst: number } | "defaults";

/** Starts the controller on one namespace, without leader election (ramp's bench runs without it too). */
export async function startArgo(
  bin: string,
  opts: { name: string; namespace: string; limits: ArgoLimits; kubeconfig: string },
): Promise<ControllerProcess> {
  const [metricsPort, healthPort] = [await freePort(), await freePort()];
  const args = [
    "--kubeconfig",
    opts.kubeconfig,
    "--namespaced",
    "--namespace",
    opts.namespace,
    "--leader-elect=false",
    "--loglevel",
    "info",
    "--metricsPort",
    String(metricsPort),
    "--healthzPort",
    String(healthPort),
    ...(opts.limits === "defaults"
      ? []
      : ["--qps", String(opts.limits.qps), "--burst", String(opts.limits.burst)]),
  ];
  const child = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
  return superviseProcess(child, {
    label: "argo-rollouts",
    name: opts.name,
    metricsPort,
    healthPort,
    timeoutMs: 60_000,
    intervalMs: 200,
  });
}

// Argo's counter labels a request by the path segment before the name: a status write's "kind" is the
// object's name, and a create whose body is protobuf (ReplicaSets, Events) has none. Both are still counted.
const RESOURCES = new Set([
  "rollouts",
  "replicasets",
  "events",
  "analysisruns",
  "analysistemplates",
  "experiments",
  "services",
  "pods",
]);
const resourceOf = (kind: string, verb: string) =>
  kind === "" && verb === "create" ? "(protobuf body)" : RESOURCES.has(kind) ? kind : "*/status";

/** `verb resource` → Argo's client requests so far, from controller_clientset_k8s_request_total. */
export function argoRequestCounts(scraped: Scrape): RequestCounts {
  const counts: RequestCounts = {};
  for (const s of scraped.find("controller_clientset_k8s_request_total")) {
    const verb = (s.labels.verb ?? "").toLowerCase();
    const key = `${verb} ${resourceOf(s.labels.kind ?? "", verb)}`;
    counts[key] = (counts[key] ?? 0) + s.value;
  }
  return counts;
}
