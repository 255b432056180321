// Installs Argo CD's Application and Flux's Kustomization CRDs (from their Go modules, by
// scripts/cluster/gitops-crds.sh) into the local cluster, so the real apiserver validates the objects in
// examples/argocd and examples/flux against the upstream schemas.
import { applyCrds, fetchCrds, oncePerProcess } from "../../dev/crds.ts";

export const GITOPS_CRDS = ["applications.argoproj.io", "kustomizations.kustomize.toolkit.fluxcd.io"];

/** Fetches (cached) and server-side applies the CRDs; once per process, idempotent across runs. */
export const installGitOpsCrds = oncePerProcess(() =>
  applyCrds(fetchCrds("gitops-crds.sh").files, GITOPS_CRDS, "GitOps CRDs"),
);
