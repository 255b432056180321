// Installs Argo CD's Application and Flux's Kustomization CRDs (from their Go modules, by
// scripts/cluster/gitops-crds.sh) into the local cluster, so the real apiserver validates the objects in
// examples/argocd and examples/flux against the upstream schemas.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { applyCrds, oncePerProcess } from "./crds.ts";
import { repoRoot } from "./yaml.ts";

const script = join(repoRoot, "scripts", "cluster", "gitops-crds.sh");

export const GITOPS_CRDS = ["applications.argoproj.io", "kustomizations.kustomize.toolkit.fluxcd.io"];

/** Fetches (cached) and server-side applies the CRDs; once per process, idempotent across runs. */
export const installGitOpsCrds = oncePerProcess(async () => {
  const fetched = spawnSync("bash", [script], { encoding: "utf8" });
  if (fetched.status !== 0) {
    throw new Error(`ramp: ${script} failed (exit ${fetched.status ?? fetched.signal}):\n${fetched.stderr}`);
  }
  const dir = fetched.stdout.trim();
  const files = readdirSync(dir).filter((f) => f.endsWith(".yaml"));
  await applyCrds(
    files.map((f) => join(dir, f)),
    GITOPS_CRDS,
    "GitOps CRDs",
  );
});
