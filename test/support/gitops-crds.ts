// Installs Argo CD's Application and Flux's Kustomization CRDs (from their Go modules, by
// scripts/cluster/gitops-crds.sh) into the local cluster, so the real apiserver validates the objects in
// examples/argocd and examples/flux against the upstream schemas.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { kubectl } from "./kube.ts";
import { repoRoot } from "./yaml.ts";

const script = join(repoRoot, "scripts", "cluster", "gitops-crds.sh");

export const GITOPS_CRDS = ["applications.argoproj.io", "kustomizations.kustomize.toolkit.fluxcd.io"];

let installed: Promise<void> | undefined;

/** Fetches (cached) and server-side applies the CRDs; once per process, idempotent across runs. */
export function installGitOpsCrds(): Promise<void> {
  installed ??= install().catch((err: unknown) => {
    installed = undefined;
    throw err;
  });
  return installed;
}

async function install(): Promise<void> {
  const fetched = spawnSync("bash", [script], { encoding: "utf8" });
  if (fetched.status !== 0) {
    throw new Error(`ramp: ${script} failed (exit ${fetched.status ?? fetched.signal}):\n${fetched.stderr}`);
  }
  const dir = fetched.stdout.trim();
  const files = readdirSync(dir).filter((f) => f.endsWith(".yaml"));
  const args = ["apply", "--server-side", "--force-conflicts", "--field-manager=ramp-tests"];
  const applied = await kubectl([...args, ...files.flatMap((f) => ["-f", join(dir, f)])], {
    timeoutMs: 120_000,
  });
  if (applied.code !== 0) throw new Error(`installing GitOps CRDs failed: ${applied.stderr}`);
  const ready = await kubectl(
    ["wait", "--for=condition=Established", "--timeout=60s", ...GITOPS_CRDS.map((c) => `crd/${c}`)],
    { timeoutMs: 90_000 },
  );
  if (ready.code !== 0) throw new Error(`GitOps CRDs not Established: ${ready.stderr}`);
}
